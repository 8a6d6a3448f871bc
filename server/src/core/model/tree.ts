import * as path from 'node:path';
import type { Comment, Directive, ParsedFile } from '../parser/ast';
import { parse } from '../parser/parser';
import { reparseAfterEdit } from '../parser/reparse';
import type { ParsedFileImpl } from '../parser/records';
import { isGlobPattern, type ConfigFileSystem } from './fileSystem';

/** The context a block's children are in, named after the block directive (`main` at the top). */
export type ContextName =
  'main' | 'http' | 'server' | 'location' | 'if' | 'limit_except' | 'upstream' | 'events' | 'stream' | 'map' | 'other';

/** Blocks whose bodies are not directives but table entries (`map`, `types`, ...). */
const TABLE_BLOCKS = new Set(['map', 'types', 'geo', 'split_clients', 'match', 'charset_map']);

export function contextOfBlock(name: string): ContextName {
  switch (name) {
    case 'http':
    case 'server':
    case 'location':
    case 'if':
    case 'limit_except':
    case 'upstream':
    case 'events':
    case 'stream':
      return name;
    default:
      return TABLE_BLOCKS.has(name) ? 'map' : 'other';
  }
}

export interface IncludeResolution {
  /** The argument as written. */
  readonly pattern: string;
  /** The absolute pattern it was resolved to (after path mapping, if that was needed). */
  readonly resolvedPattern: string;
  readonly files: readonly string[];
  readonly isGlob: boolean;
  /** Why some or all of it could not be followed, if so. */
  readonly problem: string | undefined;
}

/**
 * One directive as nginx sees it, in one place of the configuration: a file included twice
 * gives two nodes for each of its directives. `children` of a block hold the `include`
 * directive followed by the included files' directives, flattened, as nginx reads them.
 */
export interface ConfigNode {
  readonly directive: Directive;
  readonly file: string;
  readonly parent: ConfigNode | undefined;
  readonly children: readonly ConfigNode[];
  /** For an `include`: what it brought in. */
  readonly include: IncludeResolution | undefined;
  /** The `include` node this node came in through, if it is a top-level directive of an included file. */
  readonly via: ConfigNode | undefined;
  /** Context of this node's own children. */
  readonly context: ContextName;
}

/** Where a file is included, and in which context its top-level directives are. */
export interface Inclusion {
  readonly file: string;
  readonly context: ContextName;
  /** The `include` node; undefined for the root file. */
  readonly via: ConfigNode | undefined;
}

export interface ConfigTree {
  readonly rootFile: string;
  /** Context of the root file's top-level directives (`main` for a real nginx.conf). */
  readonly rootContext: ContextName;
  /** Where the context came from: a whole config, an annotation, or a guess from the content. */
  readonly rootContextSource: 'main' | 'annotation' | 'inferred';
  readonly children: readonly ConfigNode[];
  readonly files: ReadonlyMap<string, ParsedFile>;
  readonly inclusions: ReadonlyMap<string, readonly Inclusion[]>;
  /** Includes that could not be followed (missing file, cycle, depth limit). */
  readonly includeProblems: readonly { readonly node: ConfigNode; readonly message: string }[];
  /**
   * Every absolute pattern the includes resolved to, matched or not (`/ws/conf.d/*.conf`, a
   * missing `/ws/snippets/ws.conf`): a file that appears there later changes the configuration.
   */
  readonly includePatterns: readonly string[];
}

export interface TreeOptions {
  /** Directory that relative include paths resolve against: that of the main config file. */
  readonly baseDir: string;
  /** Folder-name mappings for symlink-populated folders (`sites-enabled` -> `sites-available`). */
  readonly pathMappings?: Readonly<Record<string, string>>;
  /** Context of the root file's directives; default: inferred from its content. */
  readonly rootContext?: ContextName;
  readonly maxDepth?: number;
  readonly parseCache?: ParseCache;
}

/** Keeps parsed files while their text is unchanged, so one edit re-parses one file. */
export class ParseCache {
  private readonly entries = new Map<string, ParsedFile>();

  get(file: string, text: string): ParsedFile {
    const cached = this.entries.get(file);
    if (cached && cached.text === text) return cached;
    // Typing inside a value: the parse before it, with the offsets after the word moved; inside a
    // block: that block's body parsed again, spliced into the parse before it.
    const parsed = (cached && reparseAfterEdit(cached, text)) ?? parse(text, file);
    this.entries.set(file, parsed);
    return parsed;
  }

