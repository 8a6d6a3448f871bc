/**
 * The parse of a text after a typing edit, made from the parse before it instead of from scratch.
 * The result is the parse `parse(text)` would give, or undefined where that is not certain (then
 * the caller parses). In a 4 MB config a new parse takes ~50 ms; these take a few.
 *
 * - reparseAfterWordEdit: typing inside a value (`3600s` → `3601s`) leaves the file's tokens and
 *   directives as they were: only that word, and the offsets after it, move. The edit must lie
 *   within one plain argument (no quote, escape, brace, `;`, `#` or line break in it before or
 *   after) that is not a directive's name and not the first word on its line.
 * - reparseBlockBody: a line added or removed inside a block; that block's body is parsed again on
 *   its own and spliced in.
 *
 * Both need a previous parse without error. */
import type { ParsedFile } from './ast';
import { parse } from './parser';
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

type Edit = ReturnType<typeof differingRange>;

/**
 * What both ways start from: a previous parse without error, and the edit that made `text` of its
 * text (found once: a scan of both texts). The parse itself when nothing changed.
 */
function editOf(
  previous: ParsedFile,
  text: string,
): ParsedFileImpl | { previous: ParsedFileImpl; edit: Edit } | undefined {
  if (!(previous instanceof ParsedFileImpl) || previous.errors.length) return undefined;
  if (previous.text === text) return previous;
  return { previous, edit: differingRange(previous.text, text) };
}

/** One way of making the new parse from the previous one, for an edit already found. */
type Way = (previous: ParsedFileImpl, text: string, edit: Edit) => ParsedFile | undefined;

function reparseBy(previous: ParsedFile, text: string, ways: readonly Way[]): ParsedFile | undefined {
  const found = editOf(previous, text);
  if (!found || found instanceof ParsedFileImpl) return found;
  for (const way of ways) {
    const parsed = way(found.previous, text, found.edit);
    if (parsed) return parsed;
  }
  return undefined;
}

/** The parse of `text` from `previous` by whichever way applies (a value, then a block's body); undefined: parse it. */
export function reparseAfterEdit(previous: ParsedFile, text: string): ParsedFile | undefined {
  return reparseBy(previous, text, [wordEdit, blockEdit]);
}

/** Typing inside a value (see the top of this file). */
export function reparseAfterWordEdit(previous: ParsedFile, text: string): ParsedFile | undefined {
  return reparseBy(previous, text, [wordEdit]);
}

function wordEdit(previous: ParsedFileImpl, text: string, { start, oldEnd, newEnd }: Edit): ParsedFile | undefined {
  const before = previous.text;
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
  parsed.edit = { kind: 'word', previousId: previous.id, record, start: wordStart, end: wordEnd, delta };
  return parsed;
}

/**
 * The parse after an edit inside the body of one block (a line added or removed, a statement
 * typed): the innermost block around the edit has its body parsed again, on its own, and its
 * records spliced in; the rest is the previous parse, moved. Undefined where that is not certain:
 * the previous parse or the new body has an error (a block left open, a missing ";"), the block is
 * a Lua block, or the edit is not inside any block's body.
 */
export function reparseBlockBody(previous: ParsedFile, text: string): ParsedFile | undefined {
  return reparseBy(previous, text, [blockEdit]);
}

function blockEdit(previous: ParsedFileImpl, text: string, { start, oldEnd, newEnd }: Edit): ParsedFile | undefined {
  const before = previous.text;
  const syntax = previous.syntax;
  // The innermost block whose body holds the edit, found from the top down.
  let block = -1;
  for (let child = syntax.firstChild(-1); child >= 0;) {
    const open = syntax.get(child, Field.Open);
    const close = syntax.get(child, Field.Close);
    if (open >= 0 && open < start && close >= oldEnd) {
      block = child;
      child = syntax.firstChild(child);
    } else child = syntax.nextSibling(child);
  }
  if (block < 0 || syntax.rawBodies.has(block)) return undefined;
  const open = syntax.get(block, Field.Open);
  const close = syntax.get(block, Field.Close);
  const delta = text.length - before.length;
  const bodyStart = open + 1;
  const bodyText = text.slice(bodyStart, close + delta);
  // `{{` after the block's "{" is a template placeholder to the lexer, not a block.
  if (bodyText.charCodeAt(0) === 123) return undefined;
  const body = parse(bodyText, previous.file) as ParsedFileImpl;
  if (body.errors.length) return undefined;
  // Its last word or comment must end before the block's "}": one that reaches it would run on
  // into it in the whole text (a comment to the end of its line, a word through a "}").
  const bodyWords = body.syntax.words;
  const lastComment = body.comments[body.comments.length - 1];
  if (
    (bodyWords.count > 0 && bodyWords.cells[(bodyWords.count - 1) * 3 + 1] === bodyText.length) ||
    (lastComment !== undefined && lastComment.endOffset === bodyText.length)
  )
    return undefined;
  // The old descendants: the records after the block that start before its "}".
  let last = block;
  while (last + 1 < syntax.count && wordStartOf(syntax, last + 1) < close) last++;
  const words = syntax.words;
  const wordBase = syntax.get(block, Field.FirstWord) + syntax.get(block, Field.WordCount);
  const oldWordEnd = words.wordAtOrBefore(close) + 1;
  const source = new SourceTextImpl(text);
  const splicedWords = words.splicedCopy(source, wordBase, oldWordEnd, body.syntax.words, bodyStart, delta);
  const wordShift = body.syntax.words.count - (oldWordEnd - wordBase);
  const splicedSyntax = syntax.splicedCopy(
    splicedWords,
    block,
    last,
    body.syntax,
    bodyStart,
    wordBase,
    wordShift,
    oldEnd,
    delta,
  );
  const comments: CommentNode[] = [];
  for (const comment of previous.comments)
    if (comment.offset < bodyStart)
      comments.push(new CommentNode(source, comment.offset, comment.endOffset, comment.text));
  for (const comment of body.comments)
    comments.push(new CommentNode(source, comment.offset + bodyStart, comment.endOffset + bodyStart, comment.text));
  for (const comment of previous.comments)
    if (comment.offset > close)
      comments.push(new CommentNode(source, comment.offset + delta, comment.endOffset + delta, comment.text));
  const parsed = new ParsedFileImpl(previous.file, source, splicedSyntax, comments, []);
  parsed.edit = {
    kind: 'block',
    previousId: previous.id,
    block,
    oldLast: last,
    newLast: block + body.syntax.count,
    start,
    oldEnd,
    newEnd,
  };
  return parsed;
}

function wordStartOf(syntax: ParsedFileImpl['syntax'], record: number): number {
  return syntax.words.cells[syntax.get(record, Field.FirstWord) * 3] as number;
}
