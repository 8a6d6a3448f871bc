// The parser on valid input: the tree it builds (names, arguments, nesting, table and Lua bodies)
// and the exact LSP ranges of every part. Error cases are in parser-errors.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from '../../server/src/core/parser/parser';
import { fixturePath } from '../helpers/paths';
import { ancestry, findDirective, rangeViolations, renderTree } from '../helpers/syntax';
import { rangeTuple, textAt } from '../helpers/text';

const TREES: { name: string; text: string; tree: string }[] = [
  {
    name: 'simple directives',
    text: 'user www-data;\nworker_processes auto;\n',
    tree: 'user www-data; worker_processes auto;',
  },
  {
    name: 'nested blocks',
    text: 'http {\n  server {\n    listen 80;\n    location / {\n      proxy_pass http://app;\n    }\n  }\n}\n',
    tree: 'http {server {listen 80; location / {proxy_pass http://app;}}}',
  },
  {
    name: 'everything on one line',
    text: 'http{server{listen 80;location /{return 200;}}}',
    tree: 'http {server {listen 80; location / {return 200;}}}',
  },
  { name: 'an empty block', text: 'events {}', tree: 'events {}' },
  { name: 'a block name glued to "{" ("server{")', text: 'server{\n}', tree: 'server {}' },
  {
    name: 'a directive split over lines',
    text: 'log_format main\n    \'$remote_addr\'\n    "$status";',
    tree: 'log_format main \'$remote_addr\' "$status";',
  },
  {
    name: '"foo}" is one word, as in nginx',
    text: 'location / { return 200 foo};}',
    tree: 'location / {return 200 foo};}',
  },
  { name: 'variables "$var" and "${var}"', text: 'set $a ${b}c$d;', tree: 'set $a ${b}c$d;' },
  {
    name: 'quoted arguments keep their quotes in raw',
    text: 'add_header X "a b" \'c\';',
    tree: 'add_header X "a b" \'c\';',
  },
  { name: '"a#b" is a word, "a #b" has a comment', text: 'a a#b;\nb #c\n;', tree: 'a a#b; b;' },
  { name: 'a directive with no arguments', text: 'ip_hash;', tree: 'ip_hash;' },
  {
    name: 'map body entries are directives of the map',
    text: "map $http_upgrade $connection_upgrade {\n  default upgrade;\n  ''      close;\n  ~^ws    upgrade;\n  hostnames;\n}",
    tree: "map $http_upgrade $connection_upgrade {default upgrade; '' close; ~^ws upgrade; hostnames;}",
  },
  {
    name: 'a types body',
    text: 'types {\n  text/html html htm shtml;\n  application/javascript js;\n}',
    tree: 'types {text/html html htm shtml; application/javascript js;}',
  },
  {
    name: 'a geo body',
    text: 'geo $remote_addr $internal {\n  default 0;\n  10.0.0.0/8 1;\n  include geo.conf;\n}',
    tree: 'geo $remote_addr $internal {default 0; 10.0.0.0/8 1; include geo.conf;}',
  },
  {
    name: 'a split_clients body',
    text: 'split_clients "${remote_addr}AAA" $variant {\n  0.5% .one;\n  2.0% .two;\n  * "";\n}',
    tree: 'split_clients "${remote_addr}AAA" $variant {0.5% .one; 2.0% .two; * "";}',
  },
  {
    name: 'a match body',
    text: 'match server_ok {\n  status 200-399;\n  header Content-Type = text/html;\n  body ~ "Welcome to nginx!";\n}',
    tree: 'match server_ok {status 200-399; header Content-Type = text/html; body ~ "Welcome to nginx!";}',
  },
  {
    name: 'a charset_map body',
    text: 'charset_map koi8-r utf-8 {\n  C0 D18E;\n  C1 D0B0;\n}',
    tree: 'charset_map koi8-r utf-8 {C0 D18E; C1 D0B0;}',
  },
  {
    name: 'if with a variable test',
    text: 'if ($http_upgrade) { return 403; }',
    tree: 'if ($http_upgrade) {return 403;}',
  },
  // A ")" right after a closing quote is a word of its own, as nginx reads it: rendered apart here.
  { name: 'if with a quoted comparison', text: 'if ($a = "b") { set $c 1; }', tree: 'if ($a = "b" ) {set $c 1;}' },
  {
    name: 'if with a regex',
    text: 'if ($request_uri ~* "^/(?<rest>.*)$") { }',
    tree: 'if ($request_uri ~* "^/(?<rest>.*)$" ) {}',
  },
  {
    name: 'if with a file test',
    text: 'if (!-f $request_filename) { rewrite ^ /index.php last; }',
    tree: 'if (!-f $request_filename) {rewrite ^ /index.php last;}',
  },
  {
    name: 'if with the condition glued to the parentheses',
    text: 'if ($host="a"){return 404;}',
    tree: 'if ($host="a") {return 404;}',
  },
  {
    name: 'a location with a quoted regex holding braces',
    text: 'location ~ "^/(\\d{3})$" { }',
    tree: 'location ~ "^/(\\d{3})$" {}',
  },
  {
    name: 'a template placeholder as an argument',
    text: 'ssl_certificate {{CERT}};\nlisten 443;',
    tree: 'ssl_certificate {{CERT}}; listen 443;',
  },
  {
    name: 'envsubst-style placeholders are ordinary words',
    text: 'listen ${NGINX_PORT};\nproxy_pass http://${HOST}:${PORT};',
    tree: 'listen ${NGINX_PORT}; proxy_pass http://${HOST}:${PORT};',
  },
  {
    name: 'a Lua block body is kept raw',
    text: 'location / {\n  content_by_lua_block {\n    ngx.say("}")\n  }\n  return 200;\n}',
    tree: 'location / {content_by_lua_block {=\n    ngx.say("}")\n  =} return 200;}',
  },
  {
    name: 'a Lua block with arguments before its body',
    text: 'set_by_lua_block $x { return ngx.var.a .. "{" }\nset $y 1;',
    tree: 'set_by_lua_block $x {= return ngx.var.a .. "{" =} set $y 1;',
  },
];

