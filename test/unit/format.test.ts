// The formatter (server/src/core/format): table-driven fixtures in test/fixtures/format/
// (`name.conf` formats to `name.expected.conf`), and two properties over the fixtures and the
// shared corpus: formatting never changes what nginx parses (the same directive, argument and
// block sequence), and formatting twice gives what formatting once gave.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { formatFile, type FormatOptions } from '../../server/src/core/format/format';
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
