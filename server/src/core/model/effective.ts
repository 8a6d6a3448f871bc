import type { Directive, Word } from '../parser/ast';
import type { ParsedFileImpl } from '../parser/records';
import { isNameCode, isNameStartCode } from '../parser/text';
import { rootScopeOf, type ConfigNode, type ConfigTree, type ContextName, type Scope } from './tree';

/** A scalar directive's value and the node that set it. */
export interface Setting {
  readonly node: ConfigNode;
  readonly value: string;
  readonly word: Word | undefined;
}

/** One `proxy_set_header NAME VALUE;` line. */
export interface HeaderLine {
  readonly node: ConfigNode;
  /** Header name as written. */
  readonly name: string;
  /** Lower-cased header name, for comparisons. */
  readonly key: string;
  readonly value: Word | undefined;
  /** The value as nginx reads it, without making the Word (or the node): what an evaluation reads. */
  readonly valueText: string | undefined;
}

/**
 * The `proxy_set_header` lines that apply at one level. nginx inherits the enclosing level's lines
 * if and only if this level has none of its own (`ngx_conf_merge_ptr_value(headers_source)`).
 */
export interface HeaderSet {
  readonly lines: readonly HeaderLine[];
  /** The block whose lines these are; undefined when none are set anywhere. */
  readonly level: ConfigNode | undefined;
  /**
   * When this level has its own lines: the enclosing level's effective lines that it therefore
   * drops (those it does not declare again).
   */
  readonly dropped: readonly HeaderLine[];
}

export type LocationKind = 'location' | 'if' | 'limit_except';

export interface LocationModel {
  readonly node: ConfigNode;
  readonly kind: LocationKind;
  /** `=`, `~`, `~*`, `^~`, `@` (named) or '' (prefix). */
  readonly modifier: string;
  /** The path, regex or name; for `if`, the condition as written. */
  readonly path: string;
  readonly server: ConfigNode | undefined;
  /** The location this one is nested in (for an `if`, its location). */
  readonly enclosing: LocationModel | undefined;
  readonly proxyPass: Setting | undefined;
  readonly proxyHttpVersion: Setting | undefined;
  readonly proxyReadTimeout: Setting | undefined;
  readonly headers: HeaderSet;
  /** Includes along this location's chain of blocks that could not be read: its picture is incomplete. */
  readonly unresolvedIncludes: readonly ConfigNode[];
}

export interface VariableDefinition {
  readonly name: string;
  readonly node: ConfigNode;
  readonly kind: 'map' | 'geo' | 'set' | 'split_clients' | 'capture' | 'other';
}

export interface ConfigModel {
  readonly tree: ConfigTree;
  readonly locations: readonly LocationModel[];
  /** Variables defined by `map`, `geo`, `set`, `split_clients`, `*_set` and named regex captures. */
  readonly variables: ReadonlyMap<string, readonly VariableDefinition[]>;
  readonly maps: ReadonlyMap<string, ConfigNode>;
  readonly upstreams: ReadonlyMap<string, ConfigNode>;
  readonly servers: readonly ConfigNode[];
}

const NO_LINES: readonly HeaderLine[] = Object.freeze([]);
const NO_HEADERS: HeaderSet = Object.freeze({ lines: NO_LINES, level: undefined, dropped: NO_LINES });
const NONE: readonly ConfigNode[] = Object.freeze([]);

/** Directives that define a variable named by their first argument. */
export const SETTERS: ReadonlySet<string> = new Set([
  'set',
  'perl_set',
  'js_set',
  'auth_request_set',
  'set_by_lua',
  'set_by_lua_block',
  'set_by_lua_file',
  'set_real_ip_from_var',
]);

/** What the model does with a directive, by name: a small integer, so the walk compares numbers. */
const enum Kind {
  Other = 0,
  ProxyPass,
  ProxyHttpVersion,
  ProxyReadTimeout,
  ProxySetHeader,
  Include,
  Map,
  Geo,
  SplitClients,
  Set,
  OtherSetter,
  Upstream,
  /** Directives whose arguments may hold named regex captures. */
  Captures,
}

