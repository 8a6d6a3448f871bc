// The tokenizer against nginx's own (ngx_conf_read_token in src/core/ngx_conf_file.c): what is a
// word, where a quoted string may start and end, when `#` is a comment, what `{` and `}` do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lexer, TokenKind, unescapeNginx, type LexProblem } from '../../server/src/core/parser/lexer';

const KIND_NAMES: Record<TokenKind, string> = {
  [TokenKind.EOF]: 'eof',
  [TokenKind.Word]: 'word',
  [TokenKind.Semicolon]: ';',
  [TokenKind.Open]: '{',
  [TokenKind.Close]: '}',
  [TokenKind.Comment]: 'comment',
};

/** Every token as `kind` (for punctuation) or `kind:raw=>value` (for words and comments). */
function tokens(text: string): { tokens: string[]; problems: LexProblem[] } {
  const lexer = new Lexer(text);
  const out: string[] = [];
  for (let kind = lexer.scan(); kind !== TokenKind.EOF; kind = lexer.scan()) {
    const raw = text.slice(lexer.tokenStart, lexer.tokenEnd);
    if (kind === TokenKind.Word || kind === TokenKind.Comment) {
      const value = lexer.tokenValue();
      out.push(value === raw ? `${KIND_NAMES[kind]}:${raw}` : `${KIND_NAMES[kind]}:${raw}=>${value}`);
    } else {
      out.push(KIND_NAMES[kind]);
    }
  }
  return { tokens: out, problems: lexer.problems };
}

