// The directive data from @nginx/reference-lib, and what the syntax module derives from its syntax
// strings. Expected values are nginx's documentation (nginx.org), not the program's output.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { renderDirectiveIndex } from '../../server/src/core/directives/indexSource';
import { directiveReference } from '../../server/src/core/directives/reference';
import { parseSyntaxLine, syntaxAsText } from '../../server/src/core/directives/syntax';

describe('syntax strings', () => {
  const cases: [string, number, number, string[]][] = [
    ['`on` | `off`', 1, 1, ['on', 'off']],
    ['`1.0` | `1.1` | `2`', 1, 1, ['1.0', '1.1', '2']],
    ['*`field`* *`value`*', 2, 2, []],
    ['*`name`* ...', 1, Infinity, []],
    ['*`code`* [*`text`*]', 1, 2, []],
    ['[ `=` | `~` | `~*` | `^~` ] *`uri`* `{...}`', 1, 2, []],
    [' `{...}`', 0, 0, []],
    ['*`number`* | `auto`', 1, 1, []],
    ['*`address`* [*`parameters`*]', 1, Infinity, []],
    ['*`string`* [`token=`*`$variable`*] | `off`', 1, 2, []],
    ['`on` | `off` | `threads`[`=`*`pool`*]', 1, 1, ['on', 'off', 'threads']],
  ];
  for (const [syntax, min, max, values] of cases)
    it(`${syntax} takes ${min}..${max} arguments`, () => {
      const shape = parseSyntaxLine(syntax);
      assert.equal(shape.min, min);
      assert.equal(shape.max, max);
      assert.deepEqual(shape.values, values);
    });

  it('keeps literal words of options, "~*" included', () => {
    assert.deepEqual(parseSyntaxLine('[ `=` | `~` | `~*` | `^~` ] *`uri`* `{...}`').keywords, ['=', '~', '~*', '^~']);
  });

  it('shows a syntax line as nginx text', () => {
    assert.equal(syntaxAsText('proxy_http_version', '`1.0` | `1.1` | `2`', false), 'proxy_http_version 1.0 | 1.1 | 2;');
    assert.equal(syntaxAsText('location', '[ `=` | `~` ] *`uri`* `{...}`', true), 'location [ = | ~ ] uri { ... }');
  });
});

describe('the directive reference', () => {
  const reference = directiveReference();

  it('its committed index is what scripts/directive-index.mjs makes from the installed @nginx/reference-lib', () => {
    const committed = readFileSync(
      path.join(__dirname, '..', '..', 'server', 'src', 'core', 'directives', 'index.generated.ts'),
      'utf8',
    );
    assert.ok(committed === renderDirectiveIndex(), 'out of date: run node --import tsx scripts/directive-index.mjs');
  });

  it('descriptions come from the documentation, loaded on first read', () => {
    assert.match(
      reference.directive('proxy_set_header')?.description ?? '',
      /inherited from the previous configuration level/,
    );
    assert.match(reference.variable('request_uri')?.description ?? '', /full original request URI/);
  });

  it('holds nginx documentation: 900+ directives, 200+ variables', () => {
    assert.ok([...reference.names()].length > 700);
    assert.ok(reference.allVariables().length > 150);
  });

  it('proxy_http_version: http, server, location; 1.0 | 1.1 | 2; the 1.29.7 default change in its text', () => {
    const info = reference.directive('proxy_http_version');
    assert.ok(info);
    assert.deepEqual([...info.contexts].sort(), ['http', 'location', 'server']);
    assert.deepEqual(info.args.values, ['1.0', '1.1', '2']);
    assert.equal(info.module, 'ngx_http_proxy_module');
    assert.match(info.description, /1\.29\.7/);
    assert.equal(info.url, 'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_http_version');
  });

  it('tells an http server from a stream server by module', () => {
    assert.deepEqual(reference.directive('proxy_pass', 'stream-server')?.module, 'ngx_stream_proxy_module');
    assert.deepEqual(reference.directive('proxy_pass', 'location')?.module, 'ngx_http_proxy_module');
    assert.ok(reference.directive('listen', 'server')?.contexts.includes('server'));
    assert.ok(!reference.directivesIn('location').some((info) => info.name === 'listen'));
    assert.ok(reference.directivesIn('location').some((info) => info.name === 'proxy_pass'));
  });

  it('"if" in the docs means both server and location ifs; "if in location" only the latter', () => {
    assert.deepEqual([...(reference.directive('return')?.contexts ?? [])].sort(), [
      'if-in-location',
      'if-in-server',
      'location',
      'server',
    ]);
    assert.ok(reference.directive('proxy_pass', 'if-in-location')?.contexts.includes('if-in-location'));
    assert.ok(!reference.directive('proxy_pass', 'location')?.contexts.includes('if-in-server'));
  });

  it('include stands anywhere', () => {
    assert.deepEqual(reference.directive('include')?.contexts, ['any']);
  });

  it('variables: exact names and families ($http_NAME covers $http_upgrade)', () => {
    assert.equal(reference.variable('request_uri')?.module, 'ngx_http_core_module');
    const upgrade = reference.variable('http_upgrade');
    assert.ok(upgrade?.isPrefix);
    assert.equal(upgrade?.name, 'http_');
    assert.equal(reference.variable('no_such_variable_here'), undefined);
  });
});
