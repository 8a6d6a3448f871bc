/**
 * The nginx formatter: a pure function from a parsed file to its formatted text.
 *
 * Only whitespace between tokens changes. Arguments keep their raw text (quotes, escapes and
 * line breaks inside strings as written), comments are kept where they stand, and the raw body
 * of a `*_by_lua_block` is copied byte for byte: re-indenting Lua lines could alter a multi-line
 * Lua string (`[[ ... ]]`), so even its indentation is left alone.
 */
import type { Comment, Directive, ParsedFile, Word } from '../parser/ast';

export interface FormatOptions {
  readonly tabSize: number;
  readonly insertSpaces: boolean;
}

export type FormatResult =
  { readonly ok: true; readonly text: string } | { readonly ok: false; readonly reason: string };

/** A replacement of the source text between two offsets. */
export interface FormatEdit {
  readonly start: number;
  readonly end: number;
  readonly newText: string;
}

export type FormatEditsResult =
  { readonly ok: true; readonly edits: FormatEdit[] } | { readonly ok: false; readonly reason: string };

/** Thrown inside the walk when a layout cannot be rewritten without risk; becomes `ok: false`. */
class Unformattable extends Error {}

/**
 * The formatted file as a sequence of pieces of source text (names, arguments, `;`, braces,
 * comments, raw bodies), each with the whitespace the formatter puts before it. Every piece is
 * copied from the source, so the formatted text and the source differ only in the gaps, and a
 * gap maps to the source text between two pieces: that is what makes range formatting and
 * minimal edits exact.
 */
interface Layout {
  /** Per piece: the whitespace before it in the output. */
  readonly gaps: string[];
  /** Per piece: its text (copied from the source). */
  readonly texts: string[];
  /** Per piece: where it starts and ends in the source. */
  readonly starts: number[];
  readonly ends: number[];
  /** Whitespace after the last piece. */
  tail: string;
}

/**
 * Formats a whole file. Files with syntax errors are refused: where nginx would stop, a guess at
 * the intended structure could move text between statements.
 */
export function formatFile(file: ParsedFile, options: FormatOptions): FormatResult {
  const layout = layOut(file, options);
  if (typeof layout === 'string') return { ok: false, reason: layout };
  const out: string[] = [];
  for (let i = 0; i < layout.texts.length; i++) out.push(layout.gaps[i] as string, layout.texts[i] as string);
  out.push(layout.tail);
  return { ok: true, text: out.join('') };
}

/**
 * The edits that format the file, or only the part between `start` and `end` (source offsets):
 * the whitespace before each piece that starts in that span. Each edit is trimmed to what
 * differs, so the editor keeps cursors and folds where the text does not change.
 */
export function formatEdits(
  file: ParsedFile,
  options: FormatOptions,
  span?: { readonly start: number; readonly end: number },
): FormatEditsResult {
  const layout = layOut(file, options);
  if (typeof layout === 'string') return { ok: false, reason: layout };
  const text = file.text;
  const from = span?.start ?? 0;
  const to = span?.end ?? text.length + 1;
  const edits: FormatEdit[] = [];
  let previousEnd = 0;
  const count = layout.texts.length;
  for (let i = 0; i <= count; i++) {
    const gapEnd = i < count ? (layout.starts[i] as number) : text.length;
    const wanted = i < count ? (layout.gaps[i] as string) : layout.tail;
    // The piece the gap leads to must start in the span (the file's end counts for a whole-file format).
    const inSpan = i < count ? gapEnd >= from && gapEnd < to : span === undefined || to > text.length;
    if (inSpan) pushTrimmed(edits, text, previousEnd, gapEnd, wanted);
    if (i < count) previousEnd = layout.ends[i] as number;
  }
  return { ok: true, edits };
}

/** An edit replacing text[start, end) by `wanted`, without the prefix and suffix they share. */
function pushTrimmed(edits: FormatEdit[], text: string, start: number, end: number, wanted: string): void {
  let head = 0;
  const limit = Math.min(end - start, wanted.length);
  while (head < limit && text.charCodeAt(start + head) === wanted.charCodeAt(head)) head++;
  let tail = 0;
  while (tail < limit - head && text.charCodeAt(end - 1 - tail) === wanted.charCodeAt(wanted.length - 1 - tail)) tail++;
  if (head === end - start && head === wanted.length) return;
  edits.push({ start: start + head, end: end - tail, newText: wanted.slice(head, wanted.length - tail) });
}

function isBlank(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13 || code === 12 || code === 11;
}

