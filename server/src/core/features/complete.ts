/**
 * Completion, as a pure function of the parse, the cursor and what the analysis knows (variables,
 * upstreams and named locations across includes). The LSP layer (lsp/features.ts) turns the
 * candidates into CompletionItems; the documentation is resolved lazily (completionItem/resolve).
 */
import { directiveReference, type DirectiveContext, type DirectiveInfo } from '../directives/reference';
import type { ParsedFile } from '../parser/ast';
import { contextsOf, enclosingBlocks, statementAt, PASSES } from './cursor';
import { plainSyntax } from './docs';

export type CandidateKind = 'directive' | 'block' | 'value' | 'variable' | 'upstream' | 'named-location';

export interface Candidate {
  readonly label: string;
  readonly kind: CandidateKind;
  readonly detail?: string;
  /** What replaces [replaceStart, cursor); a snippet (`${1:…}` placeholders) when `snippet`. */
  readonly insertText: string;
  readonly snippet: boolean;
  readonly replaceStart: number;
  /** For a directive: what resolves its documentation. */
  readonly directive?: { readonly name: string; readonly context: DirectiveContext };
}

export interface CompletionContext {
  /** Where the file's top level is read (from the analysis: `http` for a conf.d file). */
  readonly topLevel: readonly DirectiveContext[];
  /** Variables the configuration defines (map, geo, set, …), without `$`. */
  readonly variables: Iterable<string>;
  readonly upstreams: Iterable<string>;
  /** Named locations (`@name`). */
  readonly namedLocations: Iterable<string>;
}

/**
 * Request and response headers that configs commonly read as `$http_*` / `$sent_http_*`: nginx
 * makes one variable per header, so its documentation names only the family.
 */
const REQUEST_HEADERS = [
  'upgrade',
  'connection',
  'host',
  'user_agent',
  'referer',
  'x_forwarded_for',
  'x_forwarded_proto',
  'x_forwarded_host',
  'x_real_ip',
  'authorization',
  'cookie',
  'origin',
  'accept',
  'accept_encoding',
  'accept_language',
  'sec_websocket_key',
  'sec_websocket_protocol',
  'sec_websocket_version',
];
const RESPONSE_HEADERS = ['content_type', 'content_length', 'cache_control', 'location', 'set_cookie', 'upgrade'];

export function completeAt(file: ParsedFile, offset: number, context: CompletionContext): Candidate[] {
  const statement = statementAt(file.text, offset);
  if (statement.inCommentOrString && !statement.prefix.includes('$')) return [];
  const prefix = statement.prefix;
  const dollar = prefix.lastIndexOf('$');
  if (dollar >= 0) {
    // `${name}` inside a string is written with braces; plain `$name` elsewhere.
    const braced = prefix[dollar + 1] === '{';
    return variableCandidates(context, statement.prefixStart + dollar, braced);
  }
  if (statement.inCommentOrString) return [];
  const enclosing = enclosingBlocks(file, offset);
  if (enclosing.inRawBody) return [];
  if (statement.words.length === 0) {
    return directiveCandidates(contextsOf(enclosing.blocks, context.topLevel), statement.prefixStart);
  }
  const name = statement.words[0] as string;
  if (prefix.startsWith('@')) {
    return [...new Set(context.namedLocations)].map((label) => ({
      label,
      kind: 'named-location' as const,
      insertText: label,
      snippet: false,
      replaceStart: statement.prefixStart,
    }));
  }
  const scheme = /^[a-z]+:\/\//.exec(prefix);
  if (scheme && PASSES.test(name) && statement.words.length === 1) {
    return [...new Set(context.upstreams)].map((label) => ({
      label,
      kind: 'upstream' as const,
      detail: 'upstream',
      insertText: label,
      snippet: false,
      replaceStart: statement.prefixStart + scheme[0].length,
    }));
  }
  if (statement.words.length === 1) {
    const contexts = contextsOf(enclosing.blocks, context.topLevel);
    const info = directiveReference().directive(name, contexts[0]);
    return (info?.args.values ?? []).map((label) => ({
      label,
      kind: 'value' as const,
      detail: info ? plainSyntax(info.syntax[0] ?? '') : undefined,
      insertText: label,
      snippet: false,
      replaceStart: statement.prefixStart,
    }));
  }
  return [];
}

function directiveCandidates(contexts: readonly DirectiveContext[], replaceStart: number): Candidate[] {
  const seen = new Set<string>();
  const candidates: Candidate[] = [];
  for (const context of contexts) {
    for (const info of directiveReference().directivesIn(context)) {
      if (seen.has(info.name)) continue;
      seen.add(info.name);
      candidates.push({
        label: info.name,
        kind: info.isBlock ? 'block' : 'directive',
        detail: `${info.name} ${plainSyntax(info.syntax[0] ?? '')}`,
        insertText: snippetOf(info),
        snippet: true,
        replaceStart,
        directive: { name: info.name, context },
      });
    }
  }
  return candidates;
}

/** `proxy_pass ${1:URL};`: the cursor lands on the first argument, named as the documentation names it. */
export function snippetOf(info: DirectiveInfo): string {
  const shape = info.args;
  const first = shape.values?.[0] ?? shape.firstPlaceholder ?? /\*([^*]+)\*/.exec(info.syntax[0] ?? '')?.[1];
  const takesNone = shape.max === 0;
  // Enumerated values (`on | off`, `1.0 | 1.1 | 2`) become a choice the editor offers in place.
  const choice =
    shape.values.length > 1
      ? `\${1|${shape.values.map((v) => v.replace(/[,|\\]/g, (ch) => `\\${ch}`)).join(',')}|}`
      : undefined;
  const placeholder = takesNone ? '' : ` ${choice ?? `\${1:${escapeSnippet(first ?? '')}}`}`;
  return info.isBlock ? `${info.name}${placeholder} {\n\t$0\n}` : `${info.name}${placeholder};`;
}

function escapeSnippet(text: string): string {
  return text.replace(/[$}\\]/g, (ch) => `\\${ch}`);
}

function variableCandidates(context: CompletionContext, replaceStart: number, braced: boolean): Candidate[] {
  const byName = new Map<string, { detail: string }>();
  for (const info of directiveReference().allVariables()) {
    if (!info.isPrefix && !byName.has(info.name)) byName.set(info.name, { detail: info.module });
  }
  for (const header of REQUEST_HEADERS) byName.set(`http_${header}`, { detail: 'request header' });
  for (const header of RESPONSE_HEADERS) byName.set(`sent_http_${header}`, { detail: 'response header' });
  for (const name of context.variables) byName.set(name, { detail: 'defined in this configuration' });
  return [...byName].map(([name, { detail }]) => ({
    label: `$${name}`,
    kind: 'variable' as const,
    detail,
    insertText: braced ? `\${${name}}` : `$${name}`,
    snippet: false,
    replaceStart,
  }));
}