  delete(file: string): void {
    this.entries.delete(file);
  }

  clear(): void {
    this.entries.clear();
  }
}

/** What the tree needs to know of a parsed file, worked out once per parse (the cache keeps it). */
class FileFacts {
  /** Record indices of the `include` directives nginx follows (not those inside `map`-like blocks), in order. */
  readonly sites: readonly number[];
  /** Per record: 1 + its position in `sites` for an include site, else 0. */
  readonly siteOf: Int32Array;
  /** Per name index: the context a block of that name opens. */
  private readonly blockContexts: (ContextName | undefined)[] = [];

  constructor(readonly parsed: ParsedFileImpl) {
    const syntax = parsed.syntax;
    this.siteOf = new Int32Array(syntax.count);
    const sites: number[] = [];
    const includeId = syntax.names.indexOf('include');
    if (includeId >= 0) {
      for (let index = 0; index < syntax.count; index++) {
        if (syntax.nameIdOf(index) !== includeId || syntax.hasBlock(index)) continue;
        let inTable = false;
        for (let up = syntax.parent(index); up >= 0 && !inTable; up = syntax.parent(up))
          inTable = this.blockContext(up) === 'map';
        if (inTable) continue;
        sites.push(index);
        this.siteOf[index] = sites.length;
      }
    }
    this.sites = sites;
  }

  /** The context the block of record `index` opens. */
  blockContext(index: number): ContextName {
    const id = this.parsed.syntax.nameIdOf(index);
    return (this.blockContexts[id] ??= contextOfBlock(this.parsed.syntax.names[id] as string));
  }
}

function factsOf(parsed: ParsedFileImpl): FileFacts {
  return (parsed.treeFacts ??= new FileFacts(parsed)) as FileFacts;
}

/** The include sites of one scope and what they brought in. */
interface Expansion {
  /** Per include site (in `facts.sites` order): how its argument resolved. */
  readonly resolutions: IncludeResolution[];
  /** The scopes the include sites brought in, in order. */
  readonly scopes: Scope[];
  /** Per include site: where its scopes start in `scopes` (one more entry: the end). */
  readonly starts: Int32Array;
}

/**
 * One reading of a file: the root file, or one inclusion of a file. A snippet included in 5,000
 * locations is parsed once and read in 5,000 scopes. Nodes are addressed by (scope, record index)
 * and made into `ConfigNode` objects only when something asks for one. A scope is also the
 * `Inclusion` that records where its file was included.
 */
export class Scope implements Inclusion {
  /** Nodes made so far: a map, as most records of a big file never get one. */
  private nodes: Map<number, ConfigNodeImpl> | undefined = undefined;
  /** What the include sites brought in; only scopes of files with include sites have it. */
  expansion: Expansion | undefined = undefined;
  readonly facts: FileFacts;
  constructor(
    readonly parsed: ParsedFileImpl,
    readonly file: string,
    /** Context of this file's top-level directives here. */
    readonly context: ContextName,
    /** The scope whose `include` brought this one in; undefined for the root file. */
    readonly includer: Scope | undefined,
    /** Record index of that `include` in the includer. */
    readonly includeIndex: number,
  ) {
    this.facts = factsOf(parsed);
  }

  /** The node of record `index` in this scope, always the same object. */
  node(index: number): ConfigNodeImpl {
    const nodes = (this.nodes ??= new Map());
    let node = nodes.get(index);
    if (!node) nodes.set(index, (node = new ConfigNodeImpl(this, index)));
    return node;
  }

  get via(): ConfigNode | undefined {
    return this.includer?.node(this.includeIndex);
  }

  /** The node whose child record `index` is: its block's directive, or for a top-level one, the include's parent. */
  parentOf(index: number): ConfigNode | undefined {
    const parent = this.parsed.syntax.parent(index);
    if (parent >= 0) return this.node(parent);
    return this.includer?.parentOf(this.includeIndex);
  }

  /** The context record `index` stands in. */
  enclosingContext(index: number): ContextName {
    const parent = this.parsed.syntax.parent(index);
    return parent >= 0 ? this.facts.blockContext(parent) : this.context;
  }

  /** Whether the children of record `index` are part of the tree (a block, and not a `map`-like table). */
  expands(index: number): boolean {
    return this.parsed.syntax.hasBlock(index) && this.facts.blockContext(index) !== 'map';
  }

