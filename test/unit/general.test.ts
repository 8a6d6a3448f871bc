// General diagnostics (server/src/core/diagnostics): what nginx -t rejects, with expectations
// written from nginx's documentation (each directive's Context and Syntax on nginx.org) and
// nginx's own messages; a sample of them is checked on the real nginx in
// test/nginx/general-nginx.test.ts. Also: the rule pages of the general codes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
  editDistance,
  GENERAL_CODES,
  generalFindings,
  nearMisses,
  uriPart,
} from '../../server/src/core/diagnostics/general';
import { fixesFor } from '../../server/src/core/fixes/fixes';
import { analyzeFile } from '../../server/src/core/model/workspace';
import type { Diagnosis } from '../../server/src/core/rules/types';
import { parseNginxVersion } from '../../server/src/core/rules/version';
import { MemoryFileSystem } from '../helpers/fileSystems';
import { repoRoot } from '../helpers/paths';
import { exampleUnder } from '../helpers/ruleDocs';

interface Options {
  readonly file?: string;
  readonly version?: string;
  readonly extra?: readonly string[];
  readonly files?: Record<string, string>;
}

function findings(text: string, options: Options = {}): Diagnosis[] {
  const file = options.file ?? '/etc/nginx/nginx.conf';
  const analysis = analyzeFile(file, new MemoryFileSystem({ ...options.files, [file]: text }), {
    workspaceFolders: ['/etc/nginx'],
  });
  return generalFindings(analysis, {
    nginxVersion: options.version ? parseNginxVersion(options.version) : undefined,
    extraDirectives: options.extra ?? [],
    severity: {},
  });
}

/** "code severity line:col message" per finding, for readable assertions. */
function summary(text: string, options?: Options): string[] {
  return findings(text, options).map(
    (f) => `${f.code} ${f.severity} ${f.range.start.line + 1}:${f.range.start.character + 1} ${f.message}`,
  );
}

/** A complete config around location lines. */
function inLocation(lines: string, location = 'location /'): string {
  return `events {}\nhttp {\n  server {\n    listen 80;\n    ${location} {\n${lines}\n    }\n  }\n}\n`;
}

describe('directives where nginx does not allow them (nginx-context)', () => {
  it('listen and server_name in a location; proxy_pass in a server; add_header in an if of a server', () => {
    assert.deepEqual(summary(inLocation('      listen 8080;\n      server_name a.test;')), [
      'nginx-context error 6:7 "listen" directive is not allowed here',
      'nginx-context error 7:7 "server_name" directive is not allowed here',
    ]);
    assert.deepEqual(
      summary('events {}\nhttp {\n  server {\n    proxy_pass http://a;\n    if ($a) { add_header X y; }\n  }\n}\n'),
      [
        'nginx-context error 4:5 "proxy_pass" directive is not allowed here',
        'nginx-context error 5:15 "add_header" directive is not allowed here',
      ],
    );
  });

  it('a conf.d file is read in http: server and upstream at its top are right, listen is not', () => {
    const main = 'events {}\nhttp {\n  include conf.d/*.conf;\n}\n';
    const site = 'upstream app { server 127.0.0.1:9000; }\nlisten 80;\nserver {\n  listen 80;\n}\n';
    assert.deepEqual(summary(site, { file: '/etc/nginx/conf.d/site.conf', files: { '/etc/nginx/nginx.conf': main } }), [
      'nginx-context error 2:1 "listen" directive is not allowed here',
    ]);
  });

  it('stream servers take stream directives, and events takes worker_connections only there', () => {
    const text =
      'events { worker_connections 64; }\nstream {\n  server {\n    listen 9000;\n    proxy_pass 127.0.0.1:9001;\n    proxy_http_version 1.1;\n  }\n}\n';
    assert.deepEqual(summary(text), ['nginx-context error 6:5 "proxy_http_version" directive is not allowed here']);
  });
});

describe('arguments (nginx-args)', () => {
  it('one argument too many is marked from the extra argument', () => {
    assert.deepEqual(summary(inLocation('      proxy_http_version 1.1 1.0;')), [
      'nginx-args error 6:30 invalid number of arguments in "proxy_http_version" directive',
    ]);
  });

  it('too few, a block directive without its block, a simple one with a block', () => {
    assert.deepEqual(summary(inLocation('      proxy_pass;\n      location /x;\n      expires 1d { }')), [
      'nginx-args error 6:7 invalid number of arguments in "proxy_pass" directive',
      'nginx-args error 7:7 directive "location" has no opening "{"',
      'nginx-args error 8:7 directive "expires" is not terminated by ";"',
    ]);
  });

  it('leaves what nginx takes beyond its documented syntax, and if conditions, alone', () => {
    assert.deepEqual(
      summary(inLocation('      stub_status on;\n      if ($request_method = POST) { return 405; }')),
      [],
    );
  });
});

describe('duplicates (nginx-duplicate)', () => {
  it('a one-value directive twice at one level; repeatable ones and other levels are fine', () => {
    const lines =
      '      proxy_http_version 1.1;\n      proxy_set_header A b;\n      proxy_set_header C d;\n      proxy_http_version 1.1;';
    assert.deepEqual(summary(inLocation(lines)), [
      'nginx-duplicate error 9:7 "proxy_http_version" directive is duplicate',
    ]);
    const levels = 'events {}\nhttp {\n  proxy_read_timeout 1h;\n  server {\n    proxy_read_timeout 1h;\n  }\n}\n';
    assert.deepEqual(summary(levels), []);
  });
});