function kindOfName(name: string): Kind {
  switch (name) {
    case 'proxy_pass':
      return Kind.ProxyPass;
    case 'proxy_http_version':
      return Kind.ProxyHttpVersion;
    case 'proxy_read_timeout':
      return Kind.ProxyReadTimeout;
    case 'proxy_set_header':
      return Kind.ProxySetHeader;
    case 'include':
      return Kind.Include;
    case 'map':
      return Kind.Map;
    case 'geo':
      return Kind.Geo;
    case 'split_clients':
      return Kind.SplitClients;
    case 'set':
      return Kind.Set;
    case 'upstream':
      return Kind.Upstream;
    case 'location':
    case 'if':
    case 'server_name':
    case 'rewrite':
      return Kind.Captures;
    default:
      return SETTERS.has(name) ? Kind.OtherSetter : Kind.Other;
  }
}

/** Kinds by name index, once per parsed file: the name table is small, the file may be huge. */
function kindsOf(scope: Scope): Uint8Array {
  const parsed = scope.parsed;
  // The name table is complete once the file is parsed.
  return (parsed.nameKinds ??= Uint8Array.from(parsed.syntax.names, kindOfName));
}

function kindAt(kinds: Uint8Array, scope: Scope, index: number): Kind {
  return kinds[scope.parsed.syntax.nameIdOf(index)] as Kind;
}

/**
 * A directive's value and where it was set. The node, the value and its Word are made when first
 * read: the model finds the settings of 30,000 locations, and rules read those of a few.
 */
class SettingValue implements Setting {
  private value_: string | undefined;
  constructor(
    private readonly scope: Scope,
    private readonly index: number,
  ) {}
  get node(): ConfigNode {
    return this.scope.node(this.index);
  }
  get value(): string {
    return (this.value_ ??= this.scope.parsed.syntax.argValue(this.index, 0) ?? '');
  }
  get word(): Word | undefined {
    return this.node.directive.args[0];
  }
}

/** The lower-cased name of the `proxy_set_header` of record `index`, worked out once per parse. */
function headerKeyAt(scope: Scope, index: number): string {
  const parsed = scope.parsed;
  const keys = (parsed.headerKeys ??= new Int32Array(parsed.syntax.count));
  const known = keys[index] as number;
  if (known > 0) return parsed.headerKeyNames[known - 1] as string;
  const key = (parsed.syntax.argValue(index, 0) ?? '').toLowerCase();
  let id = parsed.headerKeyIds.get(key);
  if (id === undefined) parsed.headerKeyIds.set(key, (id = parsed.headerKeyNames.push(key) - 1));
  keys[index] = id + 1;
  return key;
}

class HeaderLineValue implements HeaderLine {
  private name_: string | undefined;
  constructor(
    private readonly scope: Scope,
    private readonly index: number,
  ) {}
  get node(): ConfigNode {
    return this.scope.node(this.index);
  }
  get name(): string {
    return (this.name_ ??= this.scope.parsed.syntax.argValue(this.index, 0) ?? '');
  }
  get key(): string {
    return headerKeyAt(this.scope, this.index);
  }
  get value(): Word | undefined {
    return this.node.directive.args[1];
  }
  get valueText(): string | undefined {
    return this.scope.parsed.syntax.argValue(this.index, 1);
  }
}

/**
 * The `proxy_set_header` lines of a level that has some of its own. That it has them, and so
 * replaces what it inherits, is decided while walking; the lines are listed when first read.
 */