  /** Where the scopes brought in by record `index` start among `includedScope(i)`; see `includedEnd`. */
  includedStart(index: number): number {
    const site = (this.facts.siteOf[index] as number) - 1;
    return site < 0 || !this.expansion ? 0 : (this.expansion.starts[site] as number);
  }

  /** Where they end: equal to `includedStart` for a record that brought nothing in. */
  includedEnd(index: number): number {
    const site = (this.facts.siteOf[index] as number) - 1;
    return site < 0 || !this.expansion ? 0 : (this.expansion.starts[site + 1] as number);
  }

  /** The `at`-th scope this one's include sites brought in (see `includedStart`). */
  includedScope(at: number): Scope {
    return (this.expansion as Expansion).scopes[at] as Scope;
  }

  /** How the include argument of record `index` resolved; undefined for other records. */
  resolutionOf(index: number): IncludeResolution | undefined {
    const site = (this.facts.siteOf[index] as number) - 1;
    return site < 0 ? undefined : this.expansion?.resolutions[site];
  }

  /** The children of record `index` (-1: the top level) as nodes, included files' directives flattened in. */
  childNodes(index: number, out: ConfigNode[]): void {
    const syntax = this.parsed.syntax;
    for (let child = syntax.firstChild(index); child >= 0; child = syntax.nextSibling(child)) {
      out.push(this.node(child));
      for (let at = this.includedStart(child), end = this.includedEnd(child); at < end; at++)
        this.includedScope(at).childNodes(-1, out);
    }
  }
}

/** A node of the tree: a view of (scope, record), with its fields worked out when read. */
export class ConfigNodeImpl implements ConfigNode {
  private children_: readonly ConfigNode[] | undefined;
  constructor(
    readonly scope: Scope,
    readonly index: number,
  ) {}
  get directive(): Directive {
    return this.scope.parsed.directiveAt(this.index);
  }
  get file(): string {
    return this.scope.file;
  }
  get parent(): ConfigNode | undefined {
    return this.scope.parentOf(this.index);
  }
  get via(): ConfigNode | undefined {
    return this.scope.parsed.syntax.parent(this.index) < 0 ? this.scope.via : undefined;
  }
  get context(): ContextName {
    const scope = this.scope;
    return scope.parsed.syntax.hasBlock(this.index)
      ? scope.facts.blockContext(this.index)
      : scope.enclosingContext(this.index);
  }
  get include(): IncludeResolution | undefined {
    return this.scope.resolutionOf(this.index);
  }
  get children(): readonly ConfigNode[] {
    if (!this.children_) {
      if (this.scope.expands(this.index)) {
        const children: ConfigNode[] = [];
        this.scope.childNodes(this.index, children);
        this.children_ = children;
      } else {
        this.children_ = NO_CHILDREN;
      }
    }
    return this.children_;
  }
}

class ConfigTreeImpl implements ConfigTree {
  private children_: readonly ConfigNode[] | undefined;
  constructor(
    readonly rootFile: string,
    readonly rootContext: ContextName,
    readonly rootContextSource: ConfigTree['rootContextSource'],
    /** Undefined when the root file cannot be read. */
    readonly rootScope: Scope | undefined,
    readonly files: ReadonlyMap<string, ParsedFile>,
    readonly inclusions: ReadonlyMap<string, readonly Inclusion[]>,
    readonly includeProblems: readonly { readonly node: ConfigNode; readonly message: string }[],
    private readonly resolutions: ReadonlyMap<string, IncludeResolution>,
  ) {}
  get includePatterns(): readonly string[] {
    return [...new Set([...this.resolutions.values()].map((resolution) => resolution.resolvedPattern))];
  }
  get children(): readonly ConfigNode[] {
    if (!this.children_) {
      const children: ConfigNode[] = [];
      this.rootScope?.childNodes(-1, children);
      this.children_ = children;
    }
    return this.children_;
  }
}

/** The root scope of a tree made by `buildConfigTree`, for walks by record index. */
export function rootScopeOf(tree: ConfigTree): Scope | undefined {
  return (tree as ConfigTreeImpl).rootScope;
}

const DEFAULT_MAX_DEPTH = 32;
const NO_CHILDREN: readonly ConfigNode[] = Object.freeze([]);

