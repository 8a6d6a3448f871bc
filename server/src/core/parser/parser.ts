import type {
  Block,
  Comment,
  Directive,
  LineEnding,
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
const NO_DIRECTIVES: readonly Directive[] = Object.freeze([]);

/**
 * The fields of one directive record in `SyntaxTable.records`: the whole tree of a file is a few
 * typed arrays, and `Directive` objects are made only when asked for. A 4 MB config has 130,000
 * directives; as objects they were most of what the garbage collector had to copy.
 */
const enum Field {
  /** Word-table index of the name; the arguments follow it. */
  FirstWord = 0,
  WordCount = 1,
  /** Record index of the directive whose block holds this one; -1 at top level. */
  Parent = 2,
  /** Offset of the `;`; -1 when there is none. */
  Semicolon = 3,
  End = 4,
  /** Offset of the block's `{`; -1 for a directive without a block. */
  Open = 5,
  /** Offset of the block's `}`; -1 when there is no block or it was never closed. */
  Close = 6,
  FirstChild = 7,
  NextSibling = 8,
  /** Index of the name in `SyntaxTable.names`. */
  Name = 9,
  Stride = 10,
}

/** The directive records of one file, in document order (a block before its children). */
export class SyntaxTable {
  records: Int32Array;
  count = 0;
  /** Distinct directive names, each once: `Field.Name` indexes it. */
  readonly names: string[] = [];
  private readonly nameIds = new Map<string, number>();
  /** Record index of the first top-level directive; -1 for an empty file. */
  firstTopLevel = -1;
  /** Bodies of `*_by_lua_block` blocks, by record index: [start, end) offsets. */
  readonly rawBodies = new Map<number, readonly [number, number]>();

  constructor(
    readonly words: WordTable,
    expected: number,
  ) {
    this.records = new Int32Array(Math.max(16, expected) * Field.Stride);
  }

  nameId(name: string): number {
    let id = this.nameIds.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.nameIds.set(name, id);
    }
    return id;
  }

  add(firstWord: number, wordCount: number, parent: number, name: string): number {
    const index = this.count;
    let records = this.records;
    if ((index + 1) * Field.Stride > records.length) {
      const grown = new Int32Array(records.length * 2);
      grown.set(records);
      this.records = records = grown;
    }
    const at = index * Field.Stride;
    records[at + Field.FirstWord] = firstWord;
    records[at + Field.WordCount] = wordCount;
    records[at + Field.Parent] = parent;
    records[at + Field.Semicolon] = -1;
    records[at + Field.End] = this.words.cells[(firstWord + wordCount - 1) * 3 + 1] as number;
    records[at + Field.Open] = -1;
    records[at + Field.Close] = -1;
    records[at + Field.FirstChild] = -1;
    records[at + Field.NextSibling] = -1;
    records[at + Field.Name] = this.nameId(name);
    this.count = index + 1;
    return index;
  }

  get(index: number, field: Field): number {
    return this.records[index * Field.Stride + field] as number;
  }

  set(index: number, field: Field, value: number): void {
    this.records[index * Field.Stride + field] = value;
  }

  name(index: number): string {
    return this.names[this.records[index * Field.Stride + Field.Name] as number] as string;
  }

  nameIdOf(index: number): number {
    return this.records[index * Field.Stride + Field.Name] as number;
  }

  parent(index: number): number {
    return this.records[index * Field.Stride + Field.Parent] as number;
  }

  firstChild(index: number): number {
    return index < 0 ? this.firstTopLevel : (this.records[index * Field.Stride + Field.FirstChild] as number);
  }

  nextSibling(index: number): number {
    return this.records[index * Field.Stride + Field.NextSibling] as number;
  }

  hasBlock(index: number): boolean {
    return (this.records[index * Field.Stride + Field.Open] as number) >= 0;
  }

  argCount(index: number): number {
    return (this.records[index * Field.Stride + Field.WordCount] as number) - 1;
  }

  /** What nginx sees of argument `arg` of directive `index`; undefined past the last one. */
  argValue(index: number, arg: number): string | undefined {
    const at = index * Field.Stride;
    if (arg < 0 || arg >= (this.records[at + Field.WordCount] as number) - 1) return undefined;
    return this.words.value((this.records[at + Field.FirstWord] as number) + 1 + arg);
  }
}

/**
 * A directive, made from its record on first use and then kept, so that the same directive is
 * always the same object.
 */
