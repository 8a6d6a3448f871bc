/**
 * A tokenizer that follows nginx's own `ngx_conf_read_token` (src/core/ngx_conf_file.c):
 * - an unquoted word ends at whitespace, `;` or `{`; a `}` does not end it (`foo}` is one word);
 * - `{` right after `$` belongs to the word (`${var}`);
 * - `"` or `'` starts a quoted string only at the start of a token, and after the closing quote
 *   nginx wants whitespace, `;`, `{` or `)`;
 * - `#` starts a comment only where a token could start;
 * - a backslash escapes the next character; `\"`, `\'`, `\\`, `\t`, `\r`, `\n` are translated.
 */

/** Token kinds, as small integers: the scanner is on the hot path of every keystroke. */
export const enum TokenKind {
  EOF = 0,
  Word = 1,
  Semicolon = 2,
  Open = 3,
  Close = 4,
  Comment = 5,
}

export interface LexProblem {
  readonly kind: 'unterminated-string' | 'unexpected-character' | 'template-placeholder';
  readonly offset: number;
  readonly end: number;
  readonly detail: string;
}

const SPACE = 32;
const TAB = 9;
const LF = 10;
const CR = 13;
const SEMICOLON = 59;
const OPEN = 123;
const CLOSE = 125;
const HASH = 35;
const DQUOTE = 34;
const SQUOTE = 39;
const BACKSLASH = 92;
const DOLLAR = 36;
const CLOSE_PAREN = 41;

/** Resolves nginx's escapes, as the copy loop at the end of `ngx_conf_read_token` does. */
export function unescapeNginx(raw: string): string {
  if (raw.indexOf('\\') < 0) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i];
    if (ch === '\\' && i + 1 < raw.length) {
      const next = raw[i + 1];
      if (next === '"' || next === "'" || next === '\\') {
        out += next;
        i++;
        continue;
      }
      if (next === 't' || next === 'r' || next === 'n') {
        out += next === 't' ? '\t' : next === 'r' ? '\r' : '\n';
        i++;
        continue;
      }
    }
    out += ch;
  }
  return out;
}

/**
 * A scanner in the style of TypeScript's: `scan()` returns the kind of the next token and leaves
 * its details in fields, so no object is made per token.
 */
export class Lexer {
  private pos = 0;
  /** Offset of the start of the current line, for `startsLine` and indentation. */
  private lineStart = 0;
  private lineHasToken = false;
  private afterQuote = false;
  readonly problems: LexProblem[] = [];

  tokenStart = 0;
  tokenEnd = 0;
  tokenQuote: '"' | "'" | null = null;
  /** A quoted word whose closing quote is missing. */
  tokenUnterminated = false;
  /** Whether the current unquoted word holds a backslash escape. */
  tokenEscaped = false;
  /** True when nothing but whitespace precedes the token on its line. */
  tokenStartsLine = false;
  /** Width of the whitespace that starts the token's line (meaningful when `tokenStartsLine`). */
  tokenIndent = 0;

  constructor(private readonly text: string) {}

  get offset(): number {
    return this.pos;
  }

  scan(): TokenKind {
    const text = this.text;
    const length = text.length;
    while (this.pos < length) {
      const code = text.charCodeAt(this.pos);
      if (code === LF || code === CR) {
        this.pos++;
        if (code === CR && text.charCodeAt(this.pos) === LF) this.pos++;
        this.lineStart = this.pos;
        this.lineHasToken = false;
        this.afterQuote = false;
      } else if (code === SPACE || code === TAB) {
        this.pos++;
        this.afterQuote = false;
      } else {
        break;
      }
    }
    if (this.pos >= length) {
      this.tokenStart = this.tokenEnd = length;
      return TokenKind.EOF;
    }

    const start = this.pos;
    this.tokenStart = start;
    this.tokenStartsLine = !this.lineHasToken;
    this.tokenIndent = start - this.lineStart;
    this.tokenQuote = null;
    this.lineHasToken = true;
    const code = text.charCodeAt(start);

    if (this.afterQuote && code !== SEMICOLON && code !== OPEN && code !== CLOSE_PAREN) {
      this.problems.push({ kind: 'unexpected-character', offset: start, end: start + 1, detail: text[start] ?? '' });
    }
    this.afterQuote = false;

    switch (code) {
      case HASH: {
        let end = start + 1;
        while (end < length) {
          const c = text.charCodeAt(end);
          if (c === LF || c === CR) break;
          end++;
        }
        this.pos = this.tokenEnd = end;
        return TokenKind.Comment;
      }
      case SEMICOLON:
        this.pos = this.tokenEnd = start + 1;
        return TokenKind.Semicolon;
      case OPEN: {
        // `{{NAME}}` is a template placeholder (Jinja, Mustache, Go templates) in a config published
        // unrendered. nginx rejects it; read it as one word so the rest of the file keeps its shape.
        const placeholderEnd = text.charCodeAt(start + 1) === OPEN ? this.placeholderEnd(start) : -1;
        if (placeholderEnd > 0) {
          this.problems.push({
            kind: 'template-placeholder',
            offset: start,
            end: placeholderEnd,
            detail: text.slice(start, placeholderEnd),
          });
          this.pos = this.tokenEnd = placeholderEnd;
          this.tokenEscaped = false;
          return TokenKind.Word;
        }
        this.pos = this.tokenEnd = start + 1;
        return TokenKind.Open;
      }
      case CLOSE:
        this.pos = this.tokenEnd = start + 1;
        return TokenKind.Close;
      case DQUOTE:
      case SQUOTE:
        return this.quoted(start, code);
    }
    let end = start;
    let escaped = false;
    while (end < length) {
      const c = text.charCodeAt(end);
      if (c === BACKSLASH) {
        escaped = true;
        end += 2;
        continue;
      }
      if (c === DOLLAR && text.charCodeAt(end + 1) === OPEN) {
        end += 2;
        continue;
      }
      if (c === SPACE || c === LF || c === SEMICOLON || c === OPEN || c === TAB || c === CR) break;
      end++;
    }
    if (end > length) end = length;
    this.pos = this.tokenEnd = end;
    this.tokenEscaped = escaped;
    return TokenKind.Word;
  }

