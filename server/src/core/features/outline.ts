/**
 * The file's structure for the editor: the outline (document symbols), folding ranges, and the
 * servers and locations of whole configs for workspace symbol search. Pure functions of the parse
 * and the model; lsp/features.ts converts them.
 */
import type { ConfigModel } from '../model/effective';
import type { Directive, ParsedFile, Range } from '../parser/ast';
import { Field, type ParsedFileImpl } from '../parser/records';

export type SymbolKindName = 'namespace' | 'server' | 'location' | 'upstream' | 'map' | 'condition';

export interface OutlineSymbol {
  readonly name: string;
  readonly detail: string | undefined;
  readonly kind: SymbolKindName;
  readonly range: Range;
  readonly selectionRange: Range;
  readonly children: OutlineSymbol[];
}

/** The blocks the outline shows, and as what. */
export const OUTLINE_KINDS: Readonly<Record<string, SymbolKindName>> = {
  http: 'namespace',
  stream: 'namespace',
  mail: 'namespace',
  events: 'namespace',
  server: 'server',
  location: 'location',
  limit_except: 'condition',
  if: 'condition',
  upstream: 'upstream',
  map: 'map',
  geo: 'map',
  split_clients: 'map',
};

/** The arguments' values, space-separated: read without making a Word per argument (big configs). */
function argsText(directive: Directive): string {
  let text = '';
  for (let i = 0; i < directive.argCount; i++) text += (i ? ' ' : '') + (directive.argValue(i) as string);
  return text;
}

/** The `server_name` and `listen` values of a server block. */
export function serverNames(server: Directive): { names: string[]; listens: string[] } {
  const names: string[] = [];
  const listens: string[] = [];
  for (const child of server.block?.children ?? []) {
    if (child.name === 'server_name') for (let i = 0; i < child.argCount; i++) names.push(child.argValue(i) as string);
    else if (child.name === 'listen') listens.push(argsText(child));
  }
  return { names, listens };
}

/**
 * The outline: http, server (named by server_name, with its listen), location, upstream, map… nested
 * as written. Read from the parse's records, with no Directive made: a 4 MB config has 30,000
 * symbols, and VS Code asks for them after each edit.
 */
export function documentSymbols(file: ParsedFile): OutlineSymbol[] {
  const parsed = file as ParsedFileImpl;
  const syntax = parsed.syntax;
  const cells = syntax.words.cells;
  const source = parsed.source;
  const kinds: (SymbolKindName | null | undefined)[] = [];
  const kindOf = (record: number): SymbolKindName | null => {
    const id = syntax.nameIdOf(record);
    let kind = kinds[id];
    if (kind === undefined) kinds[id] = kind = OUTLINE_KINDS[syntax.names[id] as string] ?? null;
    return kind;
  };
  const argsOf = (record: number, from = 0): string => {
    let text = '';
    for (let i = from; i < syntax.argCount(record); i++)
      text += (i > from ? ' ' : '') + (syntax.argValue(record, i) as string);
    return text;
  };
  const walk = (parent: number, inUpstream: boolean): OutlineSymbol[] => {
    const symbols: OutlineSymbol[] = [];
    for (let record = syntax.firstChild(parent); record >= 0; record = syntax.nextSibling(record)) {
      if (!syntax.hasBlock(record)) continue;
      const kind = kindOf(record);
      // Other blocks (`types`, `*_by_lua_block`, third-party ones) are not part of the config's structure.
      if (kind === null) continue;
      const directiveName = syntax.name(record);
      let name = syntax.argCount(record) ? `${directiveName} ${argsOf(record)}` : directiveName;
      let detail: string | undefined;
      if (directiveName === 'server' && !inUpstream) {
        const names: string[] = [];
        const listens: string[] = [];
        for (let child = syntax.firstChild(record); child >= 0; child = syntax.nextSibling(child)) {
          const childName = syntax.name(child);
          if (childName === 'server_name')
            for (let i = 0; i < syntax.argCount(child); i++) names.push(syntax.argValue(child, i) as string);
          else if (childName === 'listen') listens.push(argsOf(child));
        }
        if (names.length) name = `server ${names.join(' ')}`;
        if (listens.length) detail = `listen ${listens.join(', ')}`;
      } else if (directiveName === 'upstream' || directiveName === 'map') {
        let count = 0;
        for (let child = syntax.firstChild(record); child >= 0; child = syntax.nextSibling(child)) count++;
        detail = `${count} ${directiveName === 'map' ? 'entries' : 'lines'}`;
      }
      const nameWord = syntax.get(record, Field.FirstWord) * 3;
      symbols.push({
        name,
        detail,
        kind,
        range: source.rangeOf(cells[nameWord] as number, syntax.get(record, Field.End)),
        selectionRange: source.rangeOf(cells[nameWord] as number, cells[nameWord + 1] as number),
        children: syntax.rawBodies.has(record) || kind === 'map' ? [] : walk(record, directiveName === 'upstream'),
      });
    }
    return symbols;
  };
  return walk(-1, false);
}

