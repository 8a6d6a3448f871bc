// language-configuration.json: the editing behaviour VS Code gives nginx files (comments, brackets,
// auto-closing, indentation, folding, word selection). VS Code compiles its patterns as JavaScript
// regular expressions, so they are checked here the same way.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const repositoryRoot = join(__dirname, '..', '..');
const fixturesDir = join(repositoryRoot, 'test', 'fixtures', 'grammar');

interface AutoClosingPair {
  readonly open: string;
  readonly close: string;
  readonly notIn?: readonly string[];
}

interface LanguageConfiguration {
  readonly comments: { readonly lineComment: string };
  readonly brackets: readonly (readonly [string, string])[];
  readonly autoClosingPairs: readonly AutoClosingPair[];
  readonly surroundingPairs: readonly (readonly [string, string])[];
  readonly indentationRules: { readonly increaseIndentPattern: string; readonly decreaseIndentPattern: string };
  readonly folding: { readonly markers: { readonly start: string; readonly end: string } };
  readonly wordPattern: string;
}

const configuration = JSON.parse(
  readFileSync(join(repositoryRoot, 'language-configuration.json'), 'utf8'),
) as LanguageConfiguration;

const increaseIndent = new RegExp(configuration.indentationRules.increaseIndentPattern);
const decreaseIndent = new RegExp(configuration.indentationRules.decreaseIndentPattern);
const foldingStart = new RegExp(configuration.folding.markers.start);
const foldingEnd = new RegExp(configuration.folding.markers.end);

/** The word VS Code selects on a double-click at `offset`: the wordPattern match that covers it. */
function wordAt(line: string, offset: number): string | undefined {
  for (const match of line.matchAll(new RegExp(configuration.wordPattern, 'g'))) {
    if (match.index <= offset && offset < match.index + match[0].length) return match[0];
  }
  return undefined;
}

describe('nginx language configuration', () => {
  test('# starts a line comment', () => {
    assert.equal(configuration.comments.lineComment, '#');
  });

  test('brackets', () => {
    assert.deepEqual([...configuration.brackets].map(([open, close]) => open + close).sort(), ['()', '[]', '{}']);
  });

  test('auto-closing pairs include brackets and both quotes, quotes not inside strings or comments', () => {
    const pairs = new Map(configuration.autoClosingPairs.map((pair) => [pair.open, pair]));
    for (const [open, close] of [
      ['{', '}'],
      ['[', ']'],
      ['(', ')'],
      ['"', '"'],
      ["'", "'"],
    ] as const) {
      assert.equal(pairs.get(open)?.close, close, `no auto-closing pair for ${open}`);
    }
    for (const quote of ['"', "'"]) {
      assert.deepEqual([...(pairs.get(quote)?.notIn ?? [])].sort(), ['comment', 'string']);
    }
  });

  test('selected text can be surrounded by brackets and quotes', () => {
    assert.deepEqual(configuration.surroundingPairs.map(([open, close]) => open + close).sort(), [
      '""',
      "''",
      '()',
      '[]',
      '{}',
    ]);
  });

  describe('indentation', () => {
    const indentAfter = [
      'server {',
      '    location ~ ^/ws$ {   # WebSocket endpoint',
      'map $http_upgrade $connection_upgrade {',
      '    content_by_lua_block {',
      '        local limits = {',
      'set_by_lua_block ${backend} {',
    ];
    const noIndentAfter = [
      '# server {',
      '    proxy_pass http://app;',
      '    location /health { return 204; }',
      '    proxy_set_header Host "${host}";',
      '    proxy_pass http://app;  # {',
      '}',
    ];
    for (const line of indentAfter) test(`indents after: ${line}`, () => assert.match(line, increaseIndent));
    for (const line of noIndentAfter) {
      test(`does not indent after: ${line}`, () => assert.doesNotMatch(line, increaseIndent));
    }
    for (const line of ['}', '    }', '    }  # end of server', '        },']) {
      test(`outdents: ${line}`, () => assert.match(line, decreaseIndent));
    }
    for (const line of ['    proxy_pass http://app;', 'server {', '    return 200 "}";']) {
      test(`does not outdent: ${line}`, () => assert.doesNotMatch(line, decreaseIndent));
    }
  });

  describe('folding', () => {
    for (const line of ['server {', '    location /ws/ {', '# region upstreams', '#region']) {
      test(`a fold starts at: ${line}`, () => assert.match(line, foldingStart));
    }
    for (const line of ['}', '    }', '# endregion', '#endregion']) {
      test(`a fold ends at: ${line}`, () => assert.match(line, foldingEnd));
    }
    for (const line of ['    location /health { return 204; }', '    proxy_pass http://app;', '# server {']) {
      test(`no fold starts or ends at: ${line}`, () => {
        assert.doesNotMatch(line, foldingStart);
        assert.doesNotMatch(line, foldingEnd);
      });
    }
    for (const fixture of ['websocket-proxy.conf', 'lua-block-nested-braces.conf', 'key-value-blocks.conf']) {
      test(`every fold that starts in ${fixture} ends`, () => {
        let open = 0;
        for (const [index, line] of readFileSync(join(fixturesDir, fixture), 'utf8').split(/\r?\n/).entries()) {
          if (foldingStart.test(line)) open++;
          else if (foldingEnd.test(line)) open--;
          assert.ok(open >= 0, `line ${index + 1} ends a fold that never started: ${line}`);
        }
        assert.equal(open, 0);
      });
    }
  });

  describe('word selection', () => {
    const cases: readonly (readonly [line: string, at: string, word: string])[] = [
      ['proxy_set_header Upgrade $http_upgrade;', 'http_upgrade', '$http_upgrade'],
      ['proxy_set_header Upgrade $http_upgrade;', 'set_header', 'proxy_set_header'],
      ['proxy_set_header Host "${host}:$server_port";', 'host}', '${host}'],
      ['proxy_set_header Host "${host}:$server_port";', 'server_port', '$server_port'],
      ['rewrite ^/ws/(.*)$ /socket/$1 last;', '$1', '$1'],
      ['proxy_read_timeout 1h30m;', 'read', 'proxy_read_timeout'],
      ['proxy_read_timeout 1h30m;', '30m', '1h30m'],
      ['server 127.0.0.1:8080;', '0.0.1', '127.0.0.1:8080'],
      ['try_files $uri @backend;', 'backend', '@backend'],
      ['proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;', 'Forwarded', 'X-Forwarded-For'],
    ];
    for (const [line, at, word] of cases) {
      test(`${word} in ${line}`, () => {
        const offset = line.indexOf(at);
        assert.notEqual(offset, -1);
        assert.equal(wordAt(line, offset), word);
      });
    }
  });
});