class DirectiveNode implements Directive {
  declare readonly kind: 'directive';
  private name_: Word | undefined;
  private args_: readonly Word[] | undefined;
  private block_: BlockNode | undefined;
  constructor(
    private readonly file: ParsedFileImpl,
    readonly index: number,
  ) {}
  private get syntax(): SyntaxTable {
    return this.file.syntax;
  }
  get name(): string {
    return this.syntax.name(this.index);
  }
  get nameWord(): Word {
    return (this.name_ ??= this.syntax.words.word(this.syntax.get(this.index, Field.FirstWord)));
  }
  /** Made on first use and kept: rules read arguments of the same directive many times. */
  get args(): readonly Word[] {
    if (!this.args_) {
      const count = this.syntax.get(this.index, Field.WordCount);
      if (count === 1) {
        this.args_ = NO_WORDS;
      } else {
        const first = this.syntax.get(this.index, Field.FirstWord);
        const words: Word[] = [];
        for (let i = 1; i < count; i++) words.push(this.syntax.words.word(first + i));
        this.args_ = words;
      }
    }
    return this.args_;
  }
  get argCount(): number {
    return this.syntax.argCount(this.index);
  }
  argValue(index: number): string | undefined {
    if (this.args_) return index < 0 ? undefined : this.args_[index]?.value;
    return this.syntax.argValue(this.index, index);
  }
  get offset(): number {
    return this.syntax.words.cells[this.syntax.get(this.index, Field.FirstWord) * 3] as number;
  }
  get endOffset(): number {
    return this.syntax.get(this.index, Field.End);
  }
  get semicolonOffset(): number {
    return this.syntax.get(this.index, Field.Semicolon);
  }
  get range(): Range {
    return this.file.source.rangeOf(this.offset, this.endOffset);
  }
  get semicolonRange(): Range | undefined {
    const offset = this.semicolonOffset;
    return offset < 0 ? undefined : this.file.source.rangeOf(offset, offset + 1);
  }
  get block(): Block | undefined {
    if (this.block_) return this.block_;
    if (!this.syntax.hasBlock(this.index)) return undefined;
    return (this.block_ = new BlockNode(this.file, this.index));
  }
  get parent(): Directive | undefined {
    const parent = this.syntax.parent(this.index);
    return parent < 0 ? undefined : this.file.directiveAt(parent);
  }
}
Object.defineProperty(DirectiveNode.prototype, 'kind', { value: 'directive', enumerable: true });

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
  private children_: readonly Directive[] | undefined;
  constructor(
    private readonly file: ParsedFileImpl,
    private readonly index: number,
  ) {}
  get openOffset(): number {
    return this.file.syntax.get(this.index, Field.Open);
  }
  get closeOffset(): number {
    return this.file.syntax.get(this.index, Field.Close);
  }
  get openRange(): Range {
    return this.file.source.rangeOf(this.openOffset, this.openOffset + 1);
  }
  get closeRange(): Range | undefined {
    const offset = this.closeOffset;
    return offset < 0 ? undefined : this.file.source.rangeOf(offset, offset + 1);
  }
  get children(): Directive[] {
    return (this.children_ ??= this.file.childrenOf(this.index)) as Directive[];
  }
  get rawBody(): { readonly text: string; readonly range: Range } | undefined {
    const body = this.file.syntax.rawBodies.get(this.index);
    if (!body) return undefined;
    return { text: this.file.text.slice(body[0], body[1]), range: this.file.source.rangeOf(body[0], body[1]) };
  }
}

/** The result of `parse`: the records, with `Directive` objects made on demand. */
export class ParsedFileImpl implements ParsedFile {
  private nodes: (DirectiveNode | undefined)[] | undefined;
  private topLevel: readonly Directive[] | undefined;
  readonly lineEnding: LineEnding;
  constructor(
    readonly file: string,
    readonly source: SourceTextImpl,
    readonly syntax: SyntaxTable,
    readonly comments: readonly Comment[],
    readonly errors: readonly ParseError[],
  ) {
    this.lineEnding = dominantLineEnding(source.text);
  }
  get text(): string {
    return this.source.text;
  }
  get directives(): readonly Directive[] {
    return (this.topLevel ??= this.childrenOf(-1));
  }
  /** The directive of record `index`, always the same object. */
  directiveAt(index: number): Directive {
    const nodes = (this.nodes ??= new Array<DirectiveNode | undefined>(this.syntax.count));
    return (nodes[index] ??= new DirectiveNode(this, index));
  }
  /** The directives in the block of record `index` (-1: the top level). */
  childrenOf(index: number): Directive[] {
    const syntax = this.syntax;
    const first = syntax.firstChild(index);
    if (first < 0) return NO_DIRECTIVES as Directive[];
    const children: Directive[] = [];
    for (let child = first; child >= 0; child = syntax.nextSibling(child)) children.push(this.directiveAt(child));
    return children;
  }
}

/** The directives of one block as the parser appends them: a linked list through the records. */
class ChildList {
  first = -1;
  last = -1;
  constructor(
    private readonly syntax: SyntaxTable,
    /** The block's directive; -1 for the top level. */
    readonly owner: number,
  ) {}
  push(index: number): void {
    if (this.last >= 0) this.syntax.set(this.last, Field.NextSibling, index);
    else {
      this.first = index;
      if (this.owner >= 0) this.syntax.set(this.owner, Field.FirstChild, index);
      else this.syntax.firstTopLevel = index;
    }
    this.last = index;
  }
}