class OwnHeaderSet implements HeaderSet {
  private lines_: readonly HeaderLine[] | undefined;
  private dropped_: readonly HeaderLine[] | undefined;
  constructor(
    private readonly scope: Scope,
    /** Record of the level's block; -1: the top level of a fragment. */
    private readonly block: number,
    private readonly inherited: HeaderSet,
  ) {}
  get level(): ConfigNode | undefined {
    return this.block < 0 ? undefined : this.scope.node(this.block);
  }
  get lines(): readonly HeaderLine[] {
    if (!this.lines_) {
      const lines: HeaderLine[] = [];
      collectHeaderLines(this.scope, this.block, lines);
      this.lines_ = lines;
    }
    return this.lines_;
  }
  get dropped(): readonly HeaderLine[] {
    if (!this.dropped_) {
      const lines = this.lines;
      this.dropped_ = this.inherited.lines.filter((line) => !lines.some((own) => own.key === line.key));
    }
    return this.dropped_;
  }
  private mentions_: boolean | undefined;
  /** See headersMentionUpgrade: its own records, then what it inherits, with no line made; kept, as a server's set is what its locations inherit. */
  mentionsUpgrade(): boolean {
    if (this.mentions_ === undefined)
      this.mentions_ = this.lines_
        ? this.lines_.some(isUpgradeOrConnection)
        : recordsMentionUpgrade(this.scope, this.block) || headersMentionUpgrade(this.inherited);
    return this.mentions_;
  }
}

const isUpgradeOrConnection = (line: HeaderLine): boolean => line.key === 'upgrade' || line.key === 'connection';

function recordsMentionUpgrade(scope: Scope, block: number): boolean {
  const syntax = scope.parsed.syntax;
  const kinds = kindsOf(scope);
  for (let child = syntax.firstChild(block); child >= 0; child = syntax.nextSibling(child)) {
    if (kindAt(kinds, scope, child) === Kind.ProxySetHeader) {
      const key = headerKeyAt(scope, child);
      if (key === 'upgrade' || key === 'connection') return true;
    }
    for (let at = scope.includedStart(child), end = scope.includedEnd(child); at < end; at++)
      if (recordsMentionUpgrade(scope.includedScope(at), -1)) return true;
  }
  return false;
}

/**
 * Whether an Upgrade or Connection line is among the set's lines or those it drops, without making
 * the lines: most locations of a big config say nothing of either, and listing their lines cost
 * an object per line per location. False means: no line, and no dropped line, has either name.
 */
export function headersMentionUpgrade(headers: HeaderSet): boolean {
  if (headers instanceof OwnHeaderSet) return headers.mentionsUpgrade();
  return headers.lines.some(isUpgradeOrConnection) || headers.dropped.some(isUpgradeOrConnection);
}

function collectHeaderLines(scope: Scope, block: number, out: HeaderLine[]): void {
  const syntax = scope.parsed.syntax;
  const kinds = kindsOf(scope);
  for (let child = syntax.firstChild(block); child >= 0; child = syntax.nextSibling(child)) {
    if (kindAt(kinds, scope, child) === Kind.ProxySetHeader) out.push(new HeaderLineValue(scope, child));
    for (let at = scope.includedStart(child), end = scope.includedEnd(child); at < end; at++)
      collectHeaderLines(scope.includedScope(at), -1, out);
  }
}

/**
 * The variable named by `$name` or `${name}`, lower-cased; undefined for anything else. Scanned by
 * hand rather than with a regular expression: it runs for every `set`, `map` and `geo` of a config,
 * and a match array each is garbage the collector has to sweep.
 */
function variableName(value: string | undefined): string | undefined {
  if (!value || value.charCodeAt(0) !== 36 /* $ */) return undefined;
  const start = value.charCodeAt(1) === 123 /* { */ ? 2 : 1;
  const end = value.charCodeAt(value.length - 1) === 125 /* } */ ? value.length - 1 : value.length;
  if (end <= start) return undefined;
  for (let i = start; i < end; i++) if (!isNameCode(value.charCodeAt(i))) return undefined;
  return value.slice(start, end).toLowerCase();
}

