// Every syntax mistake the parser recovers from: the error's code, its range, the line nginx -t
// would name for it (0-based here), and the tree after recovery, which shows that parsing went on
// and later directives sit where they belong. test/nginx/differential-nginx.test.ts checks the
// nginxLine values against a real nginx on the fixtures in test/fixtures/syntax/errors/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../server/src/core/parser/parser';
import type { ParseErrorCode } from '../../server/src/core/parser/ast';
import { ancestry, findDirective, rangeViolations, renderTree } from '../helpers/syntax';
import { rangeTuple } from '../helpers/text';

interface ErrorCase {
  name: string;
  text: string;
  /** Every error: code, [startLine, startChar, endLine, endChar], nginxLine (0-based). */
  errors: [ParseErrorCode, [number, number, number, number], number][];
  /** The tree after recovery. */
  tree: string;
}

const CASES: ErrorCase[] = [
  {
    name: 'missing ";" before the next directive line: reported on the word, nginx names the next ";"',
    text: 'server {\n    listen 80\n    server_name a;\n}\n',
    errors: [['missing-semicolon', [1, 11, 1, 13], 2]],
    tree: 'server {listen 80; server_name a;}',
  },
  {
    name: 'missing ";" before a comment and a blank line: nginx names the line of the next ";"',
    text: 'server {\n    listen 80\n\n    # note\n    server_name a;\n}\n',
    errors: [['missing-semicolon', [1, 11, 1, 13], 4]],
    tree: 'server {listen 80; server_name a;}',
  },
  {
    name: 'missing ";" before a block directive: nginx names the "{"',
    text: 'server {\n    return 200\n    location / { }\n}\n',
    errors: [['missing-semicolon', [1, 11, 1, 14], 2]],
    tree: 'server {return 200; location / {}}',
  },
  {
    name: 'missing ";" before "}": nginx names the "}"',
    text: 'server {\n    listen 80\n}\n',
    errors: [['missing-semicolon', [1, 11, 1, 13], 2]],
    tree: 'server {listen 80;}',
  },
  {
    name: 'missing ";" on a directive with no arguments, before "}" on the same line',
    text: 'upstream u { ip_hash }\nserver { }',
    errors: [['missing-semicolon', [0, 13, 0, 20], 0]],
    tree: 'upstream u {ip_hash;} server {}',
  },
  {
    name: 'missing ";" at the end of the file, with a final newline: nginx names the empty last line',
    text: 'events {}\nworker_processes 1\n',
    errors: [['missing-semicolon', [1, 17, 1, 18], 2]],
    tree: 'events {} worker_processes 1;',
  },
  {
    name: 'missing ";" at the end of the file, without a final newline: nginx names the last line',
    text: 'events {}\nworker_processes 1',
    errors: [['missing-semicolon', [1, 17, 1, 18], 1]],
    tree: 'events {} worker_processes 1;',
  },
  {
    name: 'a continuation line indented deeper is not a missing ";"',
    text: 'log_format main\n    $remote_addr\n    $status;\nlisten 80;',
    errors: [],
    tree: 'log_format main $remote_addr $status; listen 80;',
  },
  {
    name: 'a ";" on the next line is fine',
    text: 'listen 80\n;\nserver_name a;',
    errors: [],
    tree: 'listen 80; server_name a;',
  },
  {
    name: 'a missing "}" in the middle: recovery by indentation keeps the next location a sibling',
    text: [
      'http {',
      '    server {',
      '        location /a {',
      '            proxy_pass http://a;',
      '',
      '        location /b {',
      '            proxy_pass http://b;',
      '        }',
      '    }',
      '    server {',
      '        location /c { }',
      '    }',
      '}',
      '',
    ].join('\n'),
    errors: [['unclosed-block', [2, 8, 2, 21], 13]],
    tree: 'http {server {location /a {proxy_pass http://a;} location /b {proxy_pass http://b;}} server {location /c {}}}',
  },
  {
    name: 'a missing "}" of a server: the next server is a sibling again',
    text: 'http {\n  server {\n    listen 80;\n  server {\n    listen 81;\n  }\n}\n',
    errors: [['unclosed-block', [1, 2, 1, 10], 7]],
    tree: 'http {server {listen 80;} server {listen 81;}}',
  },
  {
    name: 'an unclosed block at the end of the file, with a final newline: nginx names the empty last line',
    text: 'events {}\nhttp {\n    server {\n    }\n',
    errors: [['unclosed-block', [1, 0, 1, 6], 4]],
    tree: 'events {} http {server {}}',
  },
  {
    name: 'an unclosed block at the end of the file, without a final newline: nginx names the last line',
    text: 'events {}\nhttp {\n    server {\n    }',
    errors: [['unclosed-block', [1, 0, 1, 6], 3]],
    tree: 'events {} http {server {}}',
  },
  {
    name: 'two unclosed blocks in a file with no indentation: both reported',
    text: 'http {\nserver {\nlisten 80;\n',
    errors: [
      ['unclosed-block', [0, 0, 0, 6], 3],
      ['unclosed-block', [1, 0, 1, 8], 3],
    ],
    tree: 'http {server {listen 80;}}',
  },
  {
    name: 'a stray "}" at top level, and the file goes on',
    text: 'events {\n}\n}\nhttp { }\n',
    errors: [['unexpected-close-brace', [2, 0, 2, 1], 2]],
    tree: 'events {} http {}',
  },
  {
    name: 'a stray "}" inside a block closes that block, as in nginx; the extra one is reported at the end',
    text: 'http {\n    server {\n    }\n    }\n    server { }\n}\n',
    errors: [['unexpected-close-brace', [5, 0, 5, 1], 5]],
    tree: 'http {server {}} server {}',
  },
  {
    name: 'an unterminated string: reported at its quote, nginx names the end of the file; the next line is still read',
    text: 'server {\n    return 200 "abc;\n    listen 80;\n}\n',
    errors: [['unterminated-string', [1, 15, 1, 20], 4]],
    tree: 'server {return 200 "abc;; listen 80;}',
  },
  {
    name: 'an unterminated single quote at the end of the file',
    text: "server {\n}\nerror_page 404 'x",
    errors: [['unterminated-string', [2, 15, 2, 17], 2]],
    tree: "server {} error_page 404 'x;",
  },
  {
    name: 'an unexpected ";"',
    text: 'server {\n    ;\n    listen 80;\n}\n',
    errors: [['unexpected-semicolon', [1, 4, 1, 5], 1]],
    tree: 'server {listen 80;}',
  },
  {
    name: 'an unexpected "{": what it holds counts as the enclosing block\'s',
    text: 'server {\n    {\n        listen 80;\n    }\n    server_name a;\n}\n',
    errors: [['unexpected-open-brace', [1, 4, 1, 5], 1]],
    tree: 'server {listen 80; server_name a;}',
  },
  {
    name: 'a character glued after a closing quote',
    text: 'server {\n    return 200 "a"b;\n    listen 80;\n}\n',
    errors: [['unexpected-character', [1, 18, 1, 19], 1]],
    tree: 'server {return 200 "a" b; listen 80;}',
  },
  {
    name: 'an unterminated Lua block runs to the end of the file',
    text: 'location / {\n    content_by_lua_block {\n        ngx.say("}")\n',
    errors: [
      ['unclosed-block', [0, 0, 0, 12], 3],
      ['unterminated-lua-block', [1, 4, 1, 26], 3],
    ],
    tree: 'location / {content_by_lua_block {=\n        ngx.say("}")\n=}}',
  },
  {
    name: 'a template placeholder: nginx names its line',
    text: 'server {\n    ssl_certificate {{CERT}};\n    listen 443;\n}\n',
    errors: [['template-placeholder', [1, 20, 1, 28], 1]],
    tree: 'server {ssl_certificate {{CERT}}; listen 443;}',
  },
];

