import type {
  Block,
  Comment,
  Directive,
  ParseError,
  ParseErrorCode,
  ParsedFile,
  QuoteKind,
  Range,
  SourceText,
  Word,
} from './ast';
import { Lexer, TokenKind, unescapeNginx } from './lexer';
import { SourceTextImpl, dominantLineEnding } from './text';

// Nodes are classes whose ranges are computed on demand from offsets: a 4 MB config has
// hundreds of thousands of words, and most analyses never ask where they are.

class WordNode implements Word {
  constructor(
    private readonly source: SourceText,
    readonly offset: number,
    readonly endOffset: number,
    readonly value: string,
    readonly quote: QuoteKind,
  ) {}
  get raw(): string {
    return this.source.text.slice(this.offset, this.endOffset);
  }
  get range(): Range {
    return this.source.rangeOf(this.offset, this.endOffset);
  }
}

/** How a word was quoted, packed into the per-file word table. */
const enum QuoteCode {
  None = 0,
  Double = 1,
  Single = 2,
  /** An unterminated string: it has an opening quote but no closing one. */
  DoubleOpen = 3,
  SingleOpen = 4,
}

/**
 * Every word of a file as (start, end, quote code) triples in one array of small integers: a
 * directive keeps only where its words start in it, and makes `Word` objects when first asked.
 */
class WordTable {
  /**
   * A typed array grown by doubling: half a million words make 1.5 million cells, and a plain
   * array of that size costs more to grow and to scan for the garbage collector.
   */
  cells: Int32Array;
  private length = 0;
  constructor(
    readonly source: SourceText,
    expectedWords: number,
  ) {
    this.cells = new Int32Array(Math.max(48, expectedWords * 3));
  }

  get count(): number {
    return this.length / 3;
  }

  add(start: number, end: number, quote: QuoteCode): void {
    let cells = this.cells;
    const at = this.length;
    if (at + 3 > cells.length) {
      const grown = new Int32Array(cells.length * 2);
      grown.set(cells);
      this.cells = cells = grown;
    }
    cells[at] = start;
    cells[at + 1] = end;
    cells[at + 2] = quote;
    this.length = at + 3;
  }

  /** What nginx sees of word `index`, without making a Word for it. */
  value(index: number): string {
    const cells = this.cells;
    const start = cells[index * 3] as number;
    const end = cells[index * 3 + 1] as number;
    const code = cells[index * 3 + 2] as QuoteCode;
    const text = this.source.text;
    if (code === QuoteCode.None) {
      const raw = text.slice(start, end);
      return raw.indexOf('\\') < 0 ? raw : unescapeNginx(raw);
    }
    const closed = code === QuoteCode.Double || code === QuoteCode.Single;
    return unescapeNginx(text.slice(start + 1, closed ? end - 1 : end));
  }

  word(index: number): WordNode {
    const cells = this.cells;
    const code = cells[index * 3 + 2] as QuoteCode;
    const quote =
      code === QuoteCode.None ? null : code === QuoteCode.Double || code === QuoteCode.DoubleOpen ? '"' : "'";
    return new WordNode(
      this.source,
      cells[index * 3] as number,
      cells[index * 3 + 1] as number,
      this.value(index),
      quote,
    );
  }
}

const NO_WORDS: readonly Word[] = Object.freeze([]);