/** As splitLocationArgs, from the record: a location's node and directive need not be made to know its path. */
function splitLocationRecord(scope: Scope, index: number): { modifier: string; path: string } {
  const syntax = scope.parsed.syntax;
  if (syntax.name(index) !== 'location') return splitLocationArgs(scope.node(index).directive);
  const first = syntax.argValue(index, 0) ?? '';
  const count = syntax.argCount(index);
  if (count >= 2 && (first === '=' || first === '~' || first === '~*' || first === '^~'))
    return { modifier: first, path: syntax.argValue(index, 1) ?? '' };
  if (first.startsWith('@')) return { modifier: '@', path: first };
  const glued = /^(\^~|~\*|~|=)(.+)$/.exec(first);
  if (glued) return { modifier: glued[1] as string, path: glued[2] as string };
  return { modifier: '', path: first };
}

function splitLocationArgs(directive: Directive): { modifier: string; path: string } {
  if (directive.name !== 'location') return { modifier: '', path: directive.args.map((arg) => arg.raw).join(' ') };
  const first = directive.argValue(0) ?? '';
  if (directive.argCount >= 2 && ['=', '~', '~*', '^~'].includes(first))
    return { modifier: first, path: directive.argValue(1) ?? '' };
  if (first.startsWith('@')) return { modifier: '@', path: first };
  // `location =/exact`, `location ~/regex` are written without the space too.
  const glued = /^(\^~|~\*|~|=)(.+)$/.exec(first);
  if (glued) return { modifier: glued[1] as string, path: glued[2] as string };
  return { modifier: '', path: first };
}

/** `passIndex` of a location that takes its enclosing location's proxy_pass (an `if` or `limit_except`). */
const PASS_OF_ENCLOSING = -2;

class LocationModelImpl implements LocationModel {
  private split: { modifier: string; path: string } | undefined = undefined;
  private pass: Setting | undefined = undefined;
  /** Its place in the model's `locations`: a model of the same structure has its counterpart there. */
  ordinal = -1;
  constructor(
    protected readonly scope: Scope,
    protected readonly index: number,
    readonly enclosing: LocationModel | undefined,
    /** Where its proxy_pass is: a record of `passScope`; -1: none; PASS_OF_ENCLOSING. Made into a Setting when read. */
    private readonly passScope: Scope | undefined,
    private readonly passIndex: number,
    readonly proxyHttpVersion: Setting | undefined,
    readonly proxyReadTimeout: Setting | undefined,
    readonly headers: HeaderSet,
    readonly unresolvedIncludes: readonly ConfigNode[],
    /** Whether proxy_http_version is set in this block itself (or a file included there), not inherited. */
    readonly ownsHttpVersion = false,
  ) {}
  get node(): ConfigNode {
    return this.scope.node(this.index);
  }
  get proxyPass(): Setting | undefined {
    if (!this.pass) {
      if (this.passIndex === PASS_OF_ENCLOSING) this.pass = this.enclosing?.proxyPass;
      else if (this.passScope && this.passIndex >= 0) this.pass = new SettingValue(this.passScope, this.passIndex);
    }
    return this.pass;
  }
  /** See ownsProxyPass: the walk found a proxy_pass among this block's own directives. */
  get ownsPass(): boolean {
    return this.passScope !== undefined && this.passIndex >= 0;
  }
  /** The file the location is written in, without making its node. */
  get file(): string {
    return this.scope.file;
  }
  /** The parse it is written in, and its record there. */
  get parsed(): ParsedFileImpl {
    return this.scope.parsed;
  }
  get record(): number {
    return this.index;
  }
  get kind(): LocationKind {
    return this.scope.facts.blockContext(this.index) as LocationKind;
  }
  /** The server block around the location: found when asked, by walking up. */
  get server(): ConfigNode | undefined {
    for (let node = this.node.parent; node; node = node.parent) if (node.context === 'server') return node;
    return undefined;
  }
  protected get parts(): { modifier: string; path: string } {
    return (this.split ??= splitLocationRecord(this.scope, this.index));
  }
  get modifier(): string {
    return this.parts.modifier;
  }
  get path(): string {
    return this.parts.path;
  }
}

