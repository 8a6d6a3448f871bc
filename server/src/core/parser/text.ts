import type { LineEnding, Position, Range, SourceText } from './ast';

/**
 * Offsets of the first character of every line. Line breaks are `\r\n`, `\n` or a lone `\r`,
 * as in LSP, so that ranges agree with VS Code's document model. A typed array, counted first:
 * a 4 MB config has 127,000 lines, and growing a plain array that long took four times as long.
 */
export function computeLineStarts(text: string): Int32Array {
  if (text.indexOf('\r') < 0) {
    // The common case, and the fast one: indexOf scans natively.
    let count = 1;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
    const starts = new Int32Array(count);
    let line = 1;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts[line++] = i + 1;
    return starts;
  }
  const starts: number[] = [0];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 13 /* \r */) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    } else if (code === 10 /* \n */) {
      starts.push(i + 1);
    }
  }
  return Int32Array.from(starts);
}

export function positionAt(lineStarts: ArrayLike<number>, offset: number): Position {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((lineStarts[mid] ?? 0) <= offset) low = mid;
    else high = mid - 1;
  }
  return { line: low, character: offset - (lineStarts[low] ?? 0) };
}

export function offsetAt(lineStarts: ArrayLike<number>, position: Position, textLength: number): number {
  if (position.line >= lineStarts.length) return textLength;
  const start = lineStarts[Math.max(0, position.line)] ?? 0;
  return Math.min(textLength, start + Math.max(0, position.character));
}

/** A file's text with a line index built on first use: most analyses never ask for a position. */
export class SourceTextImpl implements SourceText {
  constructor(
    readonly text: string,
    /** The line index when the caller already has it (a reparse after an edit within one line). */
    private starts?: Int32Array,
  ) {}

  /** The line index if it has been built; undefined otherwise. */
  get builtLineStarts(): Int32Array | undefined {
    return this.starts;
  }

  get lineStarts(): ArrayLike<number> {
    return (this.starts ??= computeLineStarts(this.text));
  }

  positionAt(offset: number): Position {
    return positionAt(this.lineStarts, offset);
  }

  offsetAt(position: Position): number {
    return offsetAt(this.lineStarts, position, this.text.length);
  }

  rangeOf(offset: number, end: number): Range {
    return { start: this.positionAt(offset), end: this.positionAt(end) };
  }
}

export function dominantLineEnding(text: string): LineEnding {
  const lf = text.indexOf('\n');
  return lf > 0 && text.charCodeAt(lf - 1) === 13 ? '\r\n' : '\n';
}

export function comparePositions(a: Position, b: Position): number {
  return a.line !== b.line ? a.line - b.line : a.character - b.character;
}

export function rangeContains(range: Range, position: Position): boolean {
  return comparePositions(range.start, position) <= 0 && comparePositions(position, range.end) <= 0;
}

/** The spaces and tabs that start line `line`. */
export function indentationOfLine(text: string, lineStarts: ArrayLike<number>, line: number): string {
  const start = lineStarts[line] ?? 0;
  let end = start;
  while (end < text.length && (text[end] === ' ' || text[end] === '\t')) end++;
  return text.slice(start, end);
}

/** `[A-Za-z_]`: a character that can start a directive or variable name. */
export function isNameStartCode(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95;
}

/** `[A-Za-z0-9_]`: a character that can continue one. */
export function isNameCode(code: number): boolean {
  return isNameStartCode(code) || (code >= 48 && code <= 57);
}
