import type { Word } from '../parser/ast';
import type { ConfigNode, ConfigTree, ContextName } from './tree';

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

interface Inherited {
  /** This level's own proxy_pass (not inherited: only an `if` takes its location's). */
  readonly proxyPass?: Setting | undefined;
  readonly proxyHttpVersion: Setting | undefined;
  readonly proxyReadTimeout: Setting | undefined;
  readonly headers: HeaderSet;
  readonly server: ConfigNode | undefined;
  readonly location: LocationModel | undefined;
  readonly unresolvedIncludes: readonly ConfigNode[];
}

const NO_HEADERS: HeaderSet = { lines: [], level: undefined, dropped: [] };
const NONE: readonly ConfigNode[] = [];

/** Directives that define a variable named by their first argument. */
const SETTERS = new Set([
  'set',
  'perl_set',
  'js_set',
  'auth_request_set',
  'set_by_lua',
  'set_by_lua_block',
  'set_by_lua_file',
  'set_real_ip_from_var',
]);
const NAMED_CAPTURE = /\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/g;

/** Classes, not object literals with getters: a literal's getter is a new closure per object. */
class SettingValue implements Setting {
  readonly value: string;
  constructor(readonly node: ConfigNode) {
    this.value = node.directive.argValue(0) ?? '';
  }
  /** The Word (with its range) is made only when a rule or fix asks for it. */
  get word(): Word | undefined {
    return this.node.directive.args[0];
  }
}

class HeaderLineValue implements HeaderLine {
  readonly name: string;
  readonly key: string;
  constructor(readonly node: ConfigNode) {
    this.name = node.directive.argValue(0) ?? '';
    this.key = this.name.toLowerCase();
  }
  get value(): Word | undefined {
    return this.node.directive.args[1];
  }
}

function setting(node: ConfigNode): Setting {
  return new SettingValue(node);
}

function variableName(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const match = /^\$\{?([A-Za-z0-9_]+)\}?$/.exec(value);
  return match?.[1]?.toLowerCase();
}

