// A reference implementation of the effective model, for tests only: the first, straightforward
// version of server/src/core/model/effective.ts, which walks the public ConfigNode tree
// (`node.children`, includes already flattened in) and makes plain objects as it goes. The
// engine's model walks records instead and makes its values lazily, for speed; the two must agree
// on every location, setting, header line and definition (test/unit/model-reference.test.ts).
// The list of variable-setting directives is data, shared; the walk is what is compared.
import { SETTERS } from '../../server/src/core/model/effective';
import type { ConfigNode, ConfigTree, ContextName } from '../../server/src/core/model/tree';

export interface ReferenceLocation {
  readonly node: ConfigNode;
  readonly kind: string;
  readonly modifier: string;
  readonly path: string;
  readonly server: ConfigNode | undefined;
  readonly enclosing: ReferenceLocation | undefined;
  readonly proxyPass: ConfigNode | undefined;
  readonly proxyHttpVersion: ConfigNode | undefined;
  readonly proxyReadTimeout: ConfigNode | undefined;
  readonly headerLines: readonly ConfigNode[];
  readonly headerLevel: ConfigNode | undefined;
  readonly dropped: readonly ConfigNode[];
  readonly unresolvedIncludes: readonly ConfigNode[];
}

export interface ReferenceModel {
  readonly locations: readonly ReferenceLocation[];
  readonly variables: ReadonlyMap<string, readonly { node: ConfigNode; kind: string }[]>;
  readonly maps: ReadonlyMap<string, ConfigNode>;
  readonly upstreams: ReadonlyMap<string, ConfigNode>;
  readonly servers: readonly ConfigNode[];
}

interface Headers {
  readonly lines: readonly ConfigNode[];
  readonly level: ConfigNode | undefined;
  readonly dropped: readonly ConfigNode[];
}

interface Level {
  readonly proxyPass: ConfigNode | undefined;
  readonly proxyHttpVersion: ConfigNode | undefined;
  readonly proxyReadTimeout: ConfigNode | undefined;
  readonly headers: Headers;
  readonly server: ConfigNode | undefined;
  readonly location: ReferenceLocation | undefined;
  readonly unresolvedIncludes: readonly ConfigNode[];
}

function variableName(value: string | undefined): string | undefined {
  return value ? /^\$\{?([A-Za-z0-9_]+)\}?$/.exec(value)?.[1]?.toLowerCase() : undefined;
}

function headerKey(node: ConfigNode): string {
  return (node.directive.args[0]?.value ?? '').toLowerCase();
}

function splitLocationArgs(node: ConfigNode): { modifier: string; path: string } {
  const directive = node.directive;
  if (directive.name !== 'location') return { modifier: '', path: directive.args.map((arg) => arg.raw).join(' ') };
  const first = directive.args[0]?.value ?? '';
  if (directive.args.length >= 2 && ['=', '~', '~*', '^~'].includes(first))
    return { modifier: first, path: directive.args[1]?.value ?? '' };
  if (first.startsWith('@')) return { modifier: '@', path: first };
  const glued = /^(\^~|~\*|~|=)(.+)$/.exec(first);
  if (glued) return { modifier: glued[1] as string, path: glued[2] as string };
  return { modifier: '', path: first };
}