const CASES: { name: string; text: string; tokens: string[] }[] = [
  { name: 'plain words and a semicolon', text: 'listen 80;', tokens: ['word:listen', 'word:80', ';'] },
  {
    name: 'tabs and newlines separate words',
    text: 'a\tb\nc\r\nd;',
    tokens: ['word:a', 'word:b', 'word:c', 'word:d', ';'],
  },
  { name: 'a semicolon ends a word without a space', text: 'a b;c;', tokens: ['word:a', 'word:b', ';', 'word:c', ';'] },
  { name: '"{" ends a word', text: 'server{', tokens: ['word:server', '{'] },
  { name: '"}" does not end a word: "foo}" is one word, as in nginx', text: 'foo} }', tokens: ['word:foo}', '}'] },
  { name: '"}" at the start of a token is a close brace', text: '}foo', tokens: ['}', 'word:foo'] },
  { name: '"${var}" keeps its braces inside the word', text: 'x ${host}z;', tokens: ['word:x', 'word:${host}z', ';'] },
  {
    name: '"$var" is an ordinary word',
    text: 'proxy_set_header Upgrade $http_upgrade;',
    tokens: ['word:proxy_set_header', 'word:Upgrade', 'word:$http_upgrade', ';'],
  },
  { name: '"{" not right after "$" ends the word', text: 'a{b', tokens: ['word:a', '{', 'word:b'] },
  { name: 'a double-quoted string', text: 'a "b c";', tokens: ['word:a', 'word:"b c"=>b c', ';'] },
  { name: 'a single-quoted string', text: "a 'b c';", tokens: ['word:a', "word:'b c'=>b c", ';'] },
  {
    name: 'escaped quotes inside quotes',
    text: 'a "x\\"y" \'p\\\'q\';',
    tokens: ['word:a', 'word:"x\\"y"=>x"y', "word:'p\\'q'=>p'q", ';'],
  },
  {
    name: 'escapes nginx translates: \\t \\r \\n \\\\',
    text: 'a "1\\t2\\r3\\n4\\\\5";',
    tokens: ['word:a', 'word:"1\\t2\\r3\\n4\\\\5"=>1\t2\r3\n4\\5', ';'],
  },
  { name: 'other escapes keep their backslash', text: 'a "\\d\\.";', tokens: ['word:a', 'word:"\\d\\."=>\\d\\.', ';'] },
  {
    name: 'a backslash-escaped space stays in an unquoted word',
    text: 'a b\\ c;',
    tokens: ['word:a', 'word:b\\ c', ';'],
  },
  {
    name: 'a backslash-escaped ";" stays in an unquoted word',
    text: 'a b\\;c;',
    tokens: ['word:a', 'word:b\\;c', ';'],
  },
  { name: 'a quote inside a word is just a character', text: 'a b"c"d;', tokens: ['word:a', 'word:b"c"d', ';'] },
  {
    name: 'quotes hold ";", "{", "}" and "#"',
    text: 'a "; { } #";',
    tokens: ['word:a', 'word:"; { } #"=>; { } #', ';'],
  },
  { name: 'an empty string', text: 'a "";', tokens: ['word:a', 'word:""=>', ';'] },
  { name: 'a string spanning lines', text: 'a "x\ny";', tokens: ['word:a', 'word:"x\ny"=>x\ny', ';'] },
  {
    name: 'a comment runs to the end of the line',
    text: '# hello { ; }\na;',
    tokens: ['comment:# hello { ; }=> hello { ; }', 'word:a', ';'],
  },
  {
    name: '"#" inside a word is not a comment: "a#b" is one word',
    text: 'a#b c;',
    tokens: ['word:a#b', 'word:c', ';'],
  },
  { name: 'a comment after a statement', text: 'a; # done', tokens: ['word:a', ';', 'comment:# done=> done'] },
  {
    name: 'a comment between arguments',
    text: 'a # note\n  b;',
    tokens: ['word:a', 'comment:# note=> note', 'word:b', ';'],
  },
  { name: 'a comment ends at CR LF', text: '#x\r\ny;', tokens: ['comment:#x=>x', 'word:y', ';'] },
  {
    name: 'an if condition with parentheses',
    text: 'if ($a = "b") {',
    tokens: ['word:if', 'word:($a', 'word:=', 'word:"b"=>b', 'word:)', '{'],
  },
  {
    name: 'a quoted string may be followed by ")" (nginx allows it for if)',
    text: 'if ($a ~ "x")',
    tokens: ['word:if', 'word:($a', 'word:~', 'word:"x"=>x', 'word:)'],
  },
  {
    name: 'a template placeholder is one word',
    text: 'ssl_certificate {{CERT_PATH}};',
    tokens: ['word:ssl_certificate', 'word:{{CERT_PATH}}', ';'],
  },
  {
    name: 'a placeholder glued to more text is one word',
    text: 'root {{ROOT}}/html;',
    tokens: ['word:root', 'word:{{ROOT}}/html', ';'],
  },
  { name: '"{{" with no "}}" on its line is two braces', text: 'a {{\n}}', tokens: ['word:a', '{', '{', '}', '}'] },
  {
    name: 'non-ASCII words',
    text: 'add_header X-Name "héllo 😀";',
    tokens: ['word:add_header', 'word:X-Name', 'word:"héllo 😀"=>héllo 😀', ';'],
  },
];

for (const { name, text, tokens: expected } of CASES) {
  test(`lexer: ${name}`, () => {
    assert.deepEqual(tokens(text).tokens, expected);
  });
}

test('lexer: token offsets are UTF-16 offsets into the text', () => {
  const text = '# 😀\nab "c" ;';
  const lexer = new Lexer(text);
  const spans: [number, number][] = [];
  for (let kind = lexer.scan(); kind !== TokenKind.EOF; kind = lexer.scan())
    spans.push([lexer.tokenStart, lexer.tokenEnd]);
  // "😀" is two UTF-16 code units: the comment is 4 units long, the next line starts at 5.
  assert.deepEqual(spans, [
    [0, 4],
    [5, 7],
    [8, 11],
    [12, 13],
  ]);
});

test('lexer: tokenStartsLine and tokenIndent describe the token line', () => {
  const lexer = new Lexer('a b;\n\t  c;');
  const seen: [string, boolean, number][] = [];
  for (let kind = lexer.scan(); kind !== TokenKind.EOF; kind = lexer.scan()) {
    if (kind === TokenKind.Word) seen.push([lexer.tokenValue(), lexer.tokenStartsLine, lexer.tokenIndent]);
  }
  assert.deepEqual(seen, [
    ['a', true, 0],
    ['b', false, 2],
    ['c', true, 3],
  ]);
});