class DirectiveNode implements Directive {
  readonly kind = 'directive';
  endOffset: number;
  semicolonOffset = -1;
  block: BlockNode | undefined = undefined;
  private name_: Word | undefined;
  private args_: readonly Word[] | undefined;
  constructor(
    private readonly table: WordTable,
    /** Index in the word table of the name; the arguments follow it. */
    private readonly firstWord: number,
    private readonly wordCount: number,
    readonly name: string,
    readonly offset: number,
    readonly parent: Directive | undefined,
  ) {
    this.endOffset = table.cells[(firstWord + wordCount - 1) * 3 + 1] as number;
  }
  get nameWord(): Word {
    return (this.name_ ??= this.table.word(this.firstWord));
  }
  /** Made on first use and kept: the model reads arguments of the same directive many times. */
  get args(): readonly Word[] {
    if (!this.args_) {
      if (this.wordCount === 1) {
        this.args_ = NO_WORDS;
      } else {
        const words: Word[] = [];
        for (let i = 1; i < this.wordCount; i++) words.push(this.table.word(this.firstWord + i));
        this.args_ = words;
      }
    }
    return this.args_;
  }
  get argCount(): number {
    return this.wordCount - 1;
  }
  argValue(index: number): string | undefined {
    if (index < 0 || index >= this.wordCount - 1) return undefined;
    return this.args_ ? this.args_[index]?.value : this.table.value(this.firstWord + 1 + index);
  }
  get range(): Range {
    return this.table.source.rangeOf(this.offset, this.endOffset);
  }
  get semicolonRange(): Range | undefined {
    return this.semicolonOffset < 0
      ? undefined
      : this.table.source.rangeOf(this.semicolonOffset, this.semicolonOffset + 1);
  }
}

class CommentNode implements Comment {
  readonly kind = 'comment';
  constructor(
    private readonly source: SourceText,
    readonly offset: number,
    readonly endOffset: number,
    readonly text: string,
  ) {}
  get range(): Range {
    return this.source.rangeOf(this.offset, this.endOffset);
  }
}

class BlockNode implements Block {
  closeOffset = -1;
  readonly children: Directive[] = [];
  rawBody: { text: string; range: Range } | undefined = undefined;
  constructor(
    private readonly source: SourceText,
    readonly openOffset: number,
  ) {}
  get openRange(): Range {
    return this.source.rangeOf(this.openOffset, this.openOffset + 1);
  }
  get closeRange(): Range | undefined {
    return this.closeOffset < 0 ? undefined : this.source.rangeOf(this.closeOffset, this.closeOffset + 1);
  }
}

interface Frame {
  /** Undefined for the file's top level and for a `{` that had no directive name. */
  readonly directive: DirectiveNode | undefined;
  /** The directive the children read in this frame belong to (for a `{` with no name, the enclosing one's). */
  readonly owner: DirectiveNode | undefined;
  readonly children: Directive[];
  /** Indentation of the line that opened the block. */
  readonly indent: number;
  /** Whether the block's first child sits deeper than the block: then indentation means nesting. */
  indented: boolean | undefined;
}

/** A mistake nginx notices only at the next `;`, `{` or `}`: its line is known later. */
interface OpenError {
  readonly code: ParseErrorCode;
  readonly message: string;
  readonly range: Range;
}

function isIdentifierStart(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95;
}

function isIdentifier(text: string, start: number, end: number): boolean {
  if (!isIdentifierStart(text.charCodeAt(start))) return false;
  for (let i = start + 1; i < end; i++) {
    const code = text.charCodeAt(i);
    if (!isIdentifierStart(code) && !(code >= 48 && code <= 57)) return false;
  }
  return true;
}

/** Block directives whose body is Lua code, read by lua-nginx-module's own parser. */
export function isLuaBlock(name: string): boolean {
  return name.endsWith('_by_lua_block');
}

/**
 * Parses one nginx configuration file. Never throws: every problem becomes a `ParseError`
 * and parsing goes on, so that the directives after a mistake are still analysed.
 */
export function parse(text: string, file = ''): ParsedFile {
  const source = new SourceTextImpl(text);
  const first = parseOnce(source, file, false);
  // A balanced file parses once. Only when a block is left open do we parse again, letting
  // indentation close blocks early, so that one missing `}` does not swallow the rest of the file.
  if (first.errors.some((error) => error.code === 'unclosed-block')) {
    return parseOnce(source, file, true);
  }
  return first;
}

