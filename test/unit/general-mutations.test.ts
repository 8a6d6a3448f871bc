// Mutation test of the general diagnostics over the shared corpus (issue #12): every config of
// ../shared/corpus, broken one known way at a time, must be flagged on the broken line with the
// code that names the mistake, and the unbroken files must get no general warning or error.
// The kinds, and what nginx -t says to each (checked on the real nginx for a sample in
// test/nginx/general-nginx.test.ts):
// - one letter dropped from a directive name: `unknown directive "proxy_pas"`; ours is an error
//   that suggests the original name;
// - `server_name` put inside a location: `"server_name" directive is not allowed here`;
// - a second argument given to a directive that takes exactly one: `invalid number of arguments`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { EXPECTED, findings, mutantsOf, severe, type Kind } from '../helpers/generalMutants';
import { corpusDir, corpusSkipReason } from '../helpers/paths';

const skip = corpusSkipReason() ?? false;

describe('corpus mutations of the general diagnostics', { skip }, () => {
  if (skip) return;
  const files = readFileSync(path.join(corpusDir, 'MANIFEST.tsv'), 'utf8')
    .trimEnd()
    .split('\n')
    .slice(1)
    .map((line) => line.split('\t')[0] as string);
  const names = [...new Set(files)];

  it('the unmutated corpus files get no general warning or error', () => {
    assert.ok(names.length >= 30, `${names.length} corpus files`);
    const flagged = names.flatMap((name) =>
      findings(name)
        .filter(severe)
        .map((f) => `${name}:${f.range.start.line + 1} ${f.code} ${f.message}`),
    );
    assert.deepEqual(flagged, []);
  });

  it('every mutant is flagged on its line with the code that names the mistake', (t) => {
    const mutants = names.flatMap(mutantsOf);
    const table = new Map<Kind, { applicable: number; caught: number }>();
    const missed: string[] = [];
    for (const mutant of mutants) {
      const row = table.get(mutant.kind) ?? { applicable: 0, caught: 0 };
      table.set(mutant.kind, row);
      row.applicable++;
      const onLine = findings(mutant.file, mutant.text).filter(
        (f) => f.range.start.line + 1 === mutant.line && f.code === EXPECTED[mutant.kind] && severe(f),
      );
      const caught =
        onLine.length > 0 &&
        (mutant.original === undefined ||
          onLine.some((f) => f.data.kind === 'rename' && f.data.candidates.includes(mutant.original as string)));
      if (caught) row.caught++;
      else missed.push(`${mutant.file}:${mutant.line} ${mutant.kind}: ${mutant.what}`);
    }
    for (const [kind, { applicable, caught }] of table) t.diagnostic(`${kind}: ${caught} of ${applicable} caught`);
    for (const kind of Object.keys(EXPECTED) as Kind[])
      assert.ok((table.get(kind)?.applicable ?? 0) >= 20, `at least 20 mutants of kind "${kind}"`);
    assert.deepEqual(missed, []);
  });
});
