// Position arithmetic written independently of the engine's (server/src/core/parser/text.ts), so
// that a test checking a range against the text does not reuse the code under test.
import type { Position, Range } from '../../server/src/core/parser/ast';

let cachedText: string | undefined;
let cachedOffsets: number[] = [];

/** Offset of the first character of every line; `\r\n`, `\n` and a lone `\r` end a line (as in LSP). */
export function lineOffsets(text: string): number[] {
  // Tests ask about many ranges of one text in a row: keep the last text's answer.
  if (text === cachedText) return cachedOffsets;
  const offsets = [0];
  const lineBreak = /\r\n|\r|\n/g;
  for (let match = lineBreak.exec(text); match; match = lineBreak.exec(text))
    offsets.push(match.index + match[0].length);
  cachedText = text;
  cachedOffsets = offsets;
  return offsets;
}

/** The UTF-16 offset of an LSP position, or undefined when the position is not in the text. */
export function offsetOf(text: string, position: Position): number | undefined {
  const offsets = lineOffsets(text);
  const lineStart = offsets[position.line];
  if (lineStart === undefined || position.character < 0) return undefined;
  const next = offsets[position.line + 1];
  // The end of a line is where its line break starts (or the end of the text for the last line).
  let lineEnd = text.length;
  if (next !== undefined) lineEnd = text[next - 2] === '\r' && text[next - 1] === '\n' ? next - 2 : next - 1;
  const offset = lineStart + position.character;
  return offset <= lineEnd ? offset : undefined;
}

/** The text a range covers; throws when the range is not inside the text. */
export function textAt(text: string, range: Range): string {
  const start = offsetOf(text, range.start);
  const end = offsetOf(text, range.end);
  if (start === undefined || end === undefined || end < start) {
    throw new Error(`Range ${formatRange(range)} is not inside a text of ${lineOffsets(text).length} line(s).`);
  }
  return text.slice(start, end);
}

export function formatRange(range: Range): string {
  return `${range.start.line}:${range.start.character}-${range.end.line}:${range.end.character}`;
}

/** A range as a compact tuple, for table-driven expectations: [startLine, startChar, endLine, endChar]. */
export function rangeTuple(range: Range): [number, number, number, number] {
  return [range.start.line, range.start.character, range.end.line, range.end.character];
}

/** Whether a range lies inside the text (ends included) and does not run backwards. */
export function isRangeInText(text: string, range: Range): boolean {
  const start = offsetOf(text, range.start);
  const end = offsetOf(text, range.end);
  return start !== undefined && end !== undefined && start <= end;
}