interface Frame {
  /** Record of the block's directive; -1 for the file's top level and for a `{` that had no directive name. */
  readonly directive: number;
  /** Where the directives read in this frame go (for a `{` with no name, the enclosing block's list). */
  readonly children: ChildList;
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
  // About one word per 16 characters and one directive per 40 of a typical config: one
  // allocation each, rarely a regrowth.
  const table = new WordTable(source, text.length >> 4);
  const syntax = new SyntaxTable(table, Math.floor(text.length / 40));
  const stack: Frame[] = [{ directive: -1, children: new ChildList(syntax, -1), indent: -1, indented: undefined }];
  const lastLine = (): number => source.lineStarts.length - 1;
  const lineOf = (offset: number): number => source.positionAt(offset).line;

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

  /** Ends the pending statement: appends its record to the current block. */
  const takePending = (): number => {
    const frame = top();
    const first = pending;
    pending = -1;
    const index = syntax.add(first, table.count - first, frame.children.owner, pendingName);
    if (frame.indented === undefined && frame.directive >= 0) {
      frame.indented = pendingStartsLine && pendingIndent > frame.indent;
    }
    frame.children.push(index);
    return index;
  };

  /** Ends the pending statement whose `;` is missing; `nginxLine` undefined: at the next terminator. */
  const flushWithoutSemicolon = (nginxLine: number | undefined): void => {
    const lastWord = table.count - 1;
    const lastQuote = table.cells[lastWord * 3 + 2];
    const index = takePending();
    // A statement cut short by an unterminated string has no `;` because the string swallowed it:
    // the string's error says so, and nginx reports the end of the file, not the next terminator.
    if (lastQuote === QuoteCode.DoubleOpen || lastQuote === QuoteCode.SingleOpen) return;
    const open: OpenError = {
      code: 'missing-semicolon',
      message: `Missing ";" after the "${syntax.name(index)}" directive.`,
      range: source.rangeOf(table.cells[lastWord * 3] as number, table.cells[lastWord * 3 + 1] as number),
    };
    if (nginxLine === undefined) openErrors.push(open);
    else errors.push({ ...open, nginxLine });
  };

  const closeFrame = (closeOffset: number): void => {
    const frame = stack.pop();
    const directive = frame?.directive ?? -1;
    if (directive < 0) return;
    if (closeOffset >= 0) {
      syntax.set(directive, Field.Close, closeOffset);
      syntax.set(directive, Field.End, closeOffset + 1);
      return;
    }
    const lastChild = frame?.children.last ?? -1;
    if (lastChild >= 0) syntax.set(directive, Field.End, syntax.get(lastChild, Field.End));
    const start = table.cells[syntax.get(directive, Field.FirstWord) * 3] as number;
    errors.push({
      code: 'unclosed-block',
      message: `The "${syntax.name(directive)}" block is never closed: a "}" is missing.`,
      range: source.rangeOf(start, syntax.get(directive, Field.Open) + 1),
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
            if (frame.directive < 0 || frame.indented !== true || indent > frame.indent) break;
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
        const index = takePending();
        syntax.set(index, Field.Semicolon, offset);
        syntax.set(index, Field.End, offset + 1);
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
          stack.push({ directive: -1, children: top().children, indent: lexer.tokenIndent, indented: false });
          break;
        }
        const lineIndent = pendingStartsLine ? pendingIndent : lexer.tokenIndent;
        const index = takePending();
        syntax.set(index, Field.Open, offset);
        syntax.set(index, Field.End, offset + 1);
        const name = syntax.name(index);
        if (isLuaBlock(name)) {
          const bodyStart = lexer.offset;
          const close = lexer.readLuaBody();
          const bodyEnd = close < 0 ? text.length : close;
          syntax.rawBodies.set(index, [bodyStart, bodyEnd]);
          if (close < 0) {
            const start = table.cells[syntax.get(index, Field.FirstWord) * 3] as number;
            errors.push({
              code: 'unterminated-lua-block',
              message: `The Lua code of "${name}" is never closed: a "}" is missing.`,
              range: source.rangeOf(start, offset + 1),
              nginxLine: lastLine(),
            });
            syntax.set(index, Field.End, bodyEnd);
          } else {
            lexer.scan();
            syntax.set(index, Field.Close, close);
            syntax.set(index, Field.End, close + 1);
          }
          break;
        }
        stack.push({
          directive: index,
          children: new ChildList(syntax, index),
          indent: lineIndent,
          indented: undefined,
        });
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

  return new ParsedFileImpl(file, source, syntax, comments, errors);
}