const PROBLEMS: { name: string; text: string; problems: Pick<LexProblem, 'kind' | 'offset' | 'end'>[] }[] = [
  {
    name: 'an unterminated double quote ends at its line for recovery',
    text: 'a "bc;\nd;',
    problems: [{ kind: 'unterminated-string', offset: 2, end: 6 }],
  },
  {
    name: 'an unterminated single quote at the end of the file',
    text: "a 'bc",
    problems: [{ kind: 'unterminated-string', offset: 2, end: 5 }],
  },
  {
    name: 'a character glued after a closing quote',
    text: 'a "b"c;',
    problems: [{ kind: 'unexpected-character', offset: 5, end: 6 }],
  },
  {
    name: 'a quote glued after a closing quote',
    text: 'a "b""c";',
    problems: [{ kind: 'unexpected-character', offset: 5, end: 6 }],
  },
  { name: '";" "{" ")" after a closing quote are fine', text: 'a "b"; c "d"{ } if ("e")', problems: [] },
  { name: 'whitespace after a closing quote is fine', text: 'a "b"\tc;', problems: [] },
  { name: 'a template placeholder', text: 'x {{Y}};', problems: [{ kind: 'template-placeholder', offset: 2, end: 7 }] },
];

for (const { name, text, problems } of PROBLEMS) {
  test(`lexer problem: ${name}`, () => {
    const found = tokens(text).problems.map(({ kind, offset, end }) => ({ kind, offset, end }));
    assert.deepEqual(found, problems);
  });
}

test('lexer: an unterminated string still yields its word and lets the next line be read', () => {
  assert.deepEqual(tokens('a "bc;\nd;').tokens, ['word:a', 'word:"bc;=>bc;', 'word:d', ';']);
});

const UNESCAPE: [string, string][] = [
  ['plain', 'plain'],
  ['a\\"b', 'a"b'],
  ["a\\'b", "a'b"],
  ['a\\\\b', 'a\\b'],
  ['\\t\\r\\n', '\t\r\n'],
  ['\\d+\\.', '\\d+\\.'],
  ['trailing\\', 'trailing\\'],
];

for (const [raw, value] of UNESCAPE) {
  test(`unescapeNginx(${JSON.stringify(raw)})`, () => {
    assert.equal(unescapeNginx(raw), value);
  });
}

const LUA: { name: string; body: string }[] = [
  { name: 'nested braces', body: ' local t = { a = { 1 } } ' },
  { name: 'braces in double-quoted strings', body: ' ngx.say("}") ' },
  { name: 'braces in single-quoted strings with escaped quotes', body: " ngx.say('\\'}') " },
  { name: 'a long string', body: ' local s = [[ } ]] ' },
  { name: 'a leveled long string holding "]]"', body: ' local s = [==[ ]] } ]==] ' },
  { name: 'a line comment', body: ' -- } not code\n x = 1\n' },
  { name: 'a block comment', body: ' --[[ } ]] x = 1 ' },
  { name: 'a leveled block comment', body: ' --[=[ ]] } ]=] x = 1 ' },
];

for (const { name, body } of LUA) {
  test(`lexer Lua body: ${name}`, () => {
    const text = `content_by_lua_block {${body}} next;`;
    const lexer = new Lexer(text);
    assert.equal(lexer.scan(), TokenKind.Word);
    assert.equal(lexer.scan(), TokenKind.Open);
    const close = lexer.readLuaBody();
    assert.equal(close, text.indexOf(`{${body}}`) + body.length + 1);
    assert.equal(lexer.scan(), TokenKind.Close);
    assert.equal(lexer.scan(), TokenKind.Word);
    assert.equal(lexer.tokenValue(), 'next');
  });
}

test('lexer Lua body: an unterminated body runs to the end of the file', () => {
  const lexer = new Lexer('content_by_lua_block { local s = "}" ');
  lexer.scan();
  lexer.scan();
  assert.equal(lexer.readLuaBody(), -1);
  assert.equal(lexer.scan(), TokenKind.EOF);
});
