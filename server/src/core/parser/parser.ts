import type { Comment, ParseError, ParseErrorCode, ParsedFile, Range } from './ast';
import { Lexer, TokenKind } from './lexer';
import { CommentNode, Field, ParsedFileImpl, QuoteCode, SyntaxTable, WordTable } from './records';
import { isNameCode, isNameStartCode, SourceTextImpl } from './text';

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

function isIdentifier(text: string, start: number, end: number): boolean {
  if (!isNameStartCode(text.charCodeAt(start))) return false;
  for (let i = start + 1; i < end; i++) if (!isNameCode(text.charCodeAt(i))) return false;
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
