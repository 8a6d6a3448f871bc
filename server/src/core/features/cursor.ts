/**
 * Where the cursor stands in a (possibly half-typed) file: the enclosing blocks as nginx contexts,
 * the directive under the cursor, and what the statement being typed holds so far. Works on the
 * tolerant parse plus the text of the current statement, since completion is asked for in text
 * that is not a valid config yet.
 */
import type { DirectiveContext } from '../directives/reference';
import type { ContextName } from '../model/tree';
import type { Directive, ParsedFile } from '../parser/ast';

/** Directives whose argument names a proxied server: after `http://` comes an upstream name. */
export const PASSES = /^(proxy|grpc|uwsgi|scgi|fastcgi|memcached)_pass$/;

/** Blocks whose bodies are table entries, not directives. */
const TABLE_BLOCKS: ReadonlySet<string> = new Set(['map', 'types', 'geo', 'split_clients', 'match', 'charset_map']);

/** The directive in `list` whose extent holds `offset` (blocks run to their `}`, or on when unclosed). */
function holding(list: readonly Directive[], offset: number, openEnd: number): Directive | undefined {
  // Directives are in source order: a binary search keeps a 5,000-server http block cheap.
  let low = 0;
  let high = list.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const directive = list[middle] as Directive;
    if (directive.offset > offset) high = middle - 1;
    else {
      const block = directive.block;
      const end = block ? (block.closeOffset < 0 ? openEnd : block.closeOffset) : directive.endOffset;
      if (offset <= end) return directive;
      low = middle + 1;
    }
  }
  return undefined;
}

export interface Enclosing {
  /** The blocks holding the offset, outermost first. */
  readonly blocks: readonly Directive[];
  /** The offset is inside a raw body (`*_by_lua_block`): Lua, not nginx. */
  readonly inRawBody: boolean;
}

/** The blocks whose bodies hold `offset` (between `{` and `}`), outermost first. */
export function enclosingBlocks(file: ParsedFile, offset: number): Enclosing {
  const blocks: Directive[] = [];
  let list: readonly Directive[] = file.directives;
  const openEnd = Number.MAX_SAFE_INTEGER;
  for (;;) {
    const directive = holding(list, offset, openEnd);
    const block = directive?.block;
    if (!directive || !block || offset <= block.openOffset) return { blocks, inRawBody: false };
    if (block.closeOffset >= 0 && offset > block.closeOffset) return { blocks, inRawBody: false };
    if (block.rawBody) return { blocks, inRawBody: true };
    blocks.push(directive);
    list = block.children;
  }
}

/** The innermost directive whose text (name to `;` or `}`) holds `offset`. */
export function directiveAt(file: ParsedFile, offset: number): Directive | undefined {
  let found: Directive | undefined;
  let list: readonly Directive[] = file.directives;
  for (;;) {
    const directive = holding(list, offset, Number.MAX_SAFE_INTEGER);
    if (!directive || offset > directive.endOffset + 1) return found;
    found = directive;
    const block = directive.block;
    if (!block || block.rawBody || offset <= block.openOffset) return found;
    list = block.children;
  }
}

/** The documentation's contexts for the top level of a file nginx reads in `context`. */
export function topLevelContexts(context: ContextName): DirectiveContext[] {
  switch (context) {
    case 'main':
    case 'http':
    case 'server':
    case 'location':
    case 'limit_except':
    case 'upstream':
    case 'events':
    case 'stream':
      return [context];
    case 'if':
      return ['if-in-location'];
    default:
      return [];
  }
}

/**
 * The contexts of the statements inside a block `name` that stands in `contexts`; [] for a table
 * block (`map`, `types`, …) or a block the documentation does not describe.
 */
export function enterBlock(name: string, contexts: readonly DirectiveContext[]): readonly DirectiveContext[] {
  if (TABLE_BLOCKS.has(name)) return NONE;
  switch (name) {
    case 'events':
      return EVENTS;
    case 'http':
      return HTTP;
    case 'stream':
      return STREAM;
    case 'mail':
      return MAIL;
    case 'server':
      // `server` inside an upstream is a member line, not a block; a block here is a virtual server.
      return protocolOf(contexts) === 'stream' ? STREAM_SERVER : protocolOf(contexts) === 'mail' ? MAIL_SERVER : SERVER;
    case 'upstream':
      return protocolOf(contexts) === 'stream' ? STREAM_UPSTREAM : UPSTREAM;
    case 'location':
      return LOCATION;
    case 'limit_except':
      return LIMIT_EXCEPT;
    case 'if':
      return contexts.includes('location') || contexts.includes('if-in-location') ? IF_IN_LOCATION : IF_IN_SERVER;
    default:
      return NONE;
  }
}

function protocolOf(contexts: readonly DirectiveContext[]): 'http' | 'stream' | 'mail' {
  for (const context of contexts) {
    if (context.startsWith('stream')) return 'stream';
    if (context.startsWith('mail')) return 'mail';
  }
  return 'http';
}