/**
 * Whether the location's proxy_pass is its own (in its block, or a file included there) rather than
 * its enclosing location's: `proxyPass.node.parent === location.node`, for the model's own
 * locations without making either node (a big config has an `if` in thousands of locations).
 */
export function ownsProxyPass(location: LocationModel): boolean {
  if (location instanceof LocationModelImpl) return location.ownsPass;
  return location.proxyPass?.node.parent === location.node;
}

/**
 * Whether the location's proxy_http_version is set in its own block (or a file included there):
 * `proxyHttpVersion.node.parent === location.node`, for the model's own locations without making either node.
 */
export function ownsHttpVersion(location: LocationModel): boolean {
  if (location instanceof LocationModelImpl) return location.ownsHttpVersion;
  return location.proxyHttpVersion !== undefined && location.proxyHttpVersion.node.parent === location.node;
}

/** The location's place in its model's `locations` (-1 for one made elsewhere, in tests). */
export function locationOrdinal(location: LocationModel): number {
  return location instanceof LocationModelImpl ? location.ordinal : -1;
}

/** The location's record in `parsed` when it is written there (as the model's own locations say); -1 otherwise. */
export function locationRecordIn(location: LocationModel, parsed: ParsedFileImpl): number {
  return location instanceof LocationModelImpl && location.parsed === parsed ? location.record : -1;
}

/** The file a location is written in (for the model's own locations, without making its node). */
export function locationFile(location: LocationModel): string {
  return location instanceof LocationModelImpl ? location.file : location.node.file;
}

/** A fragment's bare `proxy_*` lines as a location: its node is the proxy_pass, and it has no path or server. */
class FragmentLocation extends LocationModelImpl {
  override get kind(): LocationKind {
    return 'location';
  }
  override get server(): ConfigNode | undefined {
    return undefined;
  }
  protected override get parts(): { modifier: string; path: string } {
    return { modifier: '', path: '' };
  }
}

class Definition implements VariableDefinition {
  constructor(
    readonly name: string,
    private readonly scope: Scope,
    private readonly index: number,
    readonly kind: VariableDefinition['kind'],
  ) {}
  get node(): ConfigNode {
    return this.scope.node(this.index);
  }
}

/** What one level sets itself, read from its direct children (includes flattened in). */
class Level {
  /** The block's own proxy_pass: its scope and record (-1: none). */
  passScope: Scope | undefined;
  passIndex: number;
  proxyHttpVersion: Setting | undefined;
  proxyReadTimeout: Setting | undefined;
  hasHeaders: boolean;
  unresolved: ConfigNode[] | undefined;
  constructor() {
    this.passScope = undefined;
    this.passIndex = -1;
    this.proxyHttpVersion = undefined;
    this.proxyReadTimeout = undefined;
    this.hasHeaders = false;
    this.unresolved = undefined;
  }
}

/**
 * The settings in force inside a block: its own, else what it inherits. A block that sets none of
 * them shares its parent's object. (proxy_pass is not inherited: only an `if` takes its location's.)
 */
class Inherited {
  constructor(
    readonly proxyHttpVersion: Setting | undefined,
    readonly proxyReadTimeout: Setting | undefined,
    readonly headers: HeaderSet,
    readonly unresolvedIncludes: readonly ConfigNode[],
  ) {}
}

const START = new Inherited(undefined, undefined, NO_HEADERS, NONE);

/** One run of `buildConfigModel`: the walk, and what it collects. */
class ModelBuilder {
  readonly locations: LocationModel[] = [];
  readonly variables = new Map<string, VariableDefinition[]>();
  readonly maps = new Map<string, ConfigNode>();
  readonly upstreams = new Map<string, ConfigNode>();
  readonly servers: ConfigNode[] = [];
  /** Filled by scanLevel and read at once by levelOf: one object for the whole walk. */
  private readonly level = new Level();