  /** End of a `{{...}}` placeholder starting at `start`, on the same line; -1 when there is none. */
  private placeholderEnd(start: number): number {
    const text = this.text;
    for (let i = start + 2; i < text.length - 1; i++) {
      const c = text.charCodeAt(i);
      if (c === LF || c === CR || c === SEMICOLON) return -1;
      if (c === CLOSE && text.charCodeAt(i + 1) === CLOSE) {
        let end = i + 2;
        while (end < text.length && !/[\s;{]/.test(text[end] as string)) end++;
        return end;
      }
    }
    return -1;
  }

  /** The text nginx sees for the current word; for a comment, the text after `#`. */
  tokenValue(): string {
    const start = this.tokenStart;
    const end = this.tokenEnd;
    if (this.text.charCodeAt(start) === HASH) return this.text.slice(start + 1, end);
    if (this.tokenQuote === null) {
      const raw = this.text.slice(start, end);
      return this.tokenEscaped ? unescapeNginx(raw) : raw;
    }
    return unescapeNginx(this.text.slice(start + 1, this.tokenUnterminated ? end : end - 1));
  }

  private quoted(start: number, quoteCode: number): TokenKind {
    const text = this.text;
    const length = text.length;
    let end = start + 1;
    let closed = false;
    while (end < length) {
      const c = text.charCodeAt(end);
      if (c === BACKSLASH) {
        end += 2;
        continue;
      }
      end++;
      if (c === quoteCode) {
        closed = true;
        break;
      }
    }
    this.tokenQuote = quoteCode === DQUOTE ? '"' : "'";
    if (!closed) {
      // nginx runs the string to the end of the file. To keep analysing the rest, end it at
      // the end of its own line and report the opening quote.
      end = start + 1;
      while (end < length) {
        const c = text.charCodeAt(end);
        if (c === LF || c === CR) break;
        end++;
      }
      this.problems.push({ kind: 'unterminated-string', offset: start, end, detail: this.tokenQuote });
      this.pos = this.tokenEnd = end;
      this.tokenUnterminated = true;
      return TokenKind.Word;
    }
    if (end > length) end = length;
    this.pos = this.tokenEnd = end;
    this.afterQuote = true;
    this.tokenUnterminated = false;
    return TokenKind.Word;
  }

  /**
   * Reads the body of a `*_by_lua_block { ... }` as lua-nginx-module's own block parser does:
   * strings, long brackets and comments may hold braces. Call it right after the `{` token.
   * Returns the offset of the closing `}` (left for the next `scan()`), or -1 at end of file.
   */
  readLuaBody(): number {
    const text = this.text;
    const length = text.length;
    let depth = 1;
    let i = this.pos;
    while (i < length) {
      const c = text.charCodeAt(i);
      if (c === 45 /* - */ && text.charCodeAt(i + 1) === 45) {
        const level = longBracketLevel(text, i + 2);
        if (level >= 0) {
          i = skipLongBracket(text, i + 2, level);
        } else {
          while (i < length && text.charCodeAt(i) !== LF && text.charCodeAt(i) !== CR) i++;
        }
        continue;
      }
      if (c === 91 /* [ */) {
        const level = longBracketLevel(text, i);
        if (level >= 0) {
          i = skipLongBracket(text, i, level);
          continue;
        }
      }
      if (c === DQUOTE || c === SQUOTE) {
        i++;
        while (i < length) {
          const s = text.charCodeAt(i);
          if (s === BACKSLASH) {
            i += 2;
            continue;
          }
          if (s === c || s === LF || s === CR) break;
          i++;
        }
        i++;
        continue;
      }
      if (c === OPEN) depth++;
      else if (c === CLOSE && --depth === 0) {
        this.pos = i;
        this.resyncLine(i);
        return i;
      }
      i++;
    }
    this.pos = length;
    this.resyncLine(length);
    return -1;
  }

  private resyncLine(offset: number): void {
    let lineStart = offset;
    while (lineStart > 0) {
      const c = this.text.charCodeAt(lineStart - 1);
      if (c === LF || c === CR) break;
      lineStart--;
    }
    this.lineStart = lineStart;
    this.lineHasToken = true;
    this.afterQuote = false;
  }
}

/** For `[==[` at `offset`, the number of `=`; -1 when no long bracket opens there. */
function longBracketLevel(text: string, offset: number): number {
  if (text.charCodeAt(offset) !== 91) return -1;
  let i = offset + 1;
  while (text.charCodeAt(i) === 61 /* = */) i++;
  return text.charCodeAt(i) === 91 ? i - offset - 1 : -1;
}

function skipLongBracket(text: string, offset: number, level: number): number {
  const close = ']' + '='.repeat(level) + ']';
  const end = text.indexOf(close, offset + level + 2);
  return end < 0 ? text.length : end + close.length;
}
