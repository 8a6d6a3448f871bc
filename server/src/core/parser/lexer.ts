/**
 * A tokenizer that follows nginx's own `ngx_conf_read_token` (src/core/ngx_conf_file.c):
 * - an unquoted word ends at whitespace, `;` or `{`; a `}` does not end it (`foo}` is one word);
 * - `{` right after `$` belongs to the word (`${var}`);
 * - `"` or `'` starts a quoted string only at the start of a token, and after the closing quote
 *   nginx wants whitespace, `;`, `{` or `)`;
 * - `#` starts a comment only where a token could start;
 * - a backslash escapes the next character; `\"`, `\'`, `\\`, `\t`, `\r`, `\n` are translated.
 */

export type TokenKind = 'word' | ';' | '{' | '}' | 'comment';

export interface Token {
  readonly kind: TokenKind;
  readonly raw: string;
  /** For words, the text nginx sees; for comments, the text after `#`. */
  readonly value: string;
  readonly quote: '"' | "'" | null;
  readonly offset: number;
  readonly end: number;
  /** True when nothing but whitespace precedes the token on its line. */
  readonly startsLine: boolean;
  /** Leading whitespace width of the token's line (only meaningful when `startsLine`). */
  readonly indent: number;
}

export interface LexProblem {
  readonly kind: 'unterminated-string' | 'unexpected-character';
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

function isSpace(code: number): boolean {
  return code === SPACE || code === TAB || code === LF || code === CR;
}

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

export class Lexer {
  private pos = 0;
  /** Offset of the start of the current line, for `startsLine` and indentation. */
  private lineStart = 0;
  private lineHasToken = false;
  private afterQuote = false;
  readonly problems: LexProblem[] = [];

  constructor(private readonly text: string) {}

  get offset(): number {
    return this.pos;
  }

  next(): Token | undefined {
    const text = this.text;
    const length = text.length;
    // Whitespace, tracking line starts.
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
    if (this.pos >= length) return undefined;

    const start = this.pos;
    const startsLine = !this.lineHasToken;
    const indent = start - this.lineStart;
    this.lineHasToken = true;
    const code = text.charCodeAt(start);

    if (this.afterQuote && code !== SEMICOLON && code !== OPEN && code !== CLOSE_PAREN) {
      this.problems.push({
        kind: 'unexpected-character',
        offset: start,
        end: start + 1,
        detail: text[start] ?? '',
      });
    }
    this.afterQuote = false;

    if (code === HASH) {
      let end = start;
      while (end < length) {
        const c = text.charCodeAt(end);
        if (c === LF || c === CR) break;
        end++;
      }
      this.pos = end;
      const raw = text.slice(start, end);
      return { kind: 'comment', raw, value: raw.slice(1), quote: null, offset: start, end, startsLine, indent };
    }
    if (code === SEMICOLON || code === OPEN || code === CLOSE) {
      this.pos = start + 1;
      const raw = text[start] as ';' | '{' | '}';
      return { kind: raw, raw, value: raw, quote: null, offset: start, end: start + 1, startsLine, indent };
    }
    if (code === DQUOTE || code === SQUOTE) {
      return this.quoted(start, code, startsLine, indent);
    }
    let end = start;
    while (end < length) {
      const c = text.charCodeAt(end);
      if (c === BACKSLASH) {
        end += 2;
        continue;
      }
      if (c === DOLLAR && text.charCodeAt(end + 1) === OPEN) {
        end += 2;
        continue;
      }
      if (isSpace(c) || c === SEMICOLON || c === OPEN) break;
      end++;
    }
    end = Math.min(end, length);
    this.pos = end;
    const raw = text.slice(start, end);
    return { kind: 'word', raw, value: unescapeNginx(raw), quote: null, offset: start, end, startsLine, indent };
  }

  private quoted(start: number, quoteCode: number, startsLine: boolean, indent: number): Token {
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
    const quote = quoteCode === DQUOTE ? '"' : "'";
    if (!closed) {
      // nginx runs the string to the end of the file. To keep analysing the rest, end it at
      // the end of its own line and report the opening quote.
      end = start + 1;
      while (end < length) {
        const c = text.charCodeAt(end);
        if (c === LF || c === CR) break;
        end++;
      }
      this.problems.push({ kind: 'unterminated-string', offset: start, end, detail: quote });
      this.pos = end;
      const raw = text.slice(start, end);
      return { kind: 'word', raw, value: unescapeNginx(raw.slice(1)), quote, offset: start, end, startsLine, indent };
    }
    end = Math.min(end, length);
    this.pos = end;
    this.afterQuote = true;
    const raw = text.slice(start, end);
    return { kind: 'word', raw, value: unescapeNginx(raw.slice(1, -1)), quote, offset: start, end, startsLine, indent };
  }

  /**
   * Reads the body of a `*_by_lua_block { ... }` as Lua does (strings, long brackets and
   * comments may hold braces), as lua-nginx-module's own block parser does. Call it right after
   * the `{` token. Returns the offset of the closing `}`, or undefined if the file ends first.
   */
  readLuaBody(): number | undefined {
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
      else if (c === CLOSE) {
        depth--;
        if (depth === 0) {
          this.pos = i;
          this.resyncLine(i);
          return i;
        }
      }
      i++;
    }
    this.pos = length;
    this.resyncLine(length);
    return undefined;
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