for (const { name, text, tree } of TREES) {
  test(`parser tree: ${name}`, () => {
    const parsed = parse(text);
    assert.deepEqual(
      parsed.errors.filter((error) => error.code !== 'template-placeholder'),
      [],
    );
    assert.equal(renderTree(parsed.directives), tree);
    assert.deepEqual(rangeViolations(parsed), []);
  });
}

test('parser: argument values are unquoted and unescaped, raw keeps the text', () => {
  const parsed = parse('add_header X-A "a \\"b\\"" \'c\\\'d\' e\\tf;');
  const args = findDirective(parsed, 'add_header').args;
  assert.deepEqual(
    args.map((arg) => [arg.raw, arg.value, arg.quote]),
    [
      ['X-A', 'X-A', null],
      ['"a \\"b\\""', 'a "b"', '"'],
      ["'c\\'d'", "c'd", "'"],
      ['e\\tf', 'e\tf', null],
    ],
  );
});

test('parser: if conditions are words as nginx splits them', () => {
  const parsed = parse('if ($a = "b") { }\nif ($http_x ~* "^(a|b)$") { }\nif (-d $p) { }');
  assert.deepEqual(
    parsed.directives.map((directive) => directive.args.map((arg) => arg.value)),
    [
      ['($a', '=', 'b', ')'],
      ['($http_x', '~*', '^(a|b)$', ')'],
      ['(-d', '$p)'],
    ],
  );
});

test('parser: comments are kept with their text and ranges', () => {
  const text = '# first\nlisten 80; # after\n  # indented\nserver_name a#b; #x';
  const parsed = parse(text);
  assert.deepEqual(
    parsed.comments.map((comment) => [comment.text, rangeTuple(comment.range)]),
    [
      [' first', [0, 0, 0, 7]],
      [' after', [1, 11, 1, 18]],
      [' indented', [2, 2, 2, 12]],
      ['x', [3, 17, 3, 19]],
    ],
  );
  assert.equal(findDirective(parsed, 'server_name').args[0]?.value, 'a#b');
});

test('parser: exact ranges of name, arguments, ";", "{" and "}"', () => {
  const text = 'http {\n    proxy_set_header Upgrade $http_upgrade;\n    server { listen 80; }\n}\n';
  const parsed = parse(text);
  const header = findDirective(parsed, 'proxy_set_header');
  assert.deepEqual(rangeTuple(header.nameWord.range), [1, 4, 1, 20]);
  assert.deepEqual(
    header.args.map((arg) => rangeTuple(arg.range)),
    [
      [1, 21, 1, 28],
      [1, 29, 1, 42],
    ],
  );
  assert.deepEqual(rangeTuple(header.semicolonRange!), [1, 42, 1, 43]);
  assert.deepEqual(rangeTuple(header.range), [1, 4, 1, 43]);
  const http = findDirective(parsed, 'http');
  assert.deepEqual(rangeTuple(http.block!.openRange), [0, 5, 0, 6]);
  assert.deepEqual(rangeTuple(http.block!.closeRange!), [3, 0, 3, 1]);
  assert.deepEqual(rangeTuple(http.range), [0, 0, 3, 1]);
  assert.equal(http.semicolonRange, undefined);
  const server = findDirective(parsed, 'server');
  assert.deepEqual(rangeTuple(server.range), [2, 4, 2, 25]);
  assert.equal(findDirective(parsed, 'listen').parent, server);
  assert.equal(server.parent, http);
});