/** The layout, or why the file is not formatted. */
function layOut(file: ParsedFile, options: FormatOptions): Layout | string {
  if (file.errors.length > 0) {
    return `the file has ${file.errors.length} syntax error(s); fix them before formatting`;
  }
  const unit = options.insertSpaces ? ' '.repeat(Math.max(1, options.tabSize)) : '\t';
  const eol = file.lineEnding;
  const text = file.text;
  const layout: Layout = { gaps: [], texts: [], starts: [], ends: [], tail: '' };
  /** Whitespace to put before the next piece. */
  let gap = '';
  /** Whether anything (a piece or a line break) has been laid out yet. */
  let started = false;
  const comments = file.comments;
  let next = 0; // index of the first comment not yet written
  /** Source line where the last written item ended; -1 before the first. */
  let lastLine = -1;
  /** Whether the last written line opened a block: no blank line right after `{`. */
  let afterOpen = true;
  /** Whether the output so far ends with a line break (or is empty). */
  let atLineStart = true;
  let previousEnd = 0;

  const lineOf = (offset: number): number => file.source.positionAt(offset).line;

  const piece = (start: number, end: number, pieceText = text.slice(start, end)): void => {
    // Only whitespace may lie between two pieces: anything else would be lost or moved.
    for (let i = previousEnd; i < start; i++) {
      if (!isBlank(text.charCodeAt(i))) throw new Unformattable(`text the formatter does not place (offset ${i})`);
    }
    layout.gaps.push(gap);
    layout.texts.push(pieceText);
    layout.starts.push(start);
    layout.ends.push(end);
    gap = '';
    started = true;
    atLineStart = false;
    previousEnd = end;
  };

  const newline = (): void => {
    gap += eol;
    atLineStart = true;
  };

  const startItem = (startLine: number, depth: number): void => {
    if (started && !atLineStart) newline();
    if (!afterOpen && lastLine >= 0 && startLine - lastLine >= 2) newline();
    gap += unit.repeat(depth);
    afterOpen = false;
  };

  /** `#` and the comment's text up to its last non-blank character. */
  const commentPiece = (comment: Comment): void => {
    const trimmed = comment.text.trimEnd();
    piece(comment.offset, comment.offset + 1 + trimmed.length, '#' + trimmed);
  };

  const writeComment = (comment: Comment, depth: number): void => {
    startItem(comment.range.start.line, depth);
    commentPiece(comment);
    lastLine = comment.range.end.line;
  };

  /** Writes the comments that start before `offset`, at `depth`. */
  const commentsBefore = (offset: number, depth: number): void => {
    while (next < comments.length && (comments[next] as Comment).offset < offset) {
      writeComment(comments[next] as Comment, depth);
      next++;
    }
  };

  /** A comment on the same source line as the end of what was just written stays on that line. */
  const trailingComment = (endOffset: number, limit: number): void => {
    const comment = comments[next];
    if (comment === undefined || comment.offset >= limit) return;
    if (lineOf(comment.offset) !== lineOf(endOffset)) return;
    gap += ' ';
    commentPiece(comment);
    lastLine = comment.range.end.line;
    next++;
  };

  /** A comment between a directive's name and its `;` or `{`: moving it would need a judgement call. */
  const refuseInnerComment = (directive: Directive, headerEnd: number): void => {
    const comment = comments[next];
    if (comment !== undefined && comment.offset > directive.offset && comment.offset < headerEnd) {
      throw new Unformattable(
        `a comment inside the "${directive.name}" directive (line ${comment.range.start.line + 1})`,
      );
    }
  };

  const word = (w: Word): void => piece(w.offset, w.endOffset, w.raw);

  const writeList = (directives: readonly Directive[], depth: number, limit: number): void => {
    for (let i = 0; i < directives.length; i++) {
      const directive = directives[i] as Directive;
      const following = directives[i + 1]?.offset ?? limit;
      commentsBefore(directive.offset, depth);
      startItem(directive.range.start.line, depth);
      const block = directive.block;
      const headerEnd = block ? block.openOffset : directive.semicolonOffset;
      refuseInnerComment(directive, headerEnd);
      word(directive.nameWord);
      const args = directive.args;
      for (let a = 0; a < args.length; a++) {
        gap += ' ';
        word(args[a] as Word);
      }
      if (block === undefined) {
        piece(directive.semicolonOffset, directive.semicolonOffset + 1, ';');
        lastLine = lineOf(directive.semicolonOffset);
        trailingComment(directive.semicolonOffset, following);
        continue;
      }
      gap += ' ';
      piece(block.openOffset, block.openOffset + 1, '{');
      lastLine = lineOf(block.openOffset);
      if (block.rawBody !== undefined) {
        // Byte for byte, up to and including the `}`: see the module comment.
        piece(block.openOffset + 1, block.closeOffset + 1);
        while (next < comments.length && (comments[next] as Comment).offset < block.closeOffset) next++;
        lastLine = lineOf(block.closeOffset);
        trailingComment(block.closeOffset, following);
        continue;
      }
      trailingComment(block.openOffset, block.children[0]?.offset ?? block.closeOffset);
      afterOpen = true;
      writeList(block.children, depth + 1, block.closeOffset);
      commentsBefore(block.closeOffset, depth + 1);
      if (!atLineStart) newline();
      gap += unit.repeat(depth);
      piece(block.closeOffset, block.closeOffset + 1, '}');
      afterOpen = false;
      lastLine = lineOf(block.closeOffset);
      trailingComment(block.closeOffset, following);
    }
  };

  try {
    writeList(file.directives, 0, text.length);
    commentsBefore(text.length + 1, 0);
    for (let i = previousEnd; i < text.length; i++) {
      if (!isBlank(text.charCodeAt(i))) throw new Unformattable(`text the formatter does not place (offset ${i})`);
    }
  } catch (error) {
    if (error instanceof Unformattable) return error.message;
    throw error;
  }
  if (started && !atLineStart) gap += eol;
  layout.tail = gap;
  return layout;
}
