/**
 * What a directive's syntax line from nginx's documentation says about its arguments. The
 * reference data (`@nginx/reference-lib`) gives syntax only as text, e.g. "`on` | `off`",
 * "*`field`* *`value`*", "[ `=` | `~` ] *`uri`* `{...}`", "*`code`* [*`text`*]", "*`name`* ...":
 * literal words in backticks, placeholders in italics, optional parts in brackets, alternatives
 * split by a spaced " | ", repetition by "...", and "`{...}`" for a block.
 */

export interface ArgumentShape {
  /** Fewest arguments nginx accepts. */
  readonly min: number;
  /** Most arguments nginx accepts; Infinity for "...". */
  readonly max: number;
  /**
   * The literal words the first argument may be, when the syntax lists them (`on`, `off`; `1.0`,
   * `1.1`, `2`); empty when it also takes free text (a placeholder such as *`number`*).
   */
  readonly values: readonly string[];
  /** Literal words anywhere (`default_server`, `ssl`, `always`): what completion may offer. */
  readonly keywords: readonly string[];
  /** The syntax names the first argument's placeholder, e.g. "URL", "field": for snippets. */
  readonly firstPlaceholder: string | undefined;
}

type Item =
  | { readonly kind: 'word'; readonly literal: string | undefined; readonly placeholder: string | undefined }
  | { readonly kind: 'optional'; readonly body: Sequence }
  | { readonly kind: 'repeat' }
  | { readonly kind: 'block' };
/** Alternatives, each a list of items. */
type Sequence = Item[][];

/** Placeholders that stand for any number of words (upstream `server address [parameters]`). */
const PLURAL_PLACEHOLDERS = new Set(['parameters', 'params', 'options', 'flags']);

/** Strips the Markdown emphasis and code marks: "*`URL`*" -> "URL". */
function plain(text: string): string {
  return text.replace(/[`*]/g, '');
}

/** Splits at depth 0 on whitespace, keeping bracketed groups together. */
function topLevelTokens(text: string): string[] {
  const tokens: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '[') depth++;
    if (char === ']') depth = Math.max(0, depth - 1);
    if (depth === 0 && /\s/.test(char)) {
      if (current) tokens.push(current);
      current = '';
    } else current += char;
  }
  if (current) tokens.push(current);
  return tokens;
}

function parseSequence(text: string): Sequence {
  const alternatives: Item[][] = [[]];
  for (const token of topLevelTokens(text)) {
    if (token === '|') {
      alternatives.push([]);
      continue;
    }
    const items = alternatives[alternatives.length - 1] as Item[];
    if (token === '...') items.push({ kind: 'repeat' });
    else if (plain(token) === '{...}') items.push({ kind: 'block' });
    else if (token.startsWith('[') && token.endsWith(']') && isOneGroup(token))
      items.push({ kind: 'optional', body: parseSequence(token.slice(1, -1)) });
    else {
      // A word, perhaps with glued optional parts ("*`address`*[:*`port`*]", "`threads`[`=`*`pool`*]").
      const head = token.replace(/\[.*$/, '');
      const literal = /^`[^`]+`$/.test(head) ? head.slice(1, -1) : undefined;
      const placeholderMatch = /^\*`([^`]+)`\*/.exec(head);
      items.push({ kind: 'word', literal, placeholder: placeholderMatch?.[1] });
      // "[*`parameters`*]": the documentation names a list of options with one plural placeholder.
      if (placeholderMatch?.[1] && PLURAL_PLACEHOLDERS.has(placeholderMatch[1])) items.push({ kind: 'repeat' });
    }
  }
  return alternatives;
}

/** "[a] [b]" is two groups, "[a [b]]" one. */
function isOneGroup(token: string): boolean {
  let depth = 0;
  for (let index = 0; index < token.length; index++) {
    const char = token[index];
    if (char === '[') depth++;
    else if (char === ']') {
      depth--;
      if (depth === 0 && index !== token.length - 1) return false;
    }
  }
  return depth === 0;
}

interface Counts {
  min: number;
  max: number;
}

function countSequence(sequence: Sequence): Counts {
  let min = Infinity;
  let max = 0;
  for (const items of sequence) {
    let low = 0;
    let high = 0;
    for (const item of items) {
      if (item.kind === 'word') {
        low++;
        high++;
      } else if (item.kind === 'optional') {
        high += countSequence(item.body).max;
      } else if (item.kind === 'repeat') high = Infinity;
    }
    min = Math.min(min, low);
    max = Math.max(max, high);
  }
  return { min: min === Infinity ? 0 : min, max };
}

function collectKeywords(sequence: Sequence, into: Set<string>): void {
  for (const items of sequence)
    for (const item of items) {
      if (item.kind === 'word' && item.literal) into.add(item.literal);
      if (item.kind === 'optional') collectKeywords(item.body, into);
    }
}

/** Literal values of the first argument, or undefined when some alternative starts with free text. */
function firstValues(sequence: Sequence): string[] | undefined {
  const values: string[] = [];
  for (const items of sequence) {
    const first = items[0];
    if (!first || first.kind === 'block') continue;
    if (first.kind !== 'word' || !first.literal) return undefined;
    values.push(first.literal);
  }
  return values;
}

function firstPlaceholderOf(sequence: Sequence): string | undefined {
  for (const items of sequence) {
    const first = items[0];
    if (first?.kind === 'word') return first.placeholder ?? first.literal;
    if (first?.kind === 'optional') return firstPlaceholderOf(first.body);
  }
  return undefined;
}

/** One syntax line. */
export function parseSyntaxLine(syntax: string): ArgumentShape {
  const sequence = parseSequence(syntax.trim());
  const counts = countSequence(sequence);
  const keywords = new Set<string>();
  collectKeywords(sequence, keywords);
  return {
    min: counts.min,
    max: counts.max,
    values: firstValues(sequence) ?? [],
    keywords: [...keywords],
    firstPlaceholder: firstPlaceholderOf(sequence),
  };
}

/** A directive documented with several syntax lines accepts any of them. */
export function argumentShape(syntaxLines: readonly string[]): ArgumentShape {
  const shapes = syntaxLines.map(parseSyntaxLine);
  if (!shapes.length) return { min: 0, max: Infinity, values: [], keywords: [], firstPlaceholder: undefined };
  const anyFree = shapes.some((shape) => shape.values.length === 0);
  return {
    min: Math.min(...shapes.map((shape) => shape.min)),
    max: Math.max(...shapes.map((shape) => shape.max)),
    values: anyFree ? [] : [...new Set(shapes.flatMap((shape) => shape.values))],
    keywords: [...new Set(shapes.flatMap((shape) => shape.keywords))],
    firstPlaceholder: shapes.find((shape) => shape.firstPlaceholder)?.firstPlaceholder,
  };
}

/** The syntax line as plain text for a hover or a completion detail: "proxy_http_version 1.0 | 1.1 | 2;". */
export function syntaxAsText(name: string, syntax: string, isBlock: boolean): string {
  const body = plain(syntax).trim();
  if (isBlock) return `${name} ${body.replace(/\{\.\.\.\}$/, '{ ... }')}`.replace(/\s+/g, ' ');
  return `${name}${body ? ` ${body}` : ''};`;
}