  private define(name: string | undefined, scope: Scope, index: number, kind: VariableDefinition['kind']): void {
    if (!name) return;
    const list = this.variables.get(name);
    const definition = new Definition(name, scope, index, kind);
    if (list) list.push(definition);
    else this.variables.set(name, [definition]);
  }

  /**
   * Defines each named group of a regex, `(?<name>` or `(?P<name>`. Scanned by hand: a regular
   * expression's match objects (and a callback's closure) would be garbage for every location.
   */
  private defineCaptures(pattern: string, scope: Scope, index: number): void {
    for (let at = pattern.indexOf('(?'); at >= 0; at = pattern.indexOf('(?', at + 1)) {
      let start = at + 2;
      if (pattern.charCodeAt(start) === 80 /* P */) start++;
      if (pattern.charCodeAt(start) !== 60 /* < */) continue;
      start++;
      if (!isNameStartCode(pattern.charCodeAt(start))) continue;
      let end = start + 1;
      while (isNameCode(pattern.charCodeAt(end))) end++;
      if (pattern.charCodeAt(end) !== 62 /* > */) continue;
      this.define(pattern.slice(start, end).toLowerCase(), scope, index, 'capture');
      at = end;
    }
  }

  /** Records definitions made by a directive, wherever it stands. */
  private noteDefinitions(scope: Scope, index: number, kind: Kind): void {
    if (kind === Kind.Other) return;
    const syntax = scope.parsed.syntax;
    switch (kind) {
      case Kind.Map:
        if (syntax.hasBlock(index)) {
          const variable = variableName(syntax.argValue(index, 1));
          this.define(variable, scope, index, 'map');
          if (variable) this.maps.set(variable, scope.node(index));
        }
        break;
      case Kind.Geo:
        if (syntax.hasBlock(index))
          this.define(variableName(syntax.argValue(index, syntax.argCount(index) - 1)), scope, index, 'geo');
        break;
      case Kind.SplitClients:
        if (syntax.hasBlock(index)) this.define(variableName(syntax.argValue(index, 1)), scope, index, 'split_clients');
        break;
      case Kind.Set:
        this.define(variableName(syntax.argValue(index, 0)), scope, index, 'set');
        break;
      case Kind.OtherSetter:
        this.define(variableName(syntax.argValue(index, 0)), scope, index, 'other');
        break;
      case Kind.Upstream:
        if (syntax.hasBlock(index)) {
          const upstreamName = syntax.argValue(index, 0);
          if (upstreamName) this.upstreams.set(upstreamName, scope.node(index));
        }
        break;
      case Kind.Captures:
        for (let arg = 0; arg < syntax.argCount(index); arg++) {
          if (!syntax.argIncludes(index, arg, '(?')) continue;
          this.defineCaptures(syntax.argValue(index, arg) ?? '', scope, index);
        }
        break;
    }
  }

  private scanLevel(scope: Scope, block: number, context: ContextName, level: Level, inherited: Inherited): void {
    const syntax = scope.parsed.syntax;
    const kinds = kindsOf(scope);
    for (let child = syntax.firstChild(block); child >= 0; child = syntax.nextSibling(child)) {
      switch (kindAt(kinds, scope, child)) {
        case Kind.ProxyPass:
          level.passScope = scope;
          level.passIndex = child;
          break;
        case Kind.ProxyHttpVersion:
          level.proxyHttpVersion = new SettingValue(scope, child);
          break;
        case Kind.ProxyReadTimeout:
          level.proxyReadTimeout = new SettingValue(scope, child);
          break;
        case Kind.ProxySetHeader:
          // Not allowed inside `if`; nginx rejects it there, so it sets nothing.
          if (context !== 'if') level.hasHeaders = true;
          break;
        case Kind.Include: {
          if (scope.resolutionOf(child)?.problem)
            (level.unresolved ??= [...inherited.unresolvedIncludes]).push(scope.node(child));
          for (let at = scope.includedStart(child), end = scope.includedEnd(child); at < end; at++)
            this.scanLevel(scope.includedScope(at), -1, context, level, inherited);
          break;
        }
      }
    }
  }