test('parser: offsets agree with ranges', () => {
  const text = 'a  "b c"   d;';
  const directive = parse(text).directives[0]!;
  assert.deepEqual(
    [directive.nameWord, ...directive.args].map((word) => [
      word.offset,
      word.endOffset,
      text.slice(word.offset, word.endOffset),
    ]),
    [
      [0, 1, 'a'],
      [3, 8, '"b c"'],
      [11, 12, 'd'],
    ],
  );
  assert.equal(directive.offset, 0);
  assert.equal(directive.endOffset, text.length);
  assert.equal(directive.semicolonOffset, 12);
});

test('parser: CRLF files keep exact ranges and report their line ending', () => {
  const text = 'http {\r\n  server {\r\n    listen 80;\r\n  }\r\n}\r\n';
  const parsed = parse(text);
  assert.equal(parsed.lineEnding, '\r\n');
  const listen = findDirective(parsed, 'listen');
  assert.deepEqual(rangeTuple(listen.range), [2, 4, 2, 14]);
  assert.deepEqual(rangeTuple(findDirective(parsed, 'http').block!.closeRange!), [4, 0, 4, 1]);
  assert.deepEqual(rangeViolations(parsed), []);
  assert.equal(parse('a;\nb;\n').lineEnding, '\n');
});

test('parser: a CRLF inside a quoted string is part of the string', () => {
  const parsed = parse('a "x\r\ny";\r\nb;');
  assert.equal(parsed.directives[0]!.args[0]!.value, 'x\r\ny');
  assert.deepEqual(rangeTuple(parsed.directives[1]!.range), [2, 0, 2, 2]);
});

test('parser: a tab counts as one character', () => {
  const parsed = parse('server {\n\tlisten\t\t80;\n}');
  const listen = findDirective(parsed, 'listen');
  assert.deepEqual(rangeTuple(listen.nameWord.range), [1, 1, 1, 7]);
  assert.deepEqual(rangeTuple(listen.args[0]!.range), [1, 9, 1, 11]);
});

test('parser: non-ASCII text is measured in UTF-16 code units', () => {
  // "😀" is one code point but two UTF-16 code units; "é" is one unit.
  const text = '# café 😀\nadd_header X "😀"; proxy_pass http://é;  # 😀 end\nlisten 80;';
  const parsed = parse(text);
  assert.deepEqual(rangeTuple(parsed.comments[0]!.range), [0, 0, 0, 9]);
  const header = findDirective(parsed, 'add_header');
  assert.deepEqual(rangeTuple(header.args[1]!.range), [1, 13, 1, 17]);
  const proxyPass = findDirective(parsed, 'proxy_pass');
  assert.deepEqual(rangeTuple(proxyPass.nameWord.range), [1, 19, 1, 29]);
  assert.deepEqual(rangeTuple(proxyPass.args[0]!.range), [1, 30, 1, 38]);
  assert.deepEqual(rangeTuple(parsed.comments[1]!.range), [1, 41, 1, 49]);
  assert.deepEqual(rangeTuple(findDirective(parsed, 'listen').range), [2, 0, 2, 10]);
  assert.deepEqual(rangeViolations(parsed), []);
});

test('parser: a Lua body with every kind of brace-holding Lua syntax', () => {
  const body = [
    '',
    '    local t = { a = { 1 } }',
    '    local s1 = "}" .. \'{\' .. "\\"}"',
    '    local s2 = [[ } ]] .. [==[ ]] } ]==]',
    '    -- a } in a line comment',
    '    --[[ a } in a',
    '         block comment ]]',
    '    --[=[ ]] } ]=]',
    '    ngx.say(t, s1, s2)',
    '  ',
  ].join('\n');
  const text = `location /lua {\n  content_by_lua_block {${body}}\n  access_log off;\n}\n`;
  const parsed = parse(text);
  assert.deepEqual(parsed.errors, []);
  const lua = findDirective(parsed, 'content_by_lua_block');
  assert.equal(lua.block!.rawBody!.text, body);
  assert.deepEqual(lua.block!.children, []);
  assert.equal(textAt(text, lua.block!.closeRange!), '}');
  assert.deepEqual(rangeTuple(lua.block!.closeRange!), [10, 2, 10, 3]);
  assert.equal(findDirective(parsed, 'access_log').parent, findDirective(parsed, 'location'));
  assert.deepEqual(rangeViolations(parsed), []);
});

