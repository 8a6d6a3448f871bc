// The parse after a typing edit made from the parse before it (parser/reparse.ts) must be the
// parse of the new text: the same records, words, comments, errors and line index as `parse` gives,
// on real configs edited at random (seeded). Where it is not certain it declines, and the caller
// parses; the test counts both, so that it cannot pass by declining everything.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ParseCache } from '../../server/src/core/model/tree';
import type { ParsedFile } from '../../server/src/core/parser/ast';
import { parse } from '../../server/src/core/parser/parser';
import { Field, type ParsedFileImpl } from '../../server/src/core/parser/records';
import { differingRange, reparseAfterWordEdit, reparseBlockBody } from '../../server/src/core/parser/reparse';
import { generateConfig } from '../../bench/lsp-generate';
import { confFilesDeep, corpusDir, corpusSkipReason, fixturesDir } from '../helpers/paths';
import { addOrRemoveStatement } from '../helpers/edits';
import { pick, randomInt, seededRandom } from '../helpers/random';

/** Everything a parse holds, as plain data. */
function dump(parsed: ParsedFile) {
  const impl = parsed as ParsedFileImpl;
  const syntax = impl.syntax;
  const records: (string | number)[][] = [];
  for (let index = 0; index < syntax.count; index++) {
    const row: (string | number)[] = [syntax.name(index)];
    for (let field = 0; field < Field.Stride; field++) if (field !== Field.Name) row.push(syntax.get(index, field));
    records.push(row);
  }
  return {
    text: parsed.text,
    records,
    firstTopLevel: syntax.firstTopLevel,
    words: Array.from(syntax.words.cells.slice(0, syntax.words.count * 3)),
    values: Array.from({ length: syntax.words.count }, (_, index) => syntax.words.value(index)),
    rawBodies: [...syntax.rawBodies],
    comments: parsed.comments.map((comment) => [comment.offset, comment.endOffset, comment.text, comment.range]),
    errors: parsed.errors,
    lineStarts: Array.from(parsed.source.lineStarts),
    lineEnding: parsed.lineEnding,
  };
}

/** Typing: what a keystroke or a paste does to a word. Some of these keep one plain word, some do not. */
const INSERTS = [
  '1',
  'x',
  '_',
  '-',
  '.',
  '/',
  '$',
  ':',
  '=',
  '~',
  '(',
  ')',
  '😀',
  'é',
  ' ',
  ';',
  '{',
  '}',
  '#',
  '"',
  "'",
  '\\',
  '\n',
  '\t',
];

function randomEdit(random: () => number, text: string, start: number, end: number): string {
  const at = start + randomInt(random, end - start + 1);
  switch (randomInt(random, 4)) {
    case 0:
      return text.slice(0, at) + pick(random, INSERTS) + text.slice(at);
    case 1:
      return at < end ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + 'z' + text.slice(at);
    case 2:
      return (
        text.slice(0, start) + pick(random, ['3601s', 'upgrade', '$http_upgrade', 'close', '1.0', '']) + text.slice(end)
      );
    default:
      return text.slice(0, at) + pick(random, INSERTS) + pick(random, INSERTS) + text.slice(at);
  }
}

function texts(): { name: string; text: string }[] {
  const files = corpusSkipReason() ? [] : confFilesDeep(corpusDir);
  const found = [...files, ...confFilesDeep(fixturesDir)].map((file) => ({
    name: file,
    text: readFileSync(file, 'utf8'),
  }));
  const generated = generateConfig(40).text;
  found.push(
    { name: 'generated', text: generated },
    { name: 'generated, CRLF', text: generated.replace(/\n/g, '\r\n') },
  );
  return found;
}

/**
 * Random edits (one per `edit` call, 0 to `perFile`) of every text that parses without error:
 * where `reparse` makes a parse, it must be parse()'s. Returns how many it made, and declined.
 */
function reuseOverTexts(
  reparse: (previous: ParsedFile, text: string) => ParsedFile | undefined,
  seed: number,
  perFile: number,
  edit: (random: () => number, before: ParsedFileImpl, n: number) => { text: string; what: string },
): { reused: number; declined: number } {
  const random = seededRandom(seed);
  let reused = 0;
  let declined = 0;
  for (const { name, text } of texts()) {
    const before = parse(text, name) as ParsedFileImpl;
    if (before.errors.length || !before.syntax.count) continue;
    for (let n = 0; n < perFile; n++) {
      const after = edit(random, before, n);
      // Half the time with the line index already built, as the server has it.
      const previous = n % 2 ? (parse(text, name) as ParsedFileImpl) : before;
      if (n % 2) void previous.source.lineStarts;
      const fast = reparse(previous, after.text);
      if (!fast) {
        declined++;
        continue;
      }
      reused++;
      assert.deepEqual(dump(fast), dump(parse(after.text, name)), `${name}: ${after.what}`);
    }
  }
  return { reused, declined };
}

test('reparseAfterWordEdit gives what parse gives, or declines', () => {
  const { reused, declined } = reuseOverTexts(reparseAfterWordEdit, 0x7e9a, 40, (random, before) => {
    const words = before.syntax.words;
    const word = randomInt(random, words.count);
    const start = words.cells[word * 3] as number;
    const end = words.cells[word * 3 + 1] as number;
    return {
      text: randomEdit(random, before.text, start, end),
      what: `word ${word} "${before.text.slice(start, end)}" edited`,
    };
  });
  assert.ok(reused >= 500, `the parse was reused for only ${reused} edits (${declined} declined)`);
  assert.ok(declined >= 500, `only ${declined} edits declined (${reused} reused)`);
});

