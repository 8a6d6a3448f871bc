// The formatter (server/src/core/format): table-driven fixtures in test/fixtures/format/
// (`name.conf` formats to `name.expected.conf`), and two properties over the fixtures and the
// shared corpus: formatting never changes what nginx parses (the same directive, argument and
// block sequence), and formatting twice gives what formatting once gave.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { formatEdits, formatFile, type FormatEdit, type FormatOptions } from '../../server/src/core/format/format';
import type { Directive } from '../../server/src/core/parser/ast';
import { parse } from '../../server/src/core/parser/parser';
import { confFilesDeep, corpusDir, corpusSkipReason, fixturePath, fixturesDir } from '../helpers/paths';

const DIR = fixturePath('format');
const DEFAULT: FormatOptions = { tabSize: 4, insertSpaces: true };
const optionsByFile = JSON.parse(readFileSync(path.join(DIR, 'options.json'), 'utf8')) as Record<string, FormatOptions>;

function format(text: string, options = DEFAULT): string {
  const result = formatFile(parse(text), options);
  if (!result.ok) throw new Error(`not formatted: ${result.reason}`);
  return result.text;
}

/** What nginx sees: names, argument values, nesting and raw bodies, without positions. */
function shape(directives: readonly Directive[]): unknown[] {
  return directives.map((d) => [
    d.name,
    d.args.map((a) => a.value),
    d.block ? (d.block.rawBody ? ['raw', d.block.rawBody.text] : shape(d.block.children)) : null,
  ]);
}

describe('formatter fixtures', () => {
  for (const name of readdirSync(DIR).filter((f) => f.endsWith('.conf') && !f.endsWith('.expected.conf'))) {
    it(name, () => {
      const input = readFileSync(path.join(DIR, name), 'utf8');
      const expected = readFileSync(path.join(DIR, name.replace(/\.conf$/, '.expected.conf')), 'utf8');
      assert.equal(format(input, optionsByFile[name] ?? DEFAULT), expected);
    });
  }

  it('refuses a file with a syntax error instead of guessing its structure', () => {
    const result = formatFile(parse('http {\n  server { listen 80\n}\n'), DEFAULT);
    assert.equal(result.ok, false);
  });

  it('refuses a comment inside a directive rather than moving it', () => {
    const result = formatFile(parse('proxy_pass # why\n  http://a;\n'), DEFAULT);
    assert.deepEqual(result.ok ? 'formatted' : /inside the "proxy_pass"/.test(result.reason), true);
  });

  it('keeps CRLF line endings', () => {
    assert.equal(format('http {\r\nserver {}\r\n}\r\n'), 'http {\r\n    server {\r\n    }\r\n}\r\n');
  });
});

function roundTrip(file: string): void {
  const text = readFileSync(file, 'utf8');
  const before = parse(text, file);
  const result = formatFile(before, DEFAULT);
  if (!result.ok) return; // refused (syntax errors or inner comments): nothing changed, nothing to check
  const after = parse(result.text, file);
  assert.deepEqual(after.errors, [], `${file}: formatting introduced syntax errors`);
  assert.deepEqual(shape(after.directives), shape(before.directives), `${file}: parse changed`);
  assert.deepEqual(
    after.comments.map((c) => c.text.trimEnd()),
    before.comments.filter((c) => !insideRaw(before.directives, c.offset)).map((c) => c.text.trimEnd()),
    `${file}: comments changed`,
  );
  assert.equal(format(result.text), result.text, `${file}: not idempotent`);
  // The minimal edits make the same text as the whole-file format.
  const edits = formatEdits(before, DEFAULT);
  assert.ok(edits.ok);
  assert.equal(applyEdits(text, edits.edits), result.text, `${file}: edits differ from the formatted text`);
}

/** Applies non-overlapping edits (in order of their offsets), as an editor does. */
function applyEdits(text: string, edits: readonly FormatEdit[]): string {
  let out = '';
  let at = 0;
  for (const edit of edits) {
    assert.ok(edit.start >= at, 'edits are ordered and do not overlap');
    out += text.slice(at, edit.start) + edit.newText;
    at = edit.end;
  }
  return out + text.slice(at);
}

/** Offset of the start of 0-based line `line`. */
function lineStart(text: string, line: number): number {
  let offset = 0;
  for (let i = 0; i < line; i++) offset = text.indexOf('\n', offset) + 1;
  return offset;
}

function insideRaw(directives: readonly Directive[], offset: number): boolean {
  for (const d of directives) {
    const block = d.block;
    if (!block || offset < d.offset || offset > block.closeOffset) continue;
    if (block.rawBody) return true;
    return insideRaw(block.children, offset);
  }
  return false;
}

describe('range formatting (Format Selection)', () => {
  const MESSY = 'http {\nserver {\n  listen 80;   server_name  a;\nlocation / {\nproxy_pass http://b;\n}\n}\n}\n';

  it('changes only the lines in the range, and the whole range gives the whole format', () => {
    // Lines 3-5: the location block. Its lines get their depth; the server's lines stay as written.
    const span = { start: lineStart(MESSY, 3), end: lineStart(MESSY, 6) };
    const result = formatEdits(parse(MESSY), DEFAULT, span);
    assert.ok(result.ok);
    for (const edit of result.edits) assert.ok(edit.end >= span.start && edit.start <= span.end, 'edit in range');
    assert.equal(
      applyEdits(MESSY, result.edits),
      'http {\nserver {\n  listen 80;   server_name  a;\n        location / {\n            proxy_pass http://b;\n        }\n}\n}\n',
    );
    const all = formatEdits(parse(MESSY), DEFAULT, { start: 0, end: MESSY.length });
    assert.ok(all.ok);
    assert.equal(applyEdits(MESSY, all.edits), format(MESSY));
  });

  it('splits two statements on one selected line, and leaves a formatted file alone', () => {
    const span = { start: lineStart(MESSY, 2), end: lineStart(MESSY, 3) };
    const result = formatEdits(parse(MESSY), DEFAULT, span);
    assert.ok(result.ok);
    assert.match(applyEdits(MESSY, result.edits), /^ {8}listen 80;\n {8}server_name a;\nlocation/m);
    const clean = formatEdits(parse(format(MESSY)), DEFAULT);
    assert.deepEqual(clean.ok && clean.edits, []);
  });
});

describe('formatting keeps what nginx parses and is idempotent', () => {
  it('over every fixture config', () => {
    const files = confFilesDeep(fixturesDir);
    assert.ok(files.length > 20, 'fixtures found');
    for (const file of files) roundTrip(file);
  });

  const skip = corpusSkipReason() ?? false;
  it('over the shared corpus', { skip }, () => {
    const files = confFilesDeep(corpusDir).filter((f) => existsSync(f));
    let formatted = 0;
    for (const file of files) {
      roundTrip(file);
      if (formatFile(parse(readFileSync(file, 'utf8')), DEFAULT).ok) formatted++;
    }
    // Most of the corpus must really be formatted, or the property proves nothing.
    assert.ok(formatted > files.length / 2, `${formatted} of ${files.length} corpus files formatted`);
  });
});