export interface Fold {
  readonly startLine: number;
  readonly endLine: number;
  readonly comment: boolean;
}

/** Folding: each block from its `{` line to the line before its `}`, and each run of two or more comment lines. */
export function foldingRanges(file: ParsedFile): Fold[] {
  const folds: Fold[] = [];
  const parsed = file as ParsedFileImpl;
  const syntax = parsed.syntax;
  const source = parsed.source;
  // From the records, as the outline: no Directive made for the blocks of a big config.
  const walk = (parent: number): void => {
    for (let record = syntax.firstChild(parent); record >= 0; record = syntax.nextSibling(record)) {
      const open = syntax.get(record, Field.Open);
      if (open < 0) continue;
      const close = syntax.get(record, Field.Close);
      const start = source.positionAt(open).line;
      const end = close >= 0 ? source.positionAt(close).line - 1 : source.positionAt(file.text.length).line;
      if (end > start) folds.push({ startLine: start, endLine: end, comment: false });
      if (!syntax.rawBodies.has(record)) walk(record);
    }
  };
  walk(-1);
  const lineStarts = file.source.lineStarts;
  let runStart = -1;
  let runEnd = -2;
  const flush = (): void => {
    if (runStart >= 0 && runEnd > runStart) folds.push({ startLine: runStart, endLine: runEnd, comment: true });
  };
  for (const comment of file.comments) {
    const line = comment.range.start.line;
    // Only comments alone on their line make a foldable run (not `listen 80; # note`).
    if (file.text.slice(lineStarts[line] as number, comment.offset).trim() !== '') continue;
    if (line === runEnd + 1) runEnd = line;
    else {
      flush();
      runStart = runEnd = line;
    }
  }
  flush();
  return folds.sort((a, b) => a.startLine - b.startLine);
}

export interface ConfigSymbol {
  readonly name: string;
  readonly kind: 'server' | 'location' | 'upstream';
  readonly file: string;
  readonly range: Range;
  /** The server a location is in, for the editor's "container" column. */
  readonly container: string | undefined;
}

/**
 * Server names, locations and upstreams of a whole config (every file its includes reach),
 * matching `query` by case-insensitive subsequence, as editors match symbol queries.
 */
export function configSymbols(model: ConfigModel, query: string, limit = 5000): ConfigSymbol[] {
  const wanted = query.toLowerCase();
  const matches = (name: string): boolean => {
    if (!wanted) return true;
    const lower = name.toLowerCase();
    let at = 0;
    for (const ch of wanted) {
      at = lower.indexOf(ch, at);
      if (at < 0) return false;
      at++;
    }
    return true;
  };
  const result: ConfigSymbol[] = [];
  // Keyed by place: the model may make a node object more than once.
  const serverLabel = new Map<string, string>();
  const key = (node: { file: string; directive: Directive }): string => `${node.file}\n${node.directive.offset}`;
  for (const server of model.servers) {
    const { names, listens } = serverNames(server.directive);
    const label = names.length ? names.join(' ') : `server (listen ${listens.join(', ') || 'default'})`;
    serverLabel.set(key(server), label);
    if (result.length < limit && matches(label))
      result.push({
        name: label,
        kind: 'server',
        file: server.file,
        range: server.directive.range,
        container: undefined,
      });
  }
  for (const location of model.locations) {
    if (result.length >= limit) break;
    if (location.kind !== 'location') continue;
    const name = `location ${location.modifier ? location.modifier + ' ' : ''}${location.path}`;
    if (!matches(name)) continue;
    result.push({
      name,
      kind: 'location',
      file: location.node.file,
      range: location.node.directive.range,
      container: location.server ? serverLabel.get(key(location.server)) : undefined,
    });
  }
  for (const [name, node] of model.upstreams) {
    if (result.length >= limit) break;
    if (matches(name))
      result.push({
        name: `upstream ${name}`,
        kind: 'upstream',
        file: node.file,
        range: node.directive.range,
        container: undefined,
      });
  }
  return result;
}
