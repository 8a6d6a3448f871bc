import type { LineEnding, Position, Range } from './ast';

/**
 * Offsets of the first character of every line. Line breaks are `\r\n`, `\n` or a lone `\r`,
 * as in LSP, so that ranges agree with VS Code's document model.
 */
export function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 13 /* \r */) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    } else if (code === 10 /* \n */) {
      starts.push(i + 1);
    }
  }
  return starts;
}

export function positionAt(lineStarts: readonly number[], offset: number): Position {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((lineStarts[mid] ?? 0) <= offset) low = mid;
    else high = mid - 1;
  }
  return { line: low, character: offset - (lineStarts[low] ?? 0) };
}

export function offsetAt(lineStarts: readonly number[], position: Position, textLength: number): number {
  if (position.line >= lineStarts.length) return textLength;
  const start = lineStarts[Math.max(0, position.line)] ?? 0;
  return Math.min(textLength, start + Math.max(0, position.character));
}

export function dominantLineEnding(text: string): LineEnding {
  const lf = text.indexOf('\n');
  return lf > 0 && text.charCodeAt(lf - 1) === 13 ? '\r\n' : '\n';
}

export function rangeContains(range: Range, position: Position): boolean {
  return comparePositions(range.start, position) <= 0 && comparePositions(position, range.end) <= 0;
}

export function comparePositions(a: Position, b: Position): number {
  return a.line !== b.line ? a.line - b.line : a.character - b.character;
}

/** The whitespace that starts the line holding `offset`. */
export function indentationOfLine(text: string, lineStarts: readonly number[], line: number): string {
  const start = lineStarts[line] ?? 0;
  let end = start;
  while (end < text.length && (text[end] === ' ' || text[end] === '\t')) end++;
  return text.slice(start, end);
}
