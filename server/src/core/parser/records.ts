// How a parsed file is stored: its words and directives as records in typed arrays, with the
// objects of the syntax tree (ast.ts) made from them on first use. A 4 MB config has 130,000
// directives and half a million words; as objects they were most of what the garbage collector
// copied, and most analyses only ever look at a few of them.
import type {
  Block,
  Comment,
  Directive,
  LineEnding,
  ParseError,
  ParsedFile,
  QuoteKind,
  Range,
  SourceText,
  Word,
} from './ast';
import { unescapeNginx } from './lexer';
import { dominantLineEnding, type SourceTextImpl } from './text';

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

/** The last of `count` entries, in ascending order of `keyOf`, whose key is at most `value`; -1 when none is. */
function lastAtOrBefore(count: number, keyOf: (index: number) => number, value: number): number {
  let low = 0;
  let high = count - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (keyOf(mid) <= value) {
      found = mid;
      low = mid + 1;
    } else high = mid - 1;
  }
  return found;
}

/** How a word was quoted, packed into the per-file word table. */
export const enum QuoteCode {
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
export class WordTable {
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

  /**
   * The table of the same words after an edit inside word `edited` that moved the text after it by
   * `delta`: that word ends `delta` later, and every word after it starts and ends `delta` later.
   */
  shiftedCopy(source: SourceText, edited: number, delta: number): WordTable {
    const copy = new WordTable(source, 0);
    const cells = this.cells.slice(0, this.length);
    cells[edited * 3 + 1] = (cells[edited * 3 + 1] as number) + delta;
    for (let at = (edited + 1) * 3; at < cells.length; at += 3) {
      cells[at] = (cells[at] as number) + delta;
      cells[at + 1] = (cells[at + 1] as number) + delta;
    }
    copy.cells = cells;
    copy.length = this.length;
    return copy;
  }

  /**
   * This table with words [from, to) replaced by `inserted`'s (their offsets counted from `base`),
   * and the words after them moved by `delta`.
   */
  splicedCopy(
    source: SourceText,
    from: number,
    to: number,
    inserted: WordTable,
    base: number,
    delta: number,
  ): WordTable {
    const copy = new WordTable(source, 0);
    const added = inserted.length;
    const cells = new Int32Array(this.length - (to - from) * 3 + added);
    cells.set(this.cells.subarray(0, from * 3), 0);
    let at = from * 3;
    for (let i = 0; i < added; i += 3, at += 3) {
      cells[at] = (inserted.cells[i] as number) + base;
      cells[at + 1] = (inserted.cells[i + 1] as number) + base;
      cells[at + 2] = inserted.cells[i + 2] as number;
    }
    for (let i = to * 3; i < this.length; i += 3, at += 3) {
      cells[at] = (this.cells[i] as number) + delta;
      cells[at + 1] = (this.cells[i + 1] as number) + delta;
      cells[at + 2] = this.cells[i + 2] as number;
    }
    copy.cells = cells;
    copy.length = cells.length;
    return copy;
  }

  /** The last word that starts at or before `offset`; -1 when none does. */
  wordAtOrBefore(offset: number): number {
    return lastAtOrBefore(this.count, (index) => this.cells[index * 3] as number, offset);
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
export const enum Field {
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

  /**
   * The records of the same directives over `words` (a shifted copy of this table's words), after an
   * edit that moved everything from offset `from` on by `delta`.
   */
  shiftedCopy(words: WordTable, from: number, delta: number): SyntaxTable {
    const copy = new SyntaxTable(words, 0);
    const records = this.records.slice(0, this.count * Field.Stride);
    for (let at = 0; at < records.length; at += Field.Stride) {
      // The fields that hold offsets into the text (-1: none, which is before any edit).
      if ((records[at + Field.Semicolon] as number) >= from)
        records[at + Field.Semicolon] = (records[at + Field.Semicolon] as number) + delta;
      if ((records[at + Field.End] as number) >= from)
        records[at + Field.End] = (records[at + Field.End] as number) + delta;
      if ((records[at + Field.Open] as number) >= from)
        records[at + Field.Open] = (records[at + Field.Open] as number) + delta;
      if ((records[at + Field.Close] as number) >= from)
        records[at + Field.Close] = (records[at + Field.Close] as number) + delta;
    }
    copy.records = records;
    copy.count = this.count;
    copy.names.push(...this.names);
    copy.slots = this.slots.slice();
    copy.firstTopLevel = this.firstTopLevel;
    for (const [index, [start, end]] of this.rawBodies)
      copy.rawBodies.set(index, [start >= from ? start + delta : start, end >= from ? end + delta : end]);
    return copy;
  }

  /**
   * The records over `words` (a spliced copy of this table's words) after the body of block `block`
   * was parsed again as `body`: its old descendants (records block+1 to `last`) replaced by
   * `body`'s records, whose words start at `wordBase` and whose offsets count from `base`; the
   * records after them renumbered, their words moved by `wordShift` and their offsets (those from
   * `from` on, as the block's own `}`) by `delta`.
   */
  splicedCopy(
    words: WordTable,
    block: number,
    last: number,
    body: SyntaxTable,
    base: number,
    wordBase: number,
    wordShift: number,
    from: number,
    delta: number,
  ): SyntaxTable {
    const copy = new SyntaxTable(words, 0);
    copy.names.push(...this.names);
    copy.slots = this.slots.slice();
    copy.firstTopLevel = this.firstTopLevel;
    const stride = Field.Stride;
    const shift = body.count - (last - block);
    const records = new Int32Array((this.count + shift) * stride);
    const old = this.records;
    const pointer = (value: number): number => (value > last ? value + shift : value);
    const offset = (value: number): number => (value >= from ? value + delta : value);
    for (let record = 0; record <= block; record++) {
      const at = record * stride;
      records[at + Field.FirstWord] = old[at + Field.FirstWord] as number;
      records[at + Field.WordCount] = old[at + Field.WordCount] as number;
      records[at + Field.Parent] = old[at + Field.Parent] as number;
      records[at + Field.Semicolon] = offset(old[at + Field.Semicolon] as number);
      records[at + Field.End] = offset(old[at + Field.End] as number);
      records[at + Field.Open] = offset(old[at + Field.Open] as number);
      records[at + Field.Close] = offset(old[at + Field.Close] as number);
      records[at + Field.FirstChild] = pointer(old[at + Field.FirstChild] as number);
      records[at + Field.NextSibling] = pointer(old[at + Field.NextSibling] as number);
      records[at + Field.Name] = old[at + Field.Name] as number;
    }
    const first = block + 1;
    records[block * stride + Field.FirstChild] = body.firstTopLevel >= 0 ? body.firstTopLevel + first : -1;
    const moved = (value: number, by: number): number => (value < 0 ? value : value + by);
    for (let record = 0; record < body.count; record++) {
      const from = record * stride;
      const at = (record + first) * stride;
      const parent = body.records[from + Field.Parent] as number;
      records[at + Field.FirstWord] = (body.records[from + Field.FirstWord] as number) + wordBase;
      records[at + Field.WordCount] = body.records[from + Field.WordCount] as number;
      records[at + Field.Parent] = parent < 0 ? block : parent + first;
      records[at + Field.Semicolon] = moved(body.records[from + Field.Semicolon] as number, base);
      records[at + Field.End] = moved(body.records[from + Field.End] as number, base);
      records[at + Field.Open] = moved(body.records[from + Field.Open] as number, base);
      records[at + Field.Close] = moved(body.records[from + Field.Close] as number, base);
      records[at + Field.FirstChild] = moved(body.records[from + Field.FirstChild] as number, first);
      records[at + Field.NextSibling] = moved(body.records[from + Field.NextSibling] as number, first);
      records[at + Field.Name] = copy.nameId(body.names[body.records[from + Field.Name] as number] as string);
    }
    for (let record = last + 1; record < this.count; record++) {
      const from = record * stride;
      const at = (record + shift) * stride;
      records[at + Field.FirstWord] = (old[from + Field.FirstWord] as number) + wordShift;
      records[at + Field.WordCount] = old[from + Field.WordCount] as number;
      records[at + Field.Parent] = pointer(old[from + Field.Parent] as number);
      records[at + Field.Semicolon] = moved(old[from + Field.Semicolon] as number, delta);
      records[at + Field.End] = moved(old[from + Field.End] as number, delta);
      records[at + Field.Open] = moved(old[from + Field.Open] as number, delta);
      records[at + Field.Close] = moved(old[from + Field.Close] as number, delta);
      records[at + Field.FirstChild] = pointer(old[from + Field.FirstChild] as number);
      records[at + Field.NextSibling] = pointer(old[from + Field.NextSibling] as number);
      records[at + Field.Name] = old[from + Field.Name] as number;
    }
    copy.records = records;
    copy.count = this.count + shift;
    // In record order, as a parse sets them.
    for (const [index, [start, end]] of this.rawBodies)
      if (index <= block) copy.rawBodies.set(index, [offset(start), offset(end)]);
    for (const [index, [start, end]] of body.rawBodies) copy.rawBodies.set(index + first, [start + base, end + base]);
    for (const [index, [start, end]] of this.rawBodies)
      if (index > last) copy.rawBodies.set(index + shift, [start + delta, end + delta]);
    return copy;
  }

  /** The directive whose words include word `word`: the last record whose first word is at or before it. */
  recordOfWord(word: number): number {
    return lastAtOrBefore(this.count, (index) => this.records[index * Field.Stride + Field.FirstWord] as number, word);
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

export class CommentNode implements Comment {
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

/**
 * How a parse was made from the one before it by reparseAfterWordEdit: one argument changed, and
 * the text after it moved by `delta`. Lines did not move: the edit holds no line break.
 */
export interface WordEdit {
  readonly kind: 'word';
  /** The `id` of the parse it was made from (an id, not the parse: that would keep every earlier parse alive). */
  readonly previousId: number;
  /** The directive whose argument changed. */
  readonly record: number;
  /** Where the word was in the previous text: [start, end). */
  readonly start: number;
  readonly end: number;
  readonly delta: number;
}

/**
 * How a parse was made from the one before it by reparseBlockBody: the text [start, oldEnd) of the
 * previous one, inside the body of block `block`, became [start, newEnd); the body was parsed
 * again, and its records (block+1 to `oldLast` before, to `newLast` now) replaced.
 */
export interface BlockEdit {
  readonly kind: 'block';
  readonly previousId: number;
  readonly block: number;
  readonly oldLast: number;
  readonly newLast: number;
  readonly start: number;
  readonly oldEnd: number;
  readonly newEnd: number;
}

export type ParseEdit = WordEdit | BlockEdit;

let parses = 0;

/** The result of `parse`: the records, with `Directive` objects made on demand. */
export class ParsedFileImpl implements ParsedFile {
  /** Tells this parse from any other of the session. */
  readonly id = ++parses;
  /** Set when the parse was made from the previous one after a typing edit. */
  edit: ParseEdit | undefined = undefined;
  private nodes: (DirectiveNode | undefined)[] | undefined;
  private topLevel: readonly Directive[] | undefined;
  readonly lineEnding: LineEnding;
  /**
   * What later stages work out once per parse (the tree's include sites, the model's name kinds),
   * kept here so that it lives and dies with the parse. (A WeakMap keyed by the parse did the same
   * but kept every edit's parse alive through young-generation collections.)
   */
  treeFacts: unknown = undefined;
  nameKinds: Uint8Array | undefined = undefined;
  /**
   * The model's lower-cased `proxy_set_header` names: per record, 1 + the index in `headerKeyNames`
   * (0: not worked out yet). A snippet's lines are read in thousands of places; a typed array, as
   * a plain one written at scattered indices of a big file turned into a slow dictionary.
   */
  headerKeys: Int32Array | undefined = undefined;
  readonly headerKeyNames: string[] = [];
  readonly headerKeyIds = new Map<string, number>();
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