/** Each [from, to] replacement of `before`'s text is declined by `reparse`. */
function assertDeclines(
  reparse: (previous: ParsedFile, text: string) => ParsedFile | undefined,
  before: ParsedFile,
  cases: readonly [string, string][],
): void {
  for (const [from, to] of cases) assert.equal(reparse(before, before.text.replace(from, to)), undefined, to);
}

test('reparseAfterWordEdit declines where a word could become something else', () => {
  const text = 'http {\n    proxy_read_timeout 3600s;\n    server {\n        listen 80; # port\n    }\n}\n';
  const before = parse(text, 'x.conf');
  const cases: [string, string][] = [
    ['proxy_read_timeout 3600s;', 'proxy_read_timeout 36 00s;'],
    ['proxy_read_timeout 3600s;', 'proxy_read_timeout 3600s";'],
    ['proxy_read_timeout 3600s;', 'proxy_read_timeou 3600s;'],
    ['proxy_read_timeout 3600s;', 'proxy_read_timeout 3600s{;'],
    ['listen 80; # port', 'listen 80; # ports'],
    ['listen 80;', 'listen 80\n;'],
  ];
  assertDeclines(reparseAfterWordEdit, before, cases);
  const after = text.replace('3600s', '3601s');
  assert.deepEqual(dump(reparseAfterWordEdit(before, after) as ParsedFile), dump(parse(after, 'x.conf')));
  // A word that starts its line: there the parser asks whether it looks like a directive (then
  // the statement before it lacks its ";"). "1" does not; "a1" would.
  const continued = 'http {\n    add_header X-Id\n    1;\n}\n';
  assert.deepEqual(parse(continued).errors, []);
  assert.notDeepEqual(parse(continued.replace('1;', 'a1;')).errors, []);
  assert.equal(reparseAfterWordEdit(parse(continued), continued.replace('1;', 'a1;')), undefined);
});

test('differingRange finds the edit, chunks and all', () => {
  const base = 'a'.repeat(10_000) + 'b' + 'c'.repeat(10_000);
  assert.deepEqual(differingRange(base, base.replace('b', 'xyz')), { start: 10_000, oldEnd: 10_001, newEnd: 10_003 });
  assert.deepEqual(differingRange(base, base.replace('b', '')), { start: 10_000, oldEnd: 10_001, newEnd: 10_000 });
  assert.deepEqual(differingRange('abc', 'abc'), { start: 3, oldEnd: 3, newEnd: 3 });
  assert.deepEqual(differingRange('aaaa', 'aaaaa'), { start: 4, oldEnd: 4, newEnd: 5 });
});

test('ParseCache: the next text after a typing edit parses as parse would', () => {
  const cache = new ParseCache();
  const { text } = generateConfig(20);
  cache.get('/x/nginx.conf', text);
  const after = text.replace('3600s', '3601s');
  assert.deepEqual(dump(cache.get('/x/nginx.conf', after)), dump(parse(after, '/x/nginx.conf')));
});

/** Lines a user adds inside a block; some leave it unbalanced or unterminated. */
const STATEMENTS = [
  '\n    add_header X-Added yes;',
  '\n    proxy_set_header Connection "upgrade";',
  '\n    location /added/ {\n        proxy_pass http://app;\n    }',
  '\n    if ($http_upgrade) { return 426; }',
  '\n    # a comment',
  '\n    content_by_lua_block { ngx.say("}") }',
  '\n    proxy_read_timeout',
  '\n    location /open/ {',
  '\n    }',
  ' }',
  '\n',
  '',
];

test('reparseBlockBody gives what parse gives, or declines', () => {
  const { reused, declined } = reuseOverTexts(reparseBlockBody, 0xb10c, 30, (random, before, n) => {
    // At the end of a random directive, or in place of it: a statement added, or one taken away.
    const { text, record } = addOrRemoveStatement(random, before, n, STATEMENTS);
    return { text, what: `after record ${record} (${before.syntax.name(record)})` };
  });
  assert.ok(reused >= 300, `the parse was reused for only ${reused} edits (${declined} declined)`);
  assert.ok(declined >= 100, `only ${declined} edits declined (${reused} reused)`);
});

test('reparseBlockBody declines where the new body would read otherwise in the whole text', () => {
  const text = 'events {\n    worker_connections 16;\n}\nhttp {\n    server {\n        listen 80;\n    }\n}\n';
  const before = parse(text, 'x.conf');
  const cases: [string, string][] = [
    // A comment that reaches the "}" runs on over it.
    ['listen 80;\n    }', 'listen 80; # port }'],
    // A word that reaches it takes it in: "80}".
    ['listen 80;\n    }', 'listen 80;\n    listen 81}'],
    // A block left open, a "}" too many, a missing ";".
    ['listen 80;', 'listen 80; location / {'],
    ['listen 80;', 'listen 80; }'],
    ['listen 80;', 'listen 80'],
  ];
  assertDeclines(reparseBlockBody, before, cases);
  const after = text.replace(
    'listen 80;',
    'listen 80;\n        location /ws/ {\n            proxy_pass http://127.0.0.1:1;\n        }',
  );
  assert.deepEqual(dump(reparseBlockBody(before, after) as ParsedFile), dump(parse(after, 'x.conf')));
});
