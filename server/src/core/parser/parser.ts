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
  /**
   * Open-addressing hash table of name index + 1 (0: empty), so that a name written in the text
   * is found without slicing it out: 130,000 directives use a hundred distinct names.
   */
  private slots = new Int32Array(256);
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

  /** The index of `name`, added when new. */
  nameId(name: string): number {
    return this.intern(name, 0, name.length);
  }

  /** The index of the name written in `text` at [start, end), without escapes or quotes. */
  nameIdAt(start: number, end: number): number {
    return this.intern(this.words.source.text, start, end);
  }

  private intern(text: string, start: number, end: number): number {
    let hash = 0x811c9dc5;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
    const length = end - start;
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot] as number;
      if (entry === 0) break;
      const candidate = this.names[entry - 1] as string;
      if (candidate.length === length && text.startsWith(candidate, start)) return entry - 1;
    }
    const id = this.names.length;
    this.names.push(start === 0 && end === text.length ? text : text.slice(start, end));
    if (this.names.length * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    else this.place(hash, id);
    return id;
  }

  private place(hash: number, id: number): void {
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
    this.slots[slot] = id + 1;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size);
    this.names.forEach((name, id) => {
      let hash = 0x811c9dc5;
      for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
      this.place(hash, id);
    });
  }

  add(firstWord: number, wordCount: number, parent: number, nameId: number): number {
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
    records[at + Field.Name] = nameId;
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

  /** Whether argument `arg` of directive `index`, as written, contains `needle` (which holds no quote or backslash). */
  argIncludes(index: number, arg: number, needle: string): boolean {
    const at = index * Field.Stride;
    if (arg < 0 || arg >= (this.records[at + Field.WordCount] as number) - 1) return false;
    const word = ((this.records[at + Field.FirstWord] as number) + 1 + arg) * 3;
    const cells = this.words.cells;
    const text = this.words.source.text;
    const first = needle.charCodeAt(0);
    // Within the word only: an indexOf from its start could run to the end of a 4 MB file.
    for (let i = cells[word] as number, last = (cells[word + 1] as number) - needle.length; i <= last; i++) {
      if (text.charCodeAt(i) === first && text.startsWith(needle, i)) return true;
    }
    return false;
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

const enum Indented {
  Unknown = 0,
  No = 1,
  Yes = 2,
}

/**
 * The blocks open at the current point of the parse, innermost last, as parallel arrays of
 * numbers: no object per block. Each frame appends its directives to a linked list through the
 * records; a `{` with no directive name shares the enclosing block's list.
 */
class BlockStack {
  /** Record of the block's directive; -1 for the top level and for a `{` with no name. */
  private readonly directives: number[] = [-1];
  /** The directive whose list the frame appends to; -1: the top level. */
  private readonly owners: number[] = [-1];
  /** Indentation of the line that opened the block. */
  private readonly indents: number[] = [-1];
  /** Whether the block's first child sits deeper than the block: then indentation means nesting. */
  private readonly indented: Indented[] = [Indented.No];
  /** The last directive appended to the frame's list. */
  private readonly lasts: number[] = [-1];
  depth = 1;

  constructor(private readonly syntax: SyntaxTable) {}

  get directive(): number {
    return this.directives[this.depth - 1] as number;
  }
  get owner(): number {
    return this.owners[this.depth - 1] as number;
  }
  get indent(): number {
    return this.indents[this.depth - 1] as number;
  }
  get isIndented(): boolean {
    return this.indented[this.depth - 1] === Indented.Yes;
  }
  get last(): number {
    return this.lasts[this.depth - 1] as number;
  }

  /** Appends record `index` to the innermost frame's list; `startsLine`/`indent` describe its first word. */
  append(index: number, startsLine: boolean, indent: number): void {
    const top = this.depth - 1;
    if (this.indented[top] === Indented.Unknown && (this.directives[top] as number) >= 0)
      this.indented[top] = startsLine && indent > (this.indents[top] as number) ? Indented.Yes : Indented.No;
    const last = this.lasts[top] as number;
    if (last >= 0) this.syntax.set(last, Field.NextSibling, index);
    else {
      const owner = this.owners[top] as number;
      if (owner >= 0) this.syntax.set(owner, Field.FirstChild, index);
      else this.syntax.firstTopLevel = index;
    }
    this.lasts[top] = index;
  }

  /** Opens the block of record `directive`. */
  push(directive: number, indent: number): void {
    this.set(directive, directive, indent, Indented.Unknown, -1);
  }

  /** Opens a `{` with no directive name: what it holds counts as the enclosing block's. */
  pushNameless(indent: number): void {
    this.set(-1, this.owner, indent, Indented.No, this.last);
  }

  /** Closes the innermost frame; returns its directive (-1 for a nameless one). */
  pop(): number {
    const top = --this.depth;
    const directive = this.directives[top] as number;
    // A nameless frame appended to the enclosing list: the enclosing frame's last child moves on.
    if (directive < 0 && top > 0) this.lasts[top - 1] = this.lasts[top] as number;
    return directive;
  }

  private set(directive: number, owner: number, indent: number, indented: Indented, last: number): void {
    const at = this.depth++;
    this.directives[at] = directive;
    this.owners[at] = owner;
    this.indents[at] = indent;
    this.indented[at] = indented;
    this.lasts[at] = last;
  }
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
  const stack = new BlockStack(syntax);
  const lastLine = (): number => source.lineStarts.length - 1;
  const lineOf = (offset: number): number => source.positionAt(offset).line;

  /** Word-table index of the pending statement's first word; -1: none. */
  let pending = -1;
  let pendingName = -1;
  let pendingStartsLine = false;
  let pendingIndent = 0;
  let openErrors: OpenError[] = [];

  /** A `;`, `{` or `}` where none can stand: nginx reports it on its own line. */
  const punctuationError = (code: ParseErrorCode, message: string, offset: number): void => {
    errors.push({ code, message, range: source.rangeOf(offset, offset + 1), nginxLine: lineOf(offset) });
  };

  const settleOpenErrors = (line: number): void => {
    for (const open of openErrors) errors.push({ ...open, nginxLine: line });
    openErrors = [];
  };

  /** Ends the pending statement: appends its record to the current block. */
  const takePending = (): number => {
    const first = pending;
    pending = -1;
    const index = syntax.add(first, table.count - first, stack.owner, pendingName);
    stack.append(index, pendingStartsLine, pendingIndent);
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
    const lastChild = stack.last;
    const directive = stack.pop();
    if (directive < 0) return;
    if (closeOffset >= 0) {
      syntax.set(directive, Field.Close, closeOffset);
      syntax.set(directive, Field.End, closeOffset + 1);
      return;
    }
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
            if (stack.directive < 0 || !stack.isIndented || indent > stack.indent) break;
            closeFrame(-1);
          }
        }
        pending = table.count;
        pendingName =
          quote === null && !lexer.tokenEscaped
            ? syntax.nameIdAt(start, lexer.tokenEnd)
            : syntax.nameId(lexer.tokenValue());
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
          stack.pushNameless(lexer.tokenIndent);
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
        stack.push(index, lineIndent);
        break;
      }

      case TokenKind.Close: {
        const offset = lexer.tokenStart;
        if (openErrors.length) settleOpenErrors(lineOf(offset));
        if (pending >= 0) flushWithoutSemicolon(lineOf(offset));
        if (stack.depth > 1) {
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
  while (stack.depth > 1) closeFrame(-1);

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
