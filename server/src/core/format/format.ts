/**
 * The nginx formatter: a pure function from a parsed file to its formatted text.
 *
 * Only whitespace between tokens changes. Arguments keep their raw text (quotes, escapes and
 * line breaks inside strings as written), comments are kept where they stand, and the raw body
 * of a `*_by_lua_block` is copied byte for byte: re-indenting Lua lines could alter a multi-line
 * Lua string (`[[ ... ]]`), so even its indentation is left alone.
 */
import type { Comment, Directive, ParsedFile } from '../parser/ast';

export interface FormatOptions {
  readonly tabSize: number;
  readonly insertSpaces: boolean;
}

export type FormatResult =
  { readonly ok: true; readonly text: string } | { readonly ok: false; readonly reason: string };

/** Thrown inside the walk when a layout cannot be rewritten without risk; becomes `ok: false`. */
class Unformattable extends Error {}

/**
 * Formats a whole file. Files with syntax errors are refused: where nginx would stop, a guess at
 * the intended structure could move text between statements.
 */
export function formatFile(file: ParsedFile, options: FormatOptions): FormatResult {
  if (file.errors.length > 0) {
    return { ok: false, reason: `the file has ${file.errors.length} syntax error(s); fix them before formatting` };
  }
  const unit = options.insertSpaces ? ' '.repeat(Math.max(1, options.tabSize)) : '\t';
  const eol = file.lineEnding;
  const out: string[] = [];
  const comments = file.comments;
  let next = 0; // index of the first comment not yet written
  /** Source line where the last written item ended; -1 before the first. */
  let lastLine = -1;
  /** Whether the last written line opened a block: no blank line right after `{`. */
  let afterOpen = true;

  const lineOf = (offset: number): number => file.source.positionAt(offset).line;

  const startItem = (startLine: number, depth: number): void => {
    if (out.length > 0 && !endsWithEol(out)) out.push(eol);
    if (!afterOpen && lastLine >= 0 && startLine - lastLine >= 2) out.push(eol);
    out.push(unit.repeat(depth));
    afterOpen = false;
  };

  const writeComment = (comment: Comment, depth: number): void => {
    startItem(comment.range.start.line, depth);
    out.push('#', comment.text.trimEnd());
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
    out.push(' #', comment.text.trimEnd());
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

  const writeList = (directives: readonly Directive[], depth: number, limit: number): void => {
    for (let i = 0; i < directives.length; i++) {
      const directive = directives[i] as Directive;
      const following = directives[i + 1]?.offset ?? limit;
      commentsBefore(directive.offset, depth);
      startItem(directive.range.start.line, depth);
      const block = directive.block;
      const headerEnd = block ? block.openOffset : directive.semicolonOffset;
      refuseInnerComment(directive, headerEnd);
      out.push(directive.nameWord.raw);
      for (let i = 0; i < directive.args.length; i++) out.push(' ', (directive.args[i] as { raw: string }).raw);
      if (block === undefined) {
        out.push(';');
        lastLine = lineOf(directive.semicolonOffset);
        trailingComment(directive.semicolonOffset, following);
        continue;
      }
      out.push(' {');
      lastLine = lineOf(block.openOffset);
      if (block.rawBody !== undefined) {
        // Byte for byte, up to and including the `}`: see the module comment.
        out.push(block.rawBody.text, '}');
        while (next < comments.length && (comments[next] as Comment).offset < block.closeOffset) next++;
        lastLine = lineOf(block.closeOffset);
        trailingComment(block.closeOffset, following);
        continue;
      }
      trailingComment(block.openOffset, block.children[0]?.offset ?? block.closeOffset);
      afterOpen = true;
      writeList(block.children, depth + 1, block.closeOffset);
      commentsBefore(block.closeOffset, depth + 1);
      if (!endsWithEol(out)) out.push(eol);
      out.push(unit.repeat(depth), '}');
      afterOpen = false;
      lastLine = lineOf(block.closeOffset);
      trailingComment(block.closeOffset, following);
    }
  };

  try {
    writeList(file.directives, 0, file.text.length);
    commentsBefore(file.text.length + 1, 0);
  } catch (error) {
    if (error instanceof Unformattable) return { ok: false, reason: error.message };
    throw error;
  }
  if (out.length > 0 && !endsWithEol(out)) out.push(eol);
  return { ok: true, text: out.join('') };
}

function endsWithEol(out: readonly string[]): boolean {
  const last = out[out.length - 1];
  return last !== undefined && last.endsWith('\n');
}
