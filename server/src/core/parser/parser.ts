import type {
  Block,
  Comment,
  Directive,
  ParseError,
  ParseErrorCode,
  ParsedFile,
  Position,
  Range,
  Word,
} from './ast';
import { Lexer, type Token } from './lexer';
import { computeLineStarts, dominantLineEnding } from './text';

/** Mutable shapes used while building; the public types are read-only views of them. */
interface MutableBlock {
  openRange: Range;
  closeRange: Range | undefined;
  children: Directive[];
  rawBody: { text: string; range: Range } | undefined;
}
interface MutableDirective {
  kind: 'directive';
  name: string;
  nameWord: Word;
  args: Word[];
  semicolonRange: Range | undefined;
  block: MutableBlock | undefined;
  range: Range;
  offset: number;
  endOffset: number;
  parent: Directive | undefined;
}

interface Frame {
  /** Undefined for the file's top level and for a `{` that had no directive name. */
  readonly directive: MutableDirective | undefined;
  readonly children: Directive[];
  /** Indentation of the line that opened the block. */
  readonly indent: number;
  /** Whether the block's first child was indented deeper than the block: indentation is meaningful. */
  indented: boolean | undefined;
}

interface PendingStatement {
  words: Token[];
}

/** Errors whose `nginxLine` is where nginx will notice: the next `;`, `{` or `}`. */
interface OpenError {
  code: ParseErrorCode;
  message: string;
  range: Range;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/i;

/** Block directives whose body is Lua code, read by lua-nginx-module's own parser. */
function isLuaBlock(name: string): boolean {
  return name.endsWith('_by_lua_block');
}

/**
 * Parses one nginx configuration file. Never throws: every problem becomes a `ParseError`
 * and parsing goes on, so that the directives after a mistake are still analysed.
 */
export function parse(text: string, file = ''): ParsedFile {
  const first = parseOnce(text, file, false);
  // A balanced file parses once. Only when a block is left open do we parse again, letting
  // indentation close blocks early, so that one missing `}` does not swallow the rest of the file.
  if (first.errors.some((error) => error.code === 'unclosed-block')) {
    return parseOnce(text, file, true);
  }
  return first;
}

function parseOnce(text: string, file: string, recoverByIndentation: boolean): ParsedFile {
  const lineStarts = computeLineStarts(text);
  const lastLine = lineStarts.length - 1;
  const lexer = new Lexer(text);
  const comments: Comment[] = [];
  const errors: ParseError[] = [];
  const topLevel: Directive[] = [];
  const stack: Frame[] = [{ directive: undefined, children: topLevel, indent: -1, indented: undefined }];
  let pending: PendingStatement | undefined;
  let openErrors: OpenError[] = [];

  // Positions are asked for in nearly increasing order: walk a cursor forward, and fall back to a
  // binary search for the rare step back.
  let cursorLine = 0;
  const positionOf = (offset: number): Position => {
    if (offset < (lineStarts[cursorLine] ?? 0)) {
      let low = 0;
      let high = cursorLine;
      while (low < high) {
        const mid = (low + high + 1) >> 1;
        if ((lineStarts[mid] ?? 0) <= offset) low = mid;
        else high = mid - 1;
      }
      return { line: low, character: offset - (lineStarts[low] ?? 0) };
    }
    while (cursorLine + 1 < lineStarts.length && (lineStarts[cursorLine + 1] ?? 0) <= offset) cursorLine++;
    return { line: cursorLine, character: offset - (lineStarts[cursorLine] ?? 0) };
  };
  const rangeOf = (offset: number, end: number): Range => ({ start: positionOf(offset), end: positionOf(end) });

  const toWord = (token: Token): Word => ({
    raw: token.raw,
    value: token.value,
    quote: token.quote,
    range: rangeOf(token.offset, token.end),
    offset: token.offset,
    endOffset: token.end,
  });

  const settleOpenErrors = (line: number): void => {
    for (const open of openErrors) errors.push({ ...open, nginxLine: line });
    openErrors = [];
  };

  const top = (): Frame => stack[stack.length - 1] as Frame;

  const addChild = (directive: MutableDirective): void => {
    const frame = top();
    if (frame.indented === undefined && frame.directive) {
      frame.indented = pendingStartsLine && pendingIndent > frame.indent;
    }
    frame.children.push(directive as Directive);
  };

  let pendingStartsLine = false;
  let pendingIndent = 0;

  const makeDirective = (words: Token[]): MutableDirective => {
    const [nameToken, ...argTokens] = words as [Token, ...Token[]];
    const nameWord = toWord(nameToken);
    const args = argTokens.map(toWord);
    const last = args[args.length - 1] ?? nameWord;
    return {
      kind: 'directive',
      name: nameWord.value,
      nameWord,
      args,
      semicolonRange: undefined,
      block: undefined,
      range: { start: nameWord.range.start, end: last.range.end },
      offset: nameToken.offset,
      endOffset: last.endOffset,
      parent: top().directive as Directive | undefined,
    };
  };

  /** Ends the pending statement whose `;` is missing; nginx notices at the next terminator. */
  const flushWithoutSemicolon = (nginxLine: number | undefined): void => {
    if (!pending) return;
    const directive = makeDirective(pending.words);
    const lastWord = directive.args[directive.args.length - 1] ?? directive.nameWord;
    const open: OpenError = {
      code: 'missing-semicolon',
      message: `Missing ";" after the "${directive.name}" directive.`,
      range: lastWord.range,
    };
    if (nginxLine === undefined) openErrors.push(open);
    else errors.push({ ...open, nginxLine });
    addChild(directive);
    pending = undefined;
  };

  const closeFrame = (closeToken: Token | undefined): void => {
    const frame = stack.pop();
    if (!frame?.directive?.block) return;
    const directive = frame.directive;
    const block = directive.block as MutableBlock;
    if (closeToken) {
      block.closeRange = rangeOf(closeToken.offset, closeToken.end);
      directive.range = { start: directive.range.start, end: block.closeRange.end };
      directive.endOffset = closeToken.end;
    } else {
      const lastChild = block.children[block.children.length - 1];
      if (lastChild) {
        directive.range = { start: directive.range.start, end: lastChild.range.end };
        directive.endOffset = lastChild.endOffset;
      }
      errors.push({
        code: 'unclosed-block',
        message: `The "${directive.name}" block is never closed: a "}" is missing.`,
        range: { start: directive.nameWord.range.start, end: block.openRange.end },
        nginxLine: lastLine,
      });
    }
  };

  for (let token = lexer.next(); token; token = lexer.next()) {
    switch (token.kind) {
      case 'comment':
        comments.push({ kind: 'comment', text: token.value, range: rangeOf(token.offset, token.end), offset: token.offset });
        break;

      case 'word': {
        if (
          pending &&
          token.startsLine &&
          token.quote === null &&
          pendingStartsLine &&
          token.indent <= pendingIndent &&
          IDENTIFIER.test(token.raw)
        ) {
          // A directive-like word at the start of a line, no deeper than the statement before it:
          // that statement's `;` is missing. (A continuation line is indented deeper or quoted.)
          flushWithoutSemicolon(undefined);
        }
        if (!pending) {
          if (recoverByIndentation && token.startsLine) {
            for (;;) {
              const frame = top();
              if (!frame.directive || frame.indented !== true || token.indent > frame.indent) break;
              closeFrame(undefined);
            }
          }
          pending = { words: [token] };
          pendingStartsLine = token.startsLine;
          pendingIndent = token.indent;
        } else {
          pending.words.push(token);
        }
        break;
      }

      case ';': {
        const line = positionOf(token.offset).line;
        settleOpenErrors(line);
        if (!pending) {
          errors.push({
            code: 'unexpected-semicolon',
            message: 'Unexpected ";": there is no directive for it to end.',
            range: rangeOf(token.offset, token.end),
            nginxLine: line,
          });
          break;
        }
        const directive = makeDirective(pending.words);
        directive.semicolonRange = rangeOf(token.offset, token.end);
        directive.range = { start: directive.range.start, end: directive.semicolonRange.end };
        directive.endOffset = token.end;
        addChild(directive);
        pending = undefined;
        break;
      }

      case '{': {
        const openRange = rangeOf(token.offset, token.end);
        settleOpenErrors(openRange.start.line);
        if (!pending) {
          errors.push({
            code: 'unexpected-open-brace',
            message: 'Unexpected "{": a block needs a directive name before it.',
            range: openRange,
            nginxLine: openRange.start.line,
          });
          // Keep the braces balanced: its contents count as the enclosing block's.
          stack.push({ directive: undefined, children: top().children, indent: token.indent, indented: false });
          break;
        }
        const directive = makeDirective(pending.words);
        const lineIndent = pendingStartsLine ? pendingIndent : token.indent;
        const block: MutableBlock = { openRange, closeRange: undefined, children: [], rawBody: undefined };
        directive.block = block;
        directive.range = { start: directive.range.start, end: openRange.end };
        directive.endOffset = token.end;
        addChild(directive);
        pending = undefined;
        if (isLuaBlock(directive.name)) {
          const bodyStart = lexer.offset;
          const close = lexer.readLuaBody();
          const bodyEnd = close ?? text.length;
          block.rawBody = { text: text.slice(bodyStart, bodyEnd), range: rangeOf(bodyStart, bodyEnd) };
          if (close === undefined) {
            errors.push({
              code: 'unterminated-lua-block',
              message: `The Lua code of "${directive.name}" is never closed: a "}" is missing.`,
              range: { start: directive.nameWord.range.start, end: openRange.end },
              nginxLine: lastLine,
            });
            directive.range = { start: directive.range.start, end: positionOf(bodyEnd) };
            directive.endOffset = bodyEnd;
          } else {
            const closeToken = lexer.next() as Token;
            block.closeRange = rangeOf(closeToken.offset, closeToken.end);
            directive.range = { start: directive.range.start, end: block.closeRange.end };
            directive.endOffset = closeToken.end;
          }
          break;
        }
        stack.push({ directive, children: block.children, indent: lineIndent, indented: undefined });
        break;
      }

      case '}': {
        const line = positionOf(token.offset).line;
        settleOpenErrors(line);
        if (pending) flushWithoutSemicolon(line);
        if (stack.length > 1) {
          closeFrame(token);
        } else {
          errors.push({
            code: 'unexpected-close-brace',
            message: 'Unexpected "}": no block is open here.',
            range: rangeOf(token.offset, token.end),
            nginxLine: line,
          });
        }
        break;
      }
    }
  }

  settleOpenErrors(lastLine);
  if (pending) flushWithoutSemicolon(lastLine);
  while (stack.length > 1) closeFrame(undefined);

  for (const problem of lexer.problems) {
    const range = rangeOf(problem.offset, problem.end);
    errors.push(
      problem.kind === 'unterminated-string'
        ? {
            code: 'unterminated-string',
            message: `Unterminated string: the closing ${problem.detail} is missing.`,
            range,
            nginxLine: lastLine,
          }
        : {
            code: 'unexpected-character',
            message: `Unexpected "${problem.detail}" right after a quoted string: nginx needs a space, ";" or "{" there.`,
            range,
            nginxLine: range.start.line,
          },
    );
  }
  errors.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);

  return {
    file,
    text,
    directives: topLevel,
    comments,
    errors,
    lineEnding: dominantLineEnding(text),
    lineStarts,
  };
}
