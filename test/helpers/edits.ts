// Random edits of parsed configs, as a user makes them, for the tests of what the server makes of
// an edit from the analysis before it (parser/reparse.ts, rules/afterEdit.ts).
import type { ParsedFile } from '../../server/src/core/parser/ast';
import { Field, type ParsedFileImpl } from '../../server/src/core/parser/records';
import { pick, randomInt } from './random';

/**
 * At the end of a random directive, one of `statements` added; every third time (by `n`) that
 * directive taken away instead. Returns the new text, the directive and where it starts.
 */
export function addOrRemoveStatement(
  random: () => number,
  parsed: ParsedFile,
  n: number,
  statements: readonly string[],
): { text: string; record: number; start: number } {
  const syntax = (parsed as ParsedFileImpl).syntax;
  const text = parsed.text;
  const record = randomInt(random, syntax.count);
  const end = syntax.get(record, Field.End);
  const start = syntax.words.cells[syntax.get(record, Field.FirstWord) * 3] as number;
  return {
    text:
      n % 3 === 2
        ? text.slice(0, start) + text.slice(end)
        : text.slice(0, end) + pick(random, statements) + text.slice(end),
    record,
    start,
  };
}