for (const { name, text, errors, tree } of CASES) {
  test(`parse error: ${name}`, () => {
    const parsed = parse(text);
    assert.deepEqual(
      parsed.errors.map((error) => [error.code, rangeTuple(error.range), error.nginxLine]),
      errors,
    );
    assert.equal(renderTree(parsed.directives), tree);
    assert.deepEqual(rangeViolations(parsed), []);
    for (const error of parsed.errors) assert.ok(error.message.length > 0, `${error.code} has a message`);
  });
}

test('parse error: CRLF line endings give the same lines and characters', () => {
  for (const { name, text, errors } of CASES) {
    if (text.includes('\r')) continue;
    const parsed = parse(text.replace(/\n/g, '\r\n'));
    assert.deepEqual(
      parsed.errors.map((error) => [error.code, rangeTuple(error.range), error.nginxLine]),
      errors,
      name,
    );
  }
});

test('parse error: after a missing "}" a later location keeps its server and its own children', () => {
  const text = [
    'http {',
    '    server {',
    '        server_name one;',
    '        location /a {',
    '            proxy_pass http://a;',
    '        location /ws {',
    '            proxy_set_header Upgrade $http_upgrade;',
    '            location /ws/nested {',
    '                proxy_pass http://n;',
    '            }',
    '        }',
    '    }',
    '}',
  ].join('\n');
  const parsed = parse(text);
  assert.deepEqual(ancestry(findDirective(parsed, 'location', '/ws')), ['http', 'server']);
  assert.deepEqual(ancestry(findDirective(parsed, 'proxy_set_header')), ['http', 'server', 'location /ws']);
  assert.deepEqual(ancestry(findDirective(parsed, 'location', '/ws/nested')), ['http', 'server', 'location /ws']);
  assert.deepEqual(
    parsed.errors.map((error) => error.code),
    ['unclosed-block'],
  );
});

test('parse error: several mistakes in one file are all reported, in file order', () => {
  const text =
    'http {\n    listen 80\n    ;\n    server {\n        ;\n        return 200 "a"b;\n        root /x\n    }\n}\n}\n';
  const parsed = parse(text);
  assert.deepEqual(
    parsed.errors.map((error) => [error.code, error.nginxLine]),
    [
      ['unexpected-semicolon', 4],
      ['unexpected-character', 5],
      ['missing-semicolon', 7],
      ['unexpected-close-brace', 9],
    ],
  );
});
