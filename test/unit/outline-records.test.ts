// The outline and the folding ranges read from the parse's records (core/features/outline.ts) must be the outline read from
// the syntax tree's Directive objects (test/helpers/referenceOutline.ts, how it was computed before):
// on every corpus config, every fixture, and the benchmark's generated config.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { documentSymbols, foldingRanges } from '../../server/src/core/features/outline';
import { parse } from '../../server/src/core/parser/parser';
import { generateConfig } from '../../bench/lsp-generate';
import { confFilesDeep, corpusDir, corpusSkipReason, fixturesDir } from '../helpers/paths';
import { referenceDocumentSymbols, referenceFoldingRanges } from '../helpers/referenceOutline';

test('the outline and the folds from the records are those from the syntax tree', () => {
  const files = [...(corpusSkipReason() ? [] : confFilesDeep(corpusDir)), ...confFilesDeep(fixturesDir)];
  const texts = files.map((file) => ({ name: file, text: readFileSync(file, 'utf8') }));
  texts.push({ name: 'generated', text: generateConfig(50).text });
  let symbols = 0;
  for (const { name, text } of texts) {
    const expected = referenceDocumentSymbols(parse(text, name));
    assert.deepEqual(documentSymbols(parse(text, name)), expected, name);
    assert.deepEqual(foldingRanges(parse(text, name)), referenceFoldingRanges(parse(text, name)), name);
    symbols += expected.length;
  }
  assert.ok(symbols > 100, `only ${symbols} top-level symbols compared`);
});