function parseOnce(source: SourceTextImpl, file: string, recoverByIndentation: boolean): ParsedFile {
  const text = source.text;
  const lexer = new Lexer(text);
  const comments: Comment[] = [];
  const errors: ParseError[] = [];
  const topLevel: Directive[] = [];
  const stack: Frame[] = [
    { directive: undefined, owner: undefined, children: topLevel, indent: -1, indented: undefined },
  ];
  const lastLine = (): number => source.lineStarts.length - 1;
  const lineOf = (offset: number): number => source.positionAt(offset).line;

  // About one word per 16 characters of a typical config: one allocation, rarely a regrowth.
  const table = new WordTable(source, text.length >> 4);
  /** Word-table index of the pending statement's first word; -1: none. */
  let pending = -1;
  let pendingName = '';
  let pendingStartsLine = false;
  let pendingIndent = 0;
  let openErrors: OpenError[] = [];

  /** A `;`, `{` or `}` where none can stand: nginx reports it on its own line. */
  const punctuationError = (code: ParseErrorCode, message: string, offset: number): void => {
    errors.push({ code, message, range: source.rangeOf(offset, offset + 1), nginxLine: lineOf(offset) });
  };

  const top = (): Frame => stack[stack.length - 1] as Frame;

  const settleOpenErrors = (line: number): void => {
    for (const open of openErrors) errors.push({ ...open, nginxLine: line });
    openErrors = [];
  };

  const takePending = (): DirectiveNode => {
    const frame = top();
    const first = pending;
    pending = -1;
    const offset = table.cells[first * 3] as number;
    const directive = new DirectiveNode(table, first, table.count - first, pendingName, offset, frame.owner);
    if (frame.indented === undefined && frame.directive) {
      frame.indented = pendingStartsLine && pendingIndent > frame.indent;
    }
    frame.children.push(directive);
    return directive;
  };

  /** Ends the pending statement whose `;` is missing; `nginxLine` undefined: at the next terminator. */
  const flushWithoutSemicolon = (nginxLine: number | undefined): void => {
    const lastQuote = table.cells[(table.count - 1) * 3 + 2];
    const directive = takePending();
    // A statement cut short by an unterminated string has no `;` because the string swallowed it:
    // the string's error says so, and nginx reports the end of the file, not the next terminator.
    if (lastQuote === QuoteCode.DoubleOpen || lastQuote === QuoteCode.SingleOpen) return;
    const lastWord = directive.args[directive.args.length - 1] ?? directive.nameWord;
    const open: OpenError = {
      code: 'missing-semicolon',
      message: `Missing ";" after the "${directive.name}" directive.`,
      range: lastWord.range,
    };
    if (nginxLine === undefined) openErrors.push(open);
    else errors.push({ ...open, nginxLine });
  };

  const closeFrame = (closeOffset: number): void => {
    const frame = stack.pop();
    const directive = frame?.directive;
    if (!directive?.block) return;
    const block = directive.block;
    if (closeOffset >= 0) {
      block.closeOffset = closeOffset;
      directive.endOffset = closeOffset + 1;
      return;
    }
    const lastChild = block.children[block.children.length - 1];
    if (lastChild) directive.endOffset = lastChild.endOffset;
    errors.push({
      code: 'unclosed-block',
      message: `The "${directive.name}" block is never closed: a "}" is missing.`,
      range: source.rangeOf(directive.offset, block.openOffset + 1),
      nginxLine: lastLine(),
    });
  };

  for (let kind = lexer.scan(); kind !== TokenKind.EOF; kind = lexer.scan()) {
    switch (kind) {
      case TokenKind.Comment:
        comments.push(new CommentNode(source, lexer.tokenStart, lexer.tokenEnd, lexer.tokenValue()));
        break;

      case TokenKind.Word: {
        const start = lexer.tokenStart;
        const startsLine = lexer.tokenStartsLine;
        const indent = lexer.tokenIndent;
        if (
          pending >= 0 &&
          startsLine &&
          pendingStartsLine &&
          indent <= pendingIndent &&
          lexer.tokenQuote === null &&
          isIdentifier(text, start, lexer.tokenEnd)
        ) {
          // A directive-like word that starts a line no deeper than the statement before it:
          // that statement's `;` is missing. (A continuation line is indented deeper, or quoted.)
          flushWithoutSemicolon(undefined);
        }
        const quote = lexer.tokenQuote;
        const unterminated = quote !== null && lexer.tokenUnterminated;
        const quoteCode =
          quote === null
            ? QuoteCode.None
            : quote === '"'
              ? unterminated
                ? QuoteCode.DoubleOpen
                : QuoteCode.Double
              : unterminated
                ? QuoteCode.SingleOpen
                : QuoteCode.Single;
        if (pending >= 0) {
          table.add(start, lexer.tokenEnd, quoteCode);
          break;
        }
        if (recoverByIndentation && startsLine) {
          for (;;) {
            const frame = top();
            if (!frame.directive || frame.indented !== true || indent > frame.indent) break;
            closeFrame(-1);
          }
        }
        pending = table.count;
        pendingName = lexer.tokenValue();
        table.add(start, lexer.tokenEnd, quoteCode);
        pendingStartsLine = startsLine;
        pendingIndent = indent;
        break;
      }

      case TokenKind.Semicolon: {
        const offset = lexer.tokenStart;
        if (openErrors.length) settleOpenErrors(lineOf(offset));
        if (pending < 0) {
          punctuationError('unexpected-semicolon', 'Unexpected ";": there is no directive for it to end.', offset);
          break;
        }
        const directive = takePending();
        directive.semicolonOffset = offset;
        directive.endOffset = offset + 1;
        break;
      }

      case TokenKind.Open: {
        const offset = lexer.tokenStart;
        if (openErrors.length) settleOpenErrors(lineOf(offset));
        if (pending < 0) {
          punctuationError(
            'unexpected-open-brace',
            'Unexpected "{": a block needs a directive name before it.',
            offset,
          );
          // Keep the braces balanced: what it holds counts as the enclosing block's.
          stack.push({
            directive: undefined,
            owner: top().owner,
            children: top().children,
            indent: lexer.tokenIndent,
            indented: false,
          });
          break;
        }
        const lineIndent = pendingStartsLine ? pendingIndent : lexer.tokenIndent;
        const directive = takePending();
        const block = new BlockNode(source, offset);
        directive.block = block;
        directive.endOffset = offset + 1;
        if (isLuaBlock(directive.name)) {
          const bodyStart = lexer.offset;
          const close = lexer.readLuaBody();
          const bodyEnd = close < 0 ? text.length : close;
          block.rawBody = { text: text.slice(bodyStart, bodyEnd), range: source.rangeOf(bodyStart, bodyEnd) };
          if (close < 0) {
            errors.push({
              code: 'unterminated-lua-block',
              message: `The Lua code of "${directive.name}" is never closed: a "}" is missing.`,
              range: source.rangeOf(directive.offset, offset + 1),
              nginxLine: lastLine(),
            });
            directive.endOffset = bodyEnd;
          } else {
            lexer.scan();
            block.closeOffset = close;
            directive.endOffset = close + 1;
          }
          break;
        }
        stack.push({ directive, owner: directive, children: block.children, indent: lineIndent, indented: undefined });
        break;
      }

      case TokenKind.Close: {
        const offset = lexer.tokenStart;
        if (openErrors.length) settleOpenErrors(lineOf(offset));
        if (pending >= 0) flushWithoutSemicolon(lineOf(offset));
        if (stack.length > 1) {
          closeFrame(offset);
        } else {
          punctuationError('unexpected-close-brace', 'Unexpected "}": no block is open here.', offset);
        }
        break;
      }
    }
  }

  if (openErrors.length) settleOpenErrors(lastLine());
  if (pending >= 0) flushWithoutSemicolon(lastLine());
  while (stack.length > 1) closeFrame(-1);

  for (const problem of lexer.problems) {
    const range = source.rangeOf(problem.offset, problem.end);
    errors.push(
      problem.kind === 'template-placeholder'
        ? {
            code: 'template-placeholder',
            message: `"${problem.detail}" is a template placeholder: nginx cannot read this file until it is filled in.`,
            range,
            nginxLine: range.start.line,
          }
        : problem.kind === 'unterminated-string'
          ? {
              code: 'unterminated-string',
              message: `Unterminated string: the closing ${problem.detail} is missing.`,
              range,
              nginxLine: lastLine(),
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
    source,
  };
}