test('parser: every *_by_lua_block is read raw', () => {
  for (const name of [
    'init_by_lua_block',
    'access_by_lua_block',
    'rewrite_by_lua_block',
    'header_filter_by_lua_block',
    'balancer_by_lua_block',
    'ssl_certificate_by_lua_block',
  ]) {
    const parsed = parse(`${name} { if x then y = "}" end }\nnext_one;`);
    assert.deepEqual(parsed.errors, [], name);
    assert.equal(parsed.directives[0]!.block!.rawBody!.text, ' if x then y = "}" end ', name);
    assert.equal(parsed.directives[1]!.name, 'next_one', name);
  }
});

test('parser: a block that is not Lua has no raw body', () => {
  assert.equal(parse('location / { }').directives[0]!.block!.rawBody, undefined);
});

test('parser: a template placeholder is one argument and the rest of the file keeps its shape', () => {
  const text = 'server {\n  ssl_certificate {{SSL_CERTIFICATE_PATH}};\n  root {{ROOT}}/html;\n  listen 443;\n}';
  const parsed = parse(text);
  assert.equal(
    renderTree(parsed.directives),
    'server {ssl_certificate {{SSL_CERTIFICATE_PATH}}; root {{ROOT}}/html; listen 443;}',
  );
  assert.deepEqual(
    parsed.errors.map((error) => [error.code, rangeTuple(error.range), error.nginxLine]),
    [
      ['template-placeholder', [1, 18, 1, 42], 1],
      ['template-placeholder', [2, 7, 2, 20], 2],
    ],
  );
});

test('parser: an empty file and a file of comments parse to nothing', () => {
  for (const text of ['', '\n\n', '# only a comment', '   \t\r\n']) {
    const parsed = parse(text);
    assert.deepEqual(parsed.directives, []);
    assert.deepEqual(parsed.errors, []);
  }
});

test('parser: the file name is kept', () => {
  assert.equal(parse('a;', '/etc/nginx/nginx.conf').file, '/etc/nginx/nginx.conf');
});

test('parser fixture lua-blocks.conf: Lua bodies raw, directives after them in place', () => {
  const text = readFileSync(fixturePath('parser', 'lua-blocks.conf'), 'utf8');
  const parsed = parse(text);
  assert.deepEqual(parsed.errors, []);
  assert.deepEqual(rangeViolations(parsed), []);
  const access = findDirective(parsed, 'access_by_lua_block');
  assert.match(access.block!.rawBody!.text, /^\n\s+-- a \} in a comment\n[\s\S]*two lines \{ \]\]\n\s+$/);
  assert.deepEqual(ancestry(findDirective(parsed, 'proxy_set_header')), ['http', 'server', 'location /lua']);
  assert.equal(findDirective(parsed, 'set_by_lua_block').block!.rawBody!.text, ' return tostring(21 * 2) ');
  assert.deepEqual(ancestry(findDirective(parsed, 'return')), ['http', 'server', 'location /after']);
});

test('parser fixture templated.conf: placeholders and "..." lines are reported, the rest keeps its shape', () => {
  const text = readFileSync(fixturePath('parser', 'templated.conf'), 'utf8');
  const parsed = parse(text);
  assert.equal(
    renderTree(parsed.directives),
    'server {listen ${NGINX_PORT}; server_name <your-domain>; ssl_certificate {{SSL_CERTIFICATE_PATH}}; ...; location / {proxy_pass http://${APP_HOST}:${APP_PORT};} ...;}',
  );
  assert.deepEqual(
    parsed.errors.map((error) => [error.code, error.range.start.line, error.nginxLine]),
    [
      ['template-placeholder', 5, 5],
      ['missing-semicolon', 6, 7],
      ['missing-semicolon', 10, 11],
    ],
  );
});

test(
  'parser: a continuation line at the same indentation that looks like a directive',
  { todo: 'the missing-";" heuristic reports it; nginx accepts it (rare in real configs)' },
  () => {
    const parsed = parse('location / {\n    proxy_set_header Connection\n    upgrade;\n}\n');
    assert.deepEqual(parsed.errors, []);
  },
);