describe('proxy_pass with a URI (nginx-proxy-pass-uri)', () => {
  it('in a regex location, a named location, an if and a limit_except; not in a prefix location or with variables', () => {
    const text = [
      'events {}',
      'http {',
      '  server {',
      '    location ~ ^/a { proxy_pass http://b/; }',
      '    location @n { proxy_pass http://b/x; }',
      '    location /c { if ($x) { proxy_pass http://b/y; } }',
      '    location /d { limit_except GET { proxy_pass http://b/z; } }',
      '    location /e { proxy_pass http://b/e/; }',
      '    location ~ ^/f { proxy_pass http://b$request_uri; }',
      '    location ~ ^/g { proxy_pass http://b; }',
      '  }',
      '}',
      '',
    ].join('\n');
    assert.deepEqual(
      findings(text).map((f) => `${f.code} ${f.range.start.line + 1}`),
      ['nginx-proxy-pass-uri 4', 'nginx-proxy-pass-uri 5', 'nginx-proxy-pass-uri 6', 'nginx-proxy-pass-uri 7'],
    );
    assert.equal(uriPart('http://unix:/run/app.sock:/api/'), '/api/');
    assert.equal(uriPart('http://unix:/run/app.sock'), undefined);
  });
});

describe('unknown directives and typos (nginx-unknown-directive)', () => {
  it('a near miss is an error naming the directive, with the "Change to" fix', () => {
    const text = inLocation('      proxy_pas http://127.0.0.1:9000;');
    const [typo] = findings(text);
    assert.ok(typo);
    assert.equal(typo.code, 'nginx-unknown-directive');
    assert.equal(typo.severity, 'error');
    assert.equal(typo.message, 'unknown directive "proxy_pas": did you mean "proxy_pass"?');
    const analysis = analyzeFile('/etc/nginx/nginx.conf', new MemoryFileSystem({ '/etc/nginx/nginx.conf': text }), {});
    const [fix] = fixesFor(typo, analysis, undefined);
    assert.deepEqual(fix && { title: fix.title, preferred: fix.isPreferred, newText: fix.edits[0]?.newText }, {
      title: 'Change to proxy_pass',
      preferred: true,
      newText: 'proxy_pass',
    });
  });

  it('suggests only directives valid where the typo stands', () => {
    assert.deepEqual(nearMisses('listn', ['server']), ['listen']);
    assert.deepEqual(nearMisses('listn', ['location']), []);
    assert.equal(editDistance('proxy_pass', 'prxoy_pass', 2), 1, 'a transposition is one edit');
  });

  it('third-party directives are known, other names are information, extraDirectives declares more', () => {
    const lines =
      '      more_set_headers "Server: x";\n      content_by_lua_block { ngx.say("a") }\n      brotli on;\n      frobnicate_widgets on;';
    assert.deepEqual(
      summary(inLocation(lines)).map((line) => line.split(' ').slice(0, 3).join(' ')),
      ['nginx-unknown-directive information 9:7'],
    );
    assert.deepEqual(summary(inLocation(lines), { extra: ['frobnicate_widgets'] }), []);
  });

  it('does not look into map, types or third-party blocks', () => {
    const text =
      'events {}\nhttp {\n  map $a $b { default 1; lisen 2; }\n  types { text/html html; }\n  frobnicate_block { lisen 1; }\n}\n';
    assert.deepEqual(
      summary(text).map((line) => line.split(' ').slice(0, 2).join(' ')),
      ['nginx-unknown-directive information'],
      'only the unknown block name itself',
    );
  });
});

describe('versions (nginx-version)', () => {
  it('proxy_http_version 2 needs 1.29.4', () => {
    const text = inLocation('      proxy_pass http://a;\n      proxy_http_version 2;');
    assert.deepEqual(summary(text, { version: '1.22.1' }), [
      'nginx-version warning 7:26 "2" in "proxy_http_version" needs nginx 1.29.4; the configured nginx is 1.22.1, which refuses it',
    ]);
    assert.deepEqual(summary(text, { version: '1.29.4' }), []);
    assert.deepEqual(summary(text), [], 'no version known: no claim');
  });
});

describe('silencing', () => {
  it('nginx-ws-disable-next-line and the severity setting apply to general codes', () => {
    const text = inLocation('      # nginx-ws-disable-next-line nginx-context\n      listen 80;');
    assert.deepEqual(summary(text), []);
  });
});

describe('rule pages of the general codes', () => {
  const docs = path.join(repoRoot, 'docs', 'rules');
  const readme = readFileSync(path.join(docs, 'README.md'), 'utf8');
  for (const code of GENERAL_CODES) {
    it(`${code}: a README row, and its bad example has the finding, the good one none`, () => {
      assert.match(readme, new RegExp(`^\\| \`${code}\` \\|.*\\[${code}\\]\\(${code}\\.md\\) \\|$`, 'm'));
      const page = readFileSync(path.join(docs, `${code}.md`), 'utf8');
      const bad = exampleUnder(page, 'Bad example');
      const good = exampleUnder(page, 'Good example');
      assert.ok(bad && good, 'both examples');
      // As the WebSocket pages' test does: the example's lines go into a server.
      const wrap = (example: string): string => `events {}\nhttp {\nserver {\nlisten 8080;\n${example}}\n}\n`;
      const version = code === 'nginx-version' ? '1.22.1' : undefined;
      assert.ok(
        findings(wrap(bad), { version }).some((f) => f.code === code),
        'the bad example is reported',
      );
      assert.deepEqual(findings(wrap(good), { version }), [], 'the good example is clean');
    });
  }
});
