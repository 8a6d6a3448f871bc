import type { Directive, ParsedFile, Position, Range } from '../parser/ast';
import type { LocationModel } from '../model/effective';
import type { FileAnalysis } from '../model/workspace';

export interface TextEdit {
  readonly file: string;
  readonly range: Range;
  readonly newText: string;
}

function lineIndentation(parsed: ParsedFile, line: number): string {
  const start = parsed.source.lineStarts[line] ?? 0;
  let end = start;
  while (end < parsed.text.length && (parsed.text[end] === ' ' || parsed.text[end] === '\t')) end++;
  return parsed.text.slice(start, end);
}

/** Whether only whitespace precedes the directive on its line. */
function startsItsLine(parsed: ParsedFile, directive: Directive): boolean {
  const position = directive.nameWord.range.start;
  return lineIndentation(parsed, position.line).length === position.character;
}

/** One indentation step in this file: a tab if it indents with tabs, else what its nesting shows, else 4 spaces. */
export function indentUnit(parsed: ParsedFile): string {
  for (const directive of parsed.directives) {
    for (const child of directive.block?.children ?? []) {
      if (!startsItsLine(parsed, child)) continue;
      const childIndent = lineIndentation(parsed, child.nameWord.range.start.line);
      const parentIndent = lineIndentation(parsed, directive.nameWord.range.start.line);
      if (childIndent.startsWith(parentIndent) && childIndent.length > parentIndent.length)
        return childIndent.slice(parentIndent.length);
    }
  }
  return /^\t/m.test(parsed.text) ? '\t' : '    ';
}

/** The indentation of the lines inside `block` (a directive with a block). */
export function childIndentation(parsed: ParsedFile, block: Directive): string {
  for (const child of block.block?.children ?? []) {
    if (startsItsLine(parsed, child)) return lineIndentation(parsed, child.nameWord.range.start.line);
  }
  return lineIndentation(parsed, block.nameWord.range.start.line) + indentUnit(parsed);
}

function endOfLine(parsed: ParsedFile, line: number): Position {
  const next = parsed.source.lineStarts[line + 1];
  let end = next === undefined ? parsed.text.length : next;
  while (
    end > (parsed.source.lineStarts[line] ?? 0) &&
    (parsed.text[end - 1] === '\n' || parsed.text[end - 1] === '\r')
  )
    end--;
  return parsed.source.positionAt(end);
}

/** Whether anything but whitespace or a comment follows `position` on its line. */
function codeFollows(parsed: ParsedFile, position: Position): boolean {
  const end = endOfLine(parsed, position.line);
  const rest = parsed.text.slice(
    (parsed.source.lineStarts[position.line] ?? 0) + position.character,
    (parsed.source.lineStarts[end.line] ?? 0) + end.character,
  );
  return !/^\s*(#.*)?$/.test(rest);
}

/**
 * Inserts directive lines into a location: after its `proxy_pass` (or at the end of the block),
 * with the block's indentation and the file's line endings. Single-line blocks get the lines inline.
 */
export function insertIntoLocation(
  analysis: FileAnalysis,
  location: LocationModel,
  lines: readonly string[],
): TextEdit | undefined {
  const file = location.node.file;
  const parsed = analysis.tree.files.get(file);
  if (!parsed || !lines.length) return undefined;
  const eol = parsed.lineEnding;
  const directive = location.node.directive;
  const proxyPass = location.proxyPass?.node;

  // A snippet of bare proxy_* lines: the "location" is its proxy_pass line.
  if (!directive.block) {
    const indentation = lineIndentation(parsed, directive.range.start.line);
    const at = directive.range.end;
    return { file, range: { start: at, end: at }, newText: lines.map((line) => eol + indentation + line).join('') };
  }

  const block = directive.block;
  const closeRange = block.closeRange;
  const anchor =
    proxyPass && proxyPass.parent === location.node && proxyPass.file === file ? proxyPass.directive : undefined;
  const singleLine = closeRange !== undefined && closeRange.start.line === block.openRange.start.line;
  if (singleLine && closeRange) {
    const at = anchor ? anchor.range.end : closeRange.start;
    const text = lines.join(' ');
    return { file, range: { start: at, end: at }, newText: anchor ? ' ' + text : text + ' ' };
  }

  const indentation = childIndentation(parsed, directive);
  if (anchor && !codeFollows(parsed, anchor.range.end)) {
    const at = endOfLine(parsed, anchor.range.end.line);
    return { file, range: { start: at, end: at }, newText: lines.map((line) => eol + indentation + line).join('') };
  }
  if (closeRange) {
    // Before the `}`: at the start of its line when it stands alone, else right before it.
    const closeLineIndent = lineIndentation(parsed, closeRange.start.line);
    if (closeLineIndent.length === closeRange.start.character) {
      const at = { line: closeRange.start.line, character: 0 };
      return { file, range: { start: at, end: at }, newText: lines.map((line) => indentation + line + eol).join('') };
    }
    const at = closeRange.start;
    return {
      file,
      range: { start: at, end: at },
      newText: lines.map((line) => eol + indentation + line).join('') + eol,
    };
  }
  // An unclosed block: after its last line.
  const last = block.children[block.children.length - 1];
  const at = endOfLine(parsed, (last ?? directive).range.end.line);
  return { file, range: { start: at, end: at }, newText: lines.map((line) => eol + indentation + line).join('') };
}

/** Inserts lines at the start of a block's body (after the `{` line). */
export function insertAtBlockStart(
  parsed: ParsedFile,
  block: Directive,
  lines: readonly string[],
): TextEdit | undefined {
  const open = block.block?.openRange;
  if (!open) return undefined;
  const eol = parsed.lineEnding;
  const indentation = childIndentation(parsed, block);
  const at = endOfLine(parsed, open.end.line);
  return {
    file: parsed.file,
    range: { start: at, end: at },
    newText: lines.map((line) => eol + indentation + line).join(''),
  };
}

/** Inserts lines at the top of a file, before its first directive, at that directive's indentation. */
export function insertAtFileStart(parsed: ParsedFile, lines: readonly string[]): TextEdit {
  const first = parsed.directives[0];
  const eol = parsed.lineEnding;
  const line = first ? first.range.start.line : 0;
  const indentation = first ? lineIndentation(parsed, line) : '';
  const at = { line, character: 0 };
  return {
    file: parsed.file,
    range: { start: at, end: at },
    newText: lines.map((text) => indentation + text + eol).join('') + eol,
  };
}