function splitLocationArgs(node: ConfigNode): { modifier: string; path: string } {
  const directive = node.directive;
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

/**
 * Computes, for every location (nested locations and `if`/`limit_except` blocks too), the
 * proxy configuration nginx will really apply, following its inheritance rules.
 */
export function buildConfigModel(tree: ConfigTree): ConfigModel {
  const locations: LocationModel[] = [];
  const variables = new Map<string, VariableDefinition[]>();
  const maps = new Map<string, ConfigNode>();
  const upstreams = new Map<string, ConfigNode>();
  const servers: ConfigNode[] = [];

  const define = (name: string | undefined, node: ConfigNode, kind: VariableDefinition['kind']): void => {
    if (!name) return;
    const list = variables.get(name);
    const definition = { name, node, kind };
    if (list) list.push(definition);
    else variables.set(name, [definition]);
  };

  const collectCaptures = (node: ConfigNode, pattern: string | undefined): void => {
    if (!pattern || pattern.indexOf('(?') < 0) return;
    for (const match of pattern.matchAll(NAMED_CAPTURE)) define(match[1]?.toLowerCase(), node, 'capture');
  };

  /** Records definitions made by a directive, wherever it stands. */
  const noteDefinitions = (node: ConfigNode): void => {
    const directive = node.directive;
    const name = directive.name;
    if (name === 'map' && directive.block) {
      const variable = variableName(directive.argValue(1));
      define(variable, node, 'map');
      if (variable) maps.set(variable, node);
    } else if (name === 'geo' && directive.block) {
      define(variableName(directive.argValue(directive.argCount - 1)), node, 'geo');
    } else if (name === 'split_clients' && directive.block) {
      define(variableName(directive.argValue(1)), node, 'split_clients');
    } else if (SETTERS.has(name)) {
      define(variableName(directive.argValue(0)), node, name === 'set' ? 'set' : 'other');
    } else if (name === 'upstream' && directive.block) {
      const upstreamName = directive.argValue(0);
      if (upstreamName) upstreams.set(upstreamName, node);
    } else if (name === 'location' || name === 'if' || name === 'server_name' || name === 'rewrite') {
      for (let index = 0; index < directive.argCount; index++) collectCaptures(node, directive.argValue(index));
    }
  };

  /** The own settings of a block: its direct children (includes already flattened in). */
  const levelOf = (
    block: ConfigNode | undefined,
    children: readonly ConfigNode[],
    context: ContextName,
    inherited: Inherited,
  ): Inherited => {
    let proxyPass: Setting | undefined;
    let proxyHttpVersion: Setting | undefined;
    let proxyReadTimeout: Setting | undefined;
    let ownHeaders: HeaderLine[] | undefined;
    let unresolved: ConfigNode[] | undefined;
    for (const child of children) {
      switch (child.directive.name) {
        case 'proxy_pass':
          proxyPass = setting(child);
          break;
        case 'proxy_http_version':
          proxyHttpVersion = setting(child);
          break;
        case 'proxy_read_timeout':
          proxyReadTimeout = setting(child);
          break;
        case 'proxy_set_header': {
          // Not allowed inside `if`; nginx rejects it there, so it sets nothing.
          if (context === 'if') break;
          (ownHeaders ??= []).push(new HeaderLineValue(child));
          break;
        }
        case 'include':
          if (child.include?.problem) (unresolved ??= [...inherited.unresolvedIncludes]).push(child);
          break;
      }
    }
    let headers = inherited.headers;
    if (ownHeaders) {
      const declared = new Set(ownHeaders.map((line) => line.key));
      headers = {
        lines: ownHeaders,
        level: block,
        dropped: inherited.headers.lines.filter((line) => !declared.has(line.key)),
      };
    }
    return {
      proxyPass,
      proxyHttpVersion: proxyHttpVersion ?? inherited.proxyHttpVersion,
      proxyReadTimeout: proxyReadTimeout ?? inherited.proxyReadTimeout,
      headers,
      server: inherited.server,
      location: inherited.location,
      unresolvedIncludes: unresolved ?? inherited.unresolvedIncludes,
    };
  };

  const walk = (children: readonly ConfigNode[], context: ContextName, inherited: Inherited): void => {
    for (const node of children) {
      noteDefinitions(node);
      if (!node.directive.block) continue;
      switch (node.context) {
        case 'http':
          walk(node.children, 'http', levelOf(node, node.children, 'http', inherited));
          break;
        case 'server':
          if (context === 'http') {
            servers.push(node);
            walk(node.children, 'server', levelOf(node, node.children, 'server', { ...inherited, server: node }));
          }
          break;
        case 'location':
        case 'if':
        case 'limit_except': {
          // `if` at server level has no proxy_pass and makes no location.
          if (node.context !== 'location' && context !== 'location') {
            walk(node.children, node.context, inherited);
            break;
          }
          const level = levelOf(node, node.children, node.context, inherited);
          let proxyPass = level.proxyPass;
          // An `if` or `limit_except` block inside a location takes the location's proxy_pass
          // when it has none (nginx's proxy merge for "noname" locations); a nested location does not.
          if (!proxyPass && node.context !== 'location') proxyPass = inherited.location?.proxyPass;
          const { modifier, path } = splitLocationArgs(node);
          const location: LocationModel = {
            node,
            kind: node.context,
            modifier,
            path,
            server: inherited.server,
            enclosing: inherited.location,
            proxyPass,
            proxyHttpVersion: level.proxyHttpVersion,
            proxyReadTimeout: level.proxyReadTimeout,
            headers: level.headers,
            unresolvedIncludes: level.unresolvedIncludes,
          };
          locations.push(location);
          walk(node.children, node.context, { ...level, location });
          break;
        }
        case 'stream':
        case 'events':
          // stream's proxy_* are another module's; nothing here concerns HTTP proxying.
          break;
        default:
          walk(node.children, node.context, inherited);
      }
    }
  };

  const start: Inherited = {
    proxyHttpVersion: undefined,
    proxyReadTimeout: undefined,
    headers: NO_HEADERS,
    server: undefined,
    location: undefined,
    unresolvedIncludes: NONE,
  };
  const rootLevel = tree.rootContext === 'main' ? start : levelOf(undefined, tree.children, tree.rootContext, start);
  walk(tree.children, tree.rootContext, rootLevel);
  if (tree.rootContext === 'location') {
    addFragmentLocation(tree, rootLevel, locations);
  }
  return { tree, locations, variables, maps, upstreams, servers };
}

/**
 * A snippet of bare `proxy_*` lines (context `location`) is a location body without its
 * `location` line: when it proxies, model it as one, anchored at its `proxy_pass`.
 */
function addFragmentLocation(tree: ConfigTree, level: Inherited, locations: LocationModel[]): void {
  const proxyPassNode = tree.children.find(
    (node) => node.directive.name === 'proxy_pass' && node.file === tree.rootFile,
  );
  if (!proxyPassNode) return;
  locations.push({
    node: proxyPassNode,
    kind: 'location',
    modifier: '',
    path: '',
    server: undefined,
    enclosing: undefined,
    proxyPass: setting(proxyPassNode),
    proxyHttpVersion: level.proxyHttpVersion,
    proxyReadTimeout: level.proxyReadTimeout,
    headers: level.headers,
    unresolvedIncludes: level.unresolvedIncludes,
  });
}