  /**
   * The settings in force inside `block` (-1: the top level of a fragment). The block's own
   * proxy_pass is left in `this.level`, for the caller to read at once.
   */
  levelOf(scope: Scope, block: number, context: ContextName, inherited: Inherited): Inherited {
    const level = this.level;
    level.passScope = level.proxyHttpVersion = level.proxyReadTimeout = undefined;
    level.passIndex = -1;
    level.hasHeaders = false;
    level.unresolved = undefined;
    this.scanLevel(scope, block, context, level, inherited);
    if (!level.proxyHttpVersion && !level.proxyReadTimeout && !level.hasHeaders && !level.unresolved) return inherited;
    return new Inherited(
      level.proxyHttpVersion ?? inherited.proxyHttpVersion,
      level.proxyReadTimeout ?? inherited.proxyReadTimeout,
      level.hasHeaders ? new OwnHeaderSet(scope, block, inherited.headers) : inherited.headers,
      level.unresolved ?? inherited.unresolvedIncludes,
    );
  }

  /** The walk's open blocks, innermost last, as parallel arrays: nginx accepts 10,000 nested locations. */
  private readonly frameScopes: Scope[] = [];
  /** The next child record to visit in each open block; -1: done. */
  private readonly frameNext: number[] = [];
  private readonly frameContexts: ContextName[] = [];
  private readonly frameInherited: Inherited[] = [];
  private readonly frameLocations: (LocationModel | undefined)[] = [];

  private open(
    scope: Scope,
    first: number,
    context: ContextName,
    inherited: Inherited,
    location: LocationModel | undefined,
  ): void {
    this.frameScopes.push(scope);
    this.frameNext.push(first);
    this.frameContexts.push(context);
    this.frameInherited.push(inherited);
    this.frameLocations.push(location);
  }

  /**
   * Walks the children of `block` (-1: the top level) in `scope`, the blocks among them and the
   * files included among them, in the order nginx reads them; `location` is the innermost location
   * (or `if`) around them. With a stack of its own, not recursion, so that no depth of nesting can
   * overflow the call stack.
   */
  walk(
    scope: Scope,
    block: number,
    context: ContextName,
    inherited: Inherited,
    location: LocationModel | undefined,
  ): void {
    const base = this.frameNext.length;
    this.open(scope, scope.parsed.syntax.firstChild(block), context, inherited, location);
    while (this.frameNext.length > base) {
      const top = this.frameNext.length - 1;
      const child = this.frameNext[top] as number;
      if (child < 0) {
        this.frameScopes.pop();
        this.frameNext.pop();
        this.frameContexts.pop();
        this.frameInherited.pop();
        this.frameLocations.pop();
        continue;
      }
      const scope = this.frameScopes[top] as Scope;
      const syntax = scope.parsed.syntax;
      this.frameNext[top] = syntax.nextSibling(child);
      const context = this.frameContexts[top] as ContextName;
      const inherited = this.frameInherited[top] as Inherited;
      const location = this.frameLocations[top];
      this.visit(scope, child, context, inherited, location);
    }
  }

