/**
 * The parse of a text after a typing edit, made from the parse before it instead of from scratch.
 *
 * While a user types inside a value (`3600s` → `3601s`, `$http_upgrade` → `$http_upgrad`), the
 * file's tokens and directives stay the same: only that word, and the offsets after it, move. In
 * a 4 MB config a new parse takes ~50 ms; copying the records with the offsets shifted takes a
 * few. The result is the parse `parse(text)` would give, or undefined where that is not certain
 * (then the caller parses): the edit must lie within one plain argument (no quote, escape, brace,
 * `;`, `#` or line break in it before or after) that is not a directive's name and not the first
 * word on its line, in a file that parsed without error.
 */
import type { ParsedFile } from './ast';
import { CommentNode, Field, ParsedFileImpl, QuoteCode } from './records';
import { positionAt, SourceTextImpl } from './text';

/** Characters that keep a word one plain word wherever they stand in it. */
function isPlainWordCode(code: number): boolean {
  switch (code) {
    case 32: // space
    case 9: // tab
    case 10: // \n
    case 13: // \r
    case 59: // ;
    case 123: // {
    case 125: // }
    case 35: // #
    case 34: // "
    case 39: // '
    case 92: // \
      return false;
    default:
      return true;
  }
}

function isPlainWord(text: string, start: number, end: number): boolean {
  if (end <= start) return false;
  for (let i = start; i < end; i++) if (!isPlainWordCode(text.charCodeAt(i))) return false;
  return true;
}

/** The edit between two texts: [start, oldEnd) of `before` became [start, newEnd) of `after`. */
/** Compared a chunk at a time first: equality of two slices is one native comparison, not a loop here. */
const CHUNK = 2048;

/** The edit between two texts: [start, oldEnd) of `before` became [start, newEnd) of `after`. */
export function differingRange(
  before: string,
  after: string,
): { readonly start: number; readonly oldEnd: number; readonly newEnd: number } {
  const shorter = Math.min(before.length, after.length);
  let start = 0;
  while (start + CHUNK <= shorter && before.slice(start, start + CHUNK) === after.slice(start, start + CHUNK))
    start += CHUNK;
  while (start < shorter && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let oldEnd = before.length;
  let newEnd = after.length;
  while (
    oldEnd - CHUNK >= start &&
    newEnd - CHUNK >= start &&
    before.slice(oldEnd - CHUNK, oldEnd) === after.slice(newEnd - CHUNK, newEnd)
  ) {
    oldEnd -= CHUNK;
    newEnd -= CHUNK;
  }
  while (oldEnd > start && newEnd > start && before.charCodeAt(oldEnd - 1) === after.charCodeAt(newEnd - 1)) {
    oldEnd--;
    newEnd--;
  }
  return { start, oldEnd, newEnd };
}

export function reparseAfterWordEdit(previous: ParsedFile, text: string): ParsedFile | undefined {
  if (!(previous instanceof ParsedFileImpl) || previous.errors.length) return undefined;
  const before = previous.text;
  if (before === text) return previous;
  const { start, oldEnd, newEnd } = differingRange(before, text);
  const syntax = previous.syntax;
  const words = syntax.words;
  const word = words.wordAtOrBefore(start);
  if (word < 0) return undefined;
  const wordStart = words.cells[word * 3] as number;
  const wordEnd = words.cells[word * 3 + 1] as number;
  if (oldEnd > wordEnd || words.cells[word * 3 + 2] !== QuoteCode.None) return undefined;
  const delta = text.length - before.length;
  // Plain before and after: the lexer reads it as one word either way, ended by the same separator.
  if (!isPlainWord(before, wordStart, wordEnd) || !isPlainWord(text, wordStart, wordEnd + delta)) return undefined;
  if (newEnd > wordEnd + delta) return undefined;
  // An argument: a name decides the directive's kind (and a Lua block's body).
  const record = syntax.recordOfWord(word);
  if (record < 0 || word === syntax.get(record, Field.FirstWord)) return undefined;
  // Not first on its line: there the parser asks whether a line that looks like a directive ends a
  // statement that lacks its ";", and the answer depends on the word.
  let back = wordStart - 1;
  while (back >= 0 && (before.charCodeAt(back) === 32 || before.charCodeAt(back) === 9)) back--;
  if (back < 0 || before.charCodeAt(back) === 10 || before.charCodeAt(back) === 13) return undefined;

  // The line index, when built, moves by `delta` after the word's line (the edit holds no line break).
  const oldStarts = previous.source.builtLineStarts;
  let starts: Int32Array | undefined;
  if (oldStarts) {
    starts = oldStarts.slice();
    for (let next = positionAt(oldStarts, wordStart).line + 1; next < starts.length; next++)
      starts[next] = (starts[next] as number) + delta;
  }
  const source = new SourceTextImpl(text, starts);
  const shiftedWords = words.shiftedCopy(source, word, delta);
  const shiftedSyntax = syntax.shiftedCopy(shiftedWords, wordEnd, delta);
  const comments = previous.comments.map((comment) => {
    const moved = comment.offset >= wordEnd ? delta : 0;
    return new CommentNode(source, comment.offset + moved, comment.endOffset + moved, comment.text);
  });
  const parsed = new ParsedFileImpl(previous.file, source, shiftedSyntax, comments, []);
  parsed.edit = { previousId: previous.id, record, start: wordStart, end: wordEnd, delta };
  return parsed;
}
