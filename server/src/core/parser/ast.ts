/**
 * The syntax tree of one nginx configuration file.
 *
 * Positions are LSP positions: 0-based line and UTF-16 code unit offset, so a range can be
 * handed to VS Code unchanged. Offsets are UTF-16 indices into the original text.
 */

export interface Position {
  readonly line: number;
  readonly character: number;
}

export interface Range {
  readonly start: Position;
  readonly end: Position;
}

/** A `# ...` comment, kept so that annotations (`# nginx-ws: ...`) and fixes can see them. */
export interface Comment {
  readonly kind: 'comment';
  /** The text after `#`, untrimmed. */
  readonly text: string;
  readonly range: Range;
  readonly offset: number;
  readonly endOffset: number;
}

export type QuoteKind = '"' | "'" | null;

/** One argument (or the directive name) exactly as written. */
export interface Word {
  /** The text as written in the file, quotes and escapes included. */
  readonly raw: string;
  /** The text nginx sees: quotes removed, `\"`, `\'`, `\\`, `\n`, `\r`, `\t` resolved inside quotes. */
  readonly value: string;
  readonly quote: QuoteKind;
  readonly range: Range;
  readonly offset: number;
  readonly endOffset: number;
}

export interface Block {
  /** Range of the `{`. */
  readonly openRange: Range;
  readonly openOffset: number;
  /** Offset of the matching `}`; -1 when the block was never closed. */
  readonly closeOffset: number;
  /** Range of the matching `}`; absent when the file ended before the block was closed. */
  readonly closeRange: Range | undefined;
  readonly children: Directive[];
  /**
   * For blocks whose body nginx does not parse as directives (`*_by_lua_block`), the raw body
   * text between the braces and its range. `children` is empty then.
   */
  readonly rawBody: { readonly text: string; readonly range: Range } | undefined;
}

export interface Directive {
  readonly kind: 'directive';
  readonly name: string;
  readonly nameWord: Word;
  readonly args: readonly Word[];
  readonly argCount: number;
  /**
   * The value of argument `index` (what nginx sees), or undefined past the last one. Cheaper than
   * `args[index].value`: no Word is made, which matters on configs of a hundred thousand lines.
   */
  argValue(index: number): string | undefined;
  /** Range of the terminating `;`; absent for block directives and for a missing `;`. */
  readonly semicolonRange: Range | undefined;
  /** Offset of the `;`; -1 when there is none. */
  readonly semicolonOffset: number;
  readonly block: Block | undefined;
  /** From the start of the name to the `;` or the block's `}` (or the last token seen). */
  readonly range: Range;
  readonly offset: number;
  readonly endOffset: number;
  /** The directive whose block holds this one; undefined at top level. */
  readonly parent: Directive | undefined;
}

export type ParseErrorCode =
  | 'missing-semicolon'
  | 'unexpected-close-brace'
  | 'unclosed-block'
  | 'unterminated-string'
  | 'unexpected-semicolon'
  | 'unexpected-open-brace'
  | 'unterminated-lua-block'
  | 'unexpected-character'
  | 'template-placeholder';

export interface ParseError {
  readonly code: ParseErrorCode;
  readonly message: string;
  /** Where the mistake is (for a missing `;`, the word it belongs after). */
  readonly range: Range;
  /**
   * The 0-based line `nginx -t` names for this mistake. nginx reports where the statement
   * ended, which can be lines after the place the mistake was made.
   */
  readonly nginxLine: number;
}

export type LineEnding = '\n' | '\r\n';

/** The text of a file with its line index, shared by every node of that file's tree. */
export interface SourceText {
  readonly text: string;
  /** Offset of the start of each line (computed on first use). */
  readonly lineStarts: ArrayLike<number>;
  positionAt(offset: number): Position;
  rangeOf(offset: number, end: number): Range;
}

export interface ParsedFile {
  /** Absolute path or URI of the file, as given to the parser. */
  readonly file: string;
  readonly text: string;
  readonly directives: readonly Directive[];
  readonly comments: readonly Comment[];
  readonly errors: readonly ParseError[];
  /** The file's dominant line ending, for edits that insert lines. */
  readonly lineEnding: LineEnding;
  readonly source: SourceText;
}