/** The file system seen by one tree build: each file read, glob expanded and path resolved once. */
function memoized(fs: ConfigFileSystem): ConfigFileSystem {
  const texts = new Map<string, string | undefined>();
  const globs = new Map<string, string[]>();
  const canonicals = new Map<string, string>();
  return {
    readFile(file) {
      if (!texts.has(file)) texts.set(file, fs.readFile(file));
      return texts.get(file);
    },
    glob(pattern, options) {
      if (options) return fs.glob(pattern, options);
      let found = globs.get(pattern);
      if (!found) globs.set(pattern, (found = fs.glob(pattern)));
      return found;
    },
    canonical(file) {
      let found = canonicals.get(file);
      if (found === undefined) canonicals.set(file, (found = fs.canonical(file)));
      return found;
    },
  };
}
const ANNOTATION = /^\s*nginx-ws:\s*context\s*=\s*(main|http|server|location)\b/i;

/** Reads `# nginx-ws: context=server` from the file's comments. */
export function annotatedContext(comments: readonly Comment[]): ContextName | undefined {
  for (const comment of comments) {
    const match = ANNOTATION.exec(comment.text);
    if (match) return (match[1] as string).toLowerCase() as ContextName;
  }
  return undefined;
}

const MAIN_ONLY = new Set([
  'http',
  'events',
  'stream',
  'user',
  'worker_processes',
  'pid',
  'load_module',
  'worker_rlimit_nofile',
  'daemon',
  'mail',
]);
const HTTP_LEVEL = new Set([
  'server',
  'upstream',
  'map',
  'geo',
  'split_clients',
  'log_format',
  'limit_req_zone',
  'limit_conn_zone',
  'proxy_cache_path',
]);
const SERVER_LEVEL = new Set(['location', 'listen', 'server_name', 'ssl_certificate', 'ssl_certificate_key']);

/** Guesses the context of a fragment from its top-level directives. */
export function inferContext(directives: readonly Directive[]): ContextName {
  let guess: ContextName | undefined;
  for (const directive of directives) {
    if (MAIN_ONLY.has(directive.name)) return 'main';
    if (HTTP_LEVEL.has(directive.name)) guess = 'http';
    else if (SERVER_LEVEL.has(directive.name) && guess !== 'http') guess = 'server';
    else if (directive.name.startsWith('proxy_') && guess === undefined) guess = 'location';
  }
  return guess ?? 'main';
}

/**
 * Parses `rootFile` and every file it includes, recursively, into one tree of nodes in the
 * order nginx reads them.
 */
export function buildConfigTree(rootFile: string, disk: ConfigFileSystem, options: TreeOptions): ConfigTree {
  const fs = memoized(disk);
  const resolutions = new Map<string, IncludeResolution>();
  const cache = options.parseCache ?? new ParseCache();
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const files = new Map<string, ParsedFile>();
  const inclusions = new Map<string, Inclusion[]>();
  const includeProblems: { node: ConfigNode; message: string }[] = [];

  const load = (file: string): ParsedFileImpl | undefined => {
    const known = files.get(file);
    if (known) return known as ParsedFileImpl;
    const text = fs.readFile(file);
    if (text === undefined) return undefined;
    const parsed = cache.get(file, text) as ParsedFileImpl;
    files.set(file, parsed);
    return parsed;
  };

  const addInclusion = (inclusion: Inclusion): void => {
    const list = inclusions.get(inclusion.file);
    if (list) list.push(inclusion);
    else inclusions.set(inclusion.file, [inclusion]);
  };

  const root = load(rootFile);
  let rootContext = options.rootContext;
  let rootContextSource: ConfigTree['rootContextSource'] = 'main';
  if (!rootContext && root) {
    const annotated = annotatedContext(root.comments);
    rootContext = annotated ?? inferContext(root.directives);
    rootContextSource = annotated ? 'annotation' : rootContext === 'main' ? 'main' : 'inferred';
  }
  rootContext ??= 'main';
  addInclusion({ file: rootFile, context: rootContext, via: undefined });

  /** Files being expanded right now, canonical paths, for cycle detection. */
  const active: string[] = [fs.canonical(rootFile)];

  /** Follows the includes of one scope, recursively: only include sites are visited, not every directive. */
  const expand = (scope: Scope): void => {
    if (scope.context === 'map') return;
    const syntax = scope.parsed.syntax;
    const sites = scope.facts.sites;
    if (!sites.length) return;
    const expansion: Expansion = { resolutions: [], scopes: [], starts: new Int32Array(sites.length + 1) };
    scope.expansion = expansion;
    const { starts, scopes } = expansion;
    sites.forEach((site, ordinal) => {
      starts[ordinal] = starts[ordinal + 1] = scopes.length;
      const pattern = syntax.argValue(site, 0);
      if (pattern === undefined) return;
      // A snippet included in thousands of locations is looked up once.
      let resolution = resolutions.get(pattern);
      if (!resolution) {
        resolution = resolveInclude(pattern, options.baseDir, fs, options.pathMappings ?? {});
        resolutions.set(pattern, resolution);
      }
      expansion.resolutions[ordinal] = resolution;
      if (resolution.problem) includeProblems.push({ node: scope.node(site), message: resolution.problem });
      const context = scope.enclosingContext(site);
      for (const included of resolution.files) {
        const canonical = fs.canonical(included);
        if (active.includes(canonical)) {
          includeProblems.push({
            node: scope.node(site),
            message: `"${included}" includes itself (through ${active.length} level(s)): nginx would loop.`,
          });
          continue;
        }
        if (active.length >= maxDepth) {
          includeProblems.push({
            node: scope.node(site),
            message: `Includes nest deeper than ${maxDepth} levels; "${included}" was not read.`,
          });
          continue;
        }
        const parsed = load(included);
        if (!parsed) {
          includeProblems.push({ node: scope.node(site), message: `Cannot read "${included}".` });
          continue;
        }
        const child = new Scope(parsed, included, context, scope, site);
        scopes.push(child);
        addInclusion(child);
        active.push(canonical);
        expand(child);
        active.pop();
      }
      starts[ordinal + 1] = scopes.length;
    });
  };

  const rootScope = root ? new Scope(root, rootFile, rootContext, undefined, -1) : undefined;
  if (rootScope) expand(rootScope);
  return new ConfigTreeImpl(
    rootFile,
    rootContext,
    rootContextSource,
    rootScope,
    files,
    inclusions,
    includeProblems,
    resolutions,
  );
}