  /** One child: its definitions, and a frame for what it opens (a block, or the files it includes). */
  private visit(
    scope: Scope,
    child: number,
    context: ContextName,
    inherited: Inherited,
    location: LocationModel | undefined,
  ): void {
    const syntax = scope.parsed.syntax;
    this.noteDefinitions(scope, child, kindAt(kindsOf(scope), scope, child));
    const end = scope.includedEnd(child);
    if (end > 0) {
      // Last first: the stack takes them in order.
      for (let at = end - 1; at >= scope.includedStart(child); at--) {
        const included = scope.includedScope(at);
        this.open(included, included.parsed.syntax.firstChild(-1), context, inherited, location);
      }
      return;
    }
    if (!syntax.hasBlock(child)) return;
    const childContext = scope.facts.blockContext(child);
    const first = syntax.firstChild(child);
    switch (childContext) {
      case 'http':
        this.open(scope, first, 'http', this.levelOf(scope, child, 'http', inherited), location);
        break;
      case 'server':
        if (context === 'http') {
          this.servers.push(scope.node(child));
          this.open(scope, first, 'server', this.levelOf(scope, child, 'server', inherited), location);
        }
        break;
      case 'location':
      case 'if':
      case 'limit_except': {
        // `if` at server level has no proxy_pass and makes no location.
        if (childContext !== 'location' && context !== 'location') {
          this.open(scope, first, childContext, inherited, location);
          break;
        }
        const level = this.levelOf(scope, child, childContext, inherited);
        const own = this.level;
        // An `if` or `limit_except` block inside a location takes the location's proxy_pass
        // when it has none (nginx's proxy merge for "noname" locations); a nested location does not.
        const passIndex = own.passIndex < 0 && childContext !== 'location' ? PASS_OF_ENCLOSING : own.passIndex;
        const inner = new LocationModelImpl(
          scope,
          child,
          location,
          own.passScope,
          passIndex,
          level.proxyHttpVersion,
          level.proxyReadTimeout,
          level.headers,
          level.unresolvedIncludes,
          own.proxyHttpVersion !== undefined,
        );
        inner.ordinal = this.locations.push(inner) - 1;
        this.open(scope, first, childContext, level, inner);
        break;
      }
      case 'stream':
      case 'events':
        // stream's proxy_* are another module's; nothing here concerns HTTP proxying.
        break;
      case 'map':
        // A table: its entries are not directives.
        break;
      default:
        this.open(scope, first, childContext, inherited, location);
    }
  }
}

/**
 * Computes, for every location (nested locations and `if`/`limit_except` blocks too), the
 * proxy configuration nginx will really apply, following its inheritance rules.
 *
 * It walks the tree by (scope, record index) and makes objects only for what it returns: one per
 * location, setting and definition, with nodes and words made when a rule reads them.
 */
export function buildConfigModel(tree: ConfigTree): ConfigModel {
  const builder = new ModelBuilder();
  const root = rootScopeOf(tree);
  if (root) {
    const rootLevel = tree.rootContext === 'main' ? START : builder.levelOf(root, -1, tree.rootContext, START);
    builder.walk(root, -1, tree.rootContext, rootLevel, undefined);
    if (tree.rootContext === 'location') addFragmentLocation(root, rootLevel, builder.locations);
  }
  const { locations, variables, maps, upstreams, servers } = builder;
  return { tree, locations, variables, maps, upstreams, servers };
}

/**
 * A snippet of bare `proxy_*` lines (context `location`) is a location body without its
 * `location` line: when it proxies, model it as one, anchored at its `proxy_pass`.
 */
function addFragmentLocation(root: Scope, level: Inherited, locations: LocationModel[]): void {
  const syntax = root.parsed.syntax;
  let proxyPass = -1;
  for (let child = syntax.firstChild(-1); child >= 0 && proxyPass < 0; child = syntax.nextSibling(child))
    if (syntax.name(child) === 'proxy_pass') proxyPass = child;
  if (proxyPass < 0) return;
  const fragment = new FragmentLocation(
    root,
    proxyPass,
    undefined,
    root,
    proxyPass,
    level.proxyHttpVersion,
    level.proxyReadTimeout,
    level.headers,
    level.unresolvedIncludes,
  );
  fragment.ordinal = locations.push(fragment) - 1;
}