// Shared, so that walking a 5,000-server config makes no array per block.
const NONE: readonly DirectiveContext[] = Object.freeze([]);
const EVENTS: readonly DirectiveContext[] = Object.freeze(['events']);
const HTTP: readonly DirectiveContext[] = Object.freeze(['http']);
const STREAM: readonly DirectiveContext[] = Object.freeze(['stream']);
const MAIL: readonly DirectiveContext[] = Object.freeze(['mail']);
const SERVER: readonly DirectiveContext[] = Object.freeze(['server']);
const STREAM_SERVER: readonly DirectiveContext[] = Object.freeze(['stream-server']);
const MAIL_SERVER: readonly DirectiveContext[] = Object.freeze(['mail-server']);
const UPSTREAM: readonly DirectiveContext[] = Object.freeze(['upstream']);
const STREAM_UPSTREAM: readonly DirectiveContext[] = Object.freeze(['stream-upstream']);
const LOCATION: readonly DirectiveContext[] = Object.freeze(['location']);
const LIMIT_EXCEPT: readonly DirectiveContext[] = Object.freeze(['limit_except']);
const IF_IN_LOCATION: readonly DirectiveContext[] = Object.freeze(['if-in-location']);
const IF_IN_SERVER: readonly DirectiveContext[] = Object.freeze(['if-in-server']);

/**
 * The nginx contexts a statement inside `blocks` stands in; [] inside a table block (`map`,
 * `types`, …) or a block the documentation does not know. `topLevel` is where the file's own top
 * level is read.
 */
export function contextsOf(blocks: readonly Directive[], topLevel: readonly DirectiveContext[]): DirectiveContext[] {
  let contexts: readonly DirectiveContext[] = topLevel;
  for (const block of blocks) {
    contexts = enterBlock(block.name, contexts);
    if (!contexts.length) break;
  }
  return [...contexts];
}

export interface StatementSoFar {
  /** Words of the statement before the one being typed. */
  readonly words: readonly string[];
  /** The partial word ending at the cursor ("" right after a space). */
  readonly prefix: string;
  /** Offset where `prefix` starts. */
  readonly prefixStart: number;
  /** The cursor is in a comment or inside a quoted string. */
  readonly inCommentOrString: boolean;
}

/**
 * The statement being typed: the text since the last `;`, `{` or `}` before the cursor, split into
 * words. Comments (from `#` to the end of the line) are skipped; a cursor in one, or in an open
 * quoted string, is reported so that completion stays quiet there.
 */
/** Where a `#` comment starts on the line [lineStart, end), or `end`; as in nginx, `#` inside a word or quotes is text. */
function codeEnd(text: string, lineStart: number, end: number): number {
  let quote = 0;
  for (let i = lineStart; i < end; i++) {
    const code = text.charCodeAt(i);
    if (quote) {
      if (code === 92 /* \\ */) i++;
      else if (code === quote) quote = 0;
    } else if (code === 34 || code === 39) quote = code;
    else if (code === 35 /* # */ && (i === lineStart || /[\s;{}]/.test(text[i - 1] as string))) return i;
  }
  return end;
}

/**
 * Offset after the last `;`, `{` or `}` before `offset` that is not in a comment, line by line
 * backwards (a comment may hold braces). Bounded: a statement being typed is not 200 lines long.
 */
function statementStart(text: string, offset: number): number {
  let end = offset;
  for (let lines = 0; lines < 200 && end > 0; lines++) {
    const lineStart = text.lastIndexOf('\n', end - 1) + 1;
    const code = codeEnd(text, lineStart, end);
    for (let i = code - 1; i >= lineStart; i--) {
      const ch = text.charCodeAt(i);
      if (ch === 59 /* ; */ || ch === 123 /* { */ || ch === 125 /* } */) return i + 1;
    }
    if (lineStart === 0) return 0;
    end = lineStart - 1;
  }
  return end;
}

export function statementAt(text: string, offset: number): StatementSoFar {
  const start = statementStart(text, offset);
  const words: string[] = [];
  let current = '';
  let currentStart = start;
  let quote = '';
  let comment = false;
  for (let i = start; i < offset; i++) {
    const ch = text[i] as string;
    if (comment) {
      if (ch === '\n') comment = false;
      continue;
    }
    if (quote) {
      current += ch;
      if (ch === '\\') {
        current += text[i + 1] ?? '';
        i++;
      } else if (ch === quote) quote = '';
      continue;
    }
    if (ch === '#' && current === '') {
      comment = true;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      if (current) words.push(current);
      current = '';
      currentStart = i + 1;
      continue;
    }
    if ((ch === '"' || ch === "'") && current === '') quote = ch;
    if (current === '') currentStart = i;
    current += ch;
  }
  return {
    words,
    prefix: current,
    prefixStart: current ? currentStart : offset,
    inCommentOrString: comment || !!quote,
  };
}