/**
 * Resolves an include argument as nginx does: relative to the main config's directory, a glob
 * when it holds `*`, `?` or `[`, sorted, zero matches allowed. Where the path does not exist
 * here (a config copied from a server into a workspace), tries the path mappings, then the
 * path's trailing parts under the main config's directory.
 */
export function resolveInclude(
  pattern: string,
  baseDir: string,
  fs: ConfigFileSystem,
  pathMappings: Readonly<Record<string, string>>,
): IncludeResolution {
  const isGlob = isGlobPattern(pattern);
  const absolute = path.isAbsolute(pattern) ? path.normalize(pattern) : path.resolve(baseDir, pattern);
  const attempt = (candidate: string): string[] => {
    if (isGlob) return fs.glob(candidate);
    return fs.readFile(candidate) === undefined ? [] : [candidate];
  };

  const candidates = [absolute, ...mappedCandidates(absolute, pathMappings)];
  if (path.isAbsolute(pattern)) candidates.push(...rerootedCandidates(absolute, baseDir, isGlob));
  for (const candidate of candidates) {
    const found = attempt(candidate);
    if (found.length) return { pattern, resolvedPattern: candidate, files: found, isGlob, problem: undefined };
  }
  return {
    pattern,
    resolvedPattern: absolute,
    files: [],
    isGlob,
    // A glob matching nothing is fine for nginx; a missing plain file is an error.
    problem: isGlob ? undefined : `Included file "${absolute}" does not exist here: its directives are unknown.`,
  };
}

function mappedCandidates(absolute: string, pathMappings: Readonly<Record<string, string>>): string[] {
  const segments = absolute.split(path.sep);
  const results: string[] = [];
  for (const [from, to] of Object.entries(pathMappings)) {
    const index = segments.indexOf(from);
    if (index < 0) continue;
    const mapped = [...segments];
    mapped[index] = to;
    results.push(mapped.join(path.sep));
  }
  return results;
}

/**
 * `/etc/nginx/conf.d/*.conf` with the main config in `/work/ws/nginx.conf`: `/work/ws/nginx/conf.d/*.conf`,
 * then `/work/ws/conf.d/*.conf`. A glob keeps its folder: `*.conf` alone would match unrelated files.
 */
function rerootedCandidates(absolute: string, baseDir: string, isGlob: boolean): string[] {
  const segments = absolute.split(path.sep).filter(Boolean);
  const results: string[] = [];
  const keep = isGlob ? 2 : 1;
  for (let drop = 1; drop <= segments.length - keep; drop++) {
    results.push(path.join(baseDir, ...segments.slice(drop)));
  }
  return results;
}