export function referenceModel(tree: ConfigTree): ReferenceModel {
  const locations: ReferenceLocation[] = [];
  const variables = new Map<string, { node: ConfigNode; kind: string }[]>();
  const maps = new Map<string, ConfigNode>();
  const upstreams = new Map<string, ConfigNode>();
  const servers: ConfigNode[] = [];

  const define = (name: string | undefined, node: ConfigNode, kind: string): void => {
    if (!name) return;
    const list = variables.get(name) ?? [];
    list.push({ node, kind });
    variables.set(name, list);
  };

  const noteDefinitions = (node: ConfigNode): void => {
    const directive = node.directive;
    const name = directive.name;
    const arg = (index: number): string | undefined => directive.args[index]?.value;
    if (name === 'map' && directive.block) {
      const variable = variableName(arg(1));
      define(variable, node, 'map');
      if (variable) maps.set(variable, node);
    } else if (name === 'geo' && directive.block) {
      define(variableName(arg(directive.args.length - 1)), node, 'geo');
    } else if (name === 'split_clients' && directive.block) {
      define(variableName(arg(1)), node, 'split_clients');
    } else if (SETTERS.has(name)) {
      define(variableName(arg(0)), node, name === 'set' ? 'set' : 'other');
    } else if (name === 'upstream' && directive.block) {
      const upstreamName = arg(0);
      if (upstreamName) upstreams.set(upstreamName, node);
    } else if (name === 'location' || name === 'if' || name === 'server_name' || name === 'rewrite') {
      for (const word of directive.args)
        for (const match of word.value.matchAll(/\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/g))
          define(match[1]?.toLowerCase(), node, 'capture');
    }
  };

  const levelOf = (
    block: ConfigNode | undefined,
    children: readonly ConfigNode[],
    context: ContextName,
    inherited: Level,
  ): Level => {
    let proxyPass: ConfigNode | undefined;
    let proxyHttpVersion: ConfigNode | undefined;
    let proxyReadTimeout: ConfigNode | undefined;
    let own: ConfigNode[] | undefined;
    let unresolved: ConfigNode[] | undefined;
    for (const child of children) {
      const name = child.directive.name;
      if (name === 'proxy_pass') proxyPass = child;
      else if (name === 'proxy_http_version') proxyHttpVersion = child;
      else if (name === 'proxy_read_timeout') proxyReadTimeout = child;
      else if (name === 'proxy_set_header' && context !== 'if') (own ??= []).push(child);
      else if (name === 'include' && child.include?.problem)
        (unresolved ??= [...inherited.unresolvedIncludes]).push(child);
    }
    let headers = inherited.headers;
    if (own) {
      const declared = new Set(own.map(headerKey));
      headers = {
        lines: own,
        level: block,
        dropped: inherited.headers.lines.filter((l) => !declared.has(headerKey(l))),
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

  const walk = (children: readonly ConfigNode[], context: ContextName, inherited: Level): void => {
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
          if (node.context !== 'location' && context !== 'location') {
            walk(node.children, node.context, inherited);
            break;
          }
          const level = levelOf(node, node.children, node.context, inherited);
          let proxyPass = level.proxyPass;
          if (!proxyPass && node.context !== 'location') proxyPass = inherited.location?.proxyPass;
          const location: ReferenceLocation = {
            node,
            kind: node.context,
            ...splitLocationArgs(node),
            server: inherited.server,
            enclosing: inherited.location,
            proxyPass,
            proxyHttpVersion: level.proxyHttpVersion,
            proxyReadTimeout: level.proxyReadTimeout,
            headerLines: level.headers.lines,
            headerLevel: level.headers.level,
            dropped: level.headers.dropped,
            unresolvedIncludes: level.unresolvedIncludes,
          };
          locations.push(location);
          walk(node.children, node.context, { ...level, location });
          break;
        }
        case 'stream':
        case 'events':
          break;
        default:
          walk(node.children, node.context, inherited);
      }
    }
  };

  const start: Level = {
    proxyPass: undefined,
    proxyHttpVersion: undefined,
    proxyReadTimeout: undefined,
    headers: { lines: [], level: undefined, dropped: [] },
    server: undefined,
    location: undefined,
    unresolvedIncludes: [],
  };
  const rootLevel = tree.rootContext === 'main' ? start : levelOf(undefined, tree.children, tree.rootContext, start);
  walk(tree.children, tree.rootContext, rootLevel);
  if (tree.rootContext === 'location') {
    const proxyPass = tree.children.find((node) => node.directive.name === 'proxy_pass' && node.file === tree.rootFile);
    if (proxyPass)
      locations.push({
        node: proxyPass,
        kind: 'location',
        modifier: '',
        path: '',
        server: undefined,
        enclosing: undefined,
        proxyPass,
        proxyHttpVersion: rootLevel.proxyHttpVersion,
        proxyReadTimeout: rootLevel.proxyReadTimeout,
        headerLines: rootLevel.headers.lines,
        headerLevel: rootLevel.headers.level,
        dropped: rootLevel.headers.dropped,
        unresolvedIncludes: rootLevel.unresolvedIncludes,
      });
  }
  return { locations, variables, maps, upstreams, servers };
}
