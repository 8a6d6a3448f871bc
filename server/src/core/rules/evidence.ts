import picomatch from 'picomatch';
import type { Comment, ParsedFile } from '../parser/ast';
import { evaluateValue, HANDSHAKES, hasUpgradeToken } from '../eval/evaluate';
import {
  headersMentionUpgrade,
  locationFile,
  ownsHttpVersion,
  type ConfigModel,
  type HeaderLine,
  type LocationModel,
} from '../model/effective';
import type { FileAnalysis } from '../model/workspace';
import { effectiveHeader } from './headers';
import type { Severity } from './types';

/**
 * How sure we are that a location carries WebSocket traffic (facts §4), strongest first.
 * - configured: it (effectively) sets some of the WebSocket directives;
 * - declared: the user says so (`nginxWs.webSocketPaths`, `# nginx-ws: websocket`);
 * - named: its path or upstream is a well-known WebSocket endpoint;
 * - hinted: weaker names (`/graphql`, `/hub`) or conflicting settings;
 * - devserver: it proxies a dev server port whose hot reload uses a WebSocket;
 * - none: a plain HTTP proxy, which must get no diagnostic.
 */
export type EvidenceStrength = 'configured' | 'declared' | 'named' | 'hinted' | 'devserver' | 'none';

export interface Evidence {
  readonly strength: EvidenceStrength;
  /** Why, in words, to end a message with: "(the path /ws is a usual WebSocket endpoint)". */
  readonly reason: string;
}

/**
 * The severity a location's evidence gives. Explicit intent (`configured`) contradicted by the
 * config is an error where the config is complete, a warning in a fragment (what it inherits may
 * be elsewhere); never information: the user asked for a WebSocket and will not get one.
 */
export function severityFor(strength: EvidenceStrength, complete = true): Severity | undefined {
  switch (strength) {
    case 'configured':
      return complete ? 'error' : 'warning';
    case 'declared':
    case 'named':
      return 'warning';
    case 'hinted':
    case 'devserver':
      return 'information';
    case 'none':
      return undefined;
  }
}

/** A main config, or a file analysed from one: a variable it does not define is defined nowhere. */
export function isComplete(analysis: FileAnalysis): boolean {
  return analysis.mainConfig !== undefined || analysis.tree.rootContext === 'main';
}

const STRONG_SEGMENTS = new Set([
  'ws',
  'wss',
  'websocket',
  'websockets',
  'socket',
  'sockets',
  'socket.io',
  'sockjs',
  'sockjs-node',
  'webpack-hmr',
  '__vite_hmr',
  'hmr',
  'cable',
  'signalr',
  'livereload',
]);
const WEAK_SEGMENTS = new Set(['graphql', 'subscriptions', 'hub', 'hubs', 'realtime', 'events']);
const STRONG_PHRASES = ['/api/kernels', '/terminals/websocket', '/_next/webpack-hmr'];

/** Ports of dev servers whose hot reload runs over a WebSocket. */
const DEV_SERVER_PORTS: ReadonlyMap<string, string> = new Map([
  ['5173', 'Vite'],
  ['24678', 'Vite HMR'],
  ['8080', 'webpack-dev-server'],
  ['3000', 'Next.js / Create React App'],
  ['4200', 'Angular'],
]);

const ANNOTATION = /^\s*nginx-ws:\s*websocket\b/i;

export interface EvidenceOptions {
  readonly webSocketPaths: readonly string[];
  /**
   * Locations the caller knows carry WebSockets (the one a proxy test was asked for): returns the
   * reason, said in messages, or undefined for the others.
   */
  readonly declared?: (location: LocationModel) => string | undefined;
}

/** What a location path says, by path: a big config repeats the same few paths thousands of times. */
const pathNamesCache = new Map<string, { readonly strong: boolean; readonly weak: boolean }>();

function pathNames(path: string): { readonly strong: boolean; readonly weak: boolean } {
  let names = pathNamesCache.get(path);
  if (!names) {
    const lowerPath = path.toLowerCase();
    const segments = pathSegments(path);
    names = {
      strong:
        segments.some((segment) => STRONG_SEGMENTS.has(segment)) ||
        STRONG_PHRASES.some((phrase) => lowerPath.includes(phrase)),
      weak: segments.some((segment) => WEAK_SEGMENTS.has(segment)),
    };
    if (pathNamesCache.size > 10_000) pathNamesCache.clear();
    pathNamesCache.set(path, names);
  }
  return names;
}

interface Target {
  readonly host: string;
  readonly port: string | undefined;
  /** The upstream's name says sockets (`ws_backend`, `socket-server`). */
  readonly socketNamed: boolean;
  /** A host on this machine, where dev servers run. */
  readonly local: boolean;
}

const targetCache = new Map<string, Target | undefined>();

/** proxyTarget, and what evidence reads of it, by proxy_pass value. */
function cachedTarget(value: string): Target | undefined {
  if (targetCache.has(value)) return targetCache.get(value);
  const target = proxyTarget(value);
  const result = target
    ? {
        ...target,
        socketNamed: target.host
          .toLowerCase()
          .split(/[^a-z0-9]+/)
          .some((token) => token === 'ws' || token === 'wss' || token.includes('socket')),
        local: /^(localhost|127\.\d+\.\d+\.\d+|\[::1\]|host\.docker\.internal|0\.0\.0\.0)$/i.test(target.host),
      }
    : undefined;
  if (targetCache.size > 10_000) targetCache.clear();
  targetCache.set(value, result);
  return result;
}

function pathSegments(path: string): string[] {
  return path
    .toLowerCase()
    .split(/[^a-z0-9_.-]+/)
    .filter(Boolean);
}

/** Host and port of `proxy_pass http://host:port/...`, or the upstream name. */
export function proxyTarget(proxyPass: string): { host: string; port: string | undefined } | undefined {
  const match = /^[a-z]+:\/\/(\[[^\]]+\]|[^/:]+)(?::(\d+))?/i.exec(proxyPass.trim());
  if (!match) return undefined;
  return { host: match[1] as string, port: match[2] };
}

/** The `# nginx-ws: websocket` comments of each parsed file, found once: a big config has thousands of comments and locations. */
const annotationsByFile = new WeakMap<ParsedFile, readonly Comment[]>();

function annotations(parsed: ParsedFile): readonly Comment[] {
  let found = annotationsByFile.get(parsed);
  if (!found) {
    found = parsed.comments.filter((comment) => ANNOTATION.test(comment.text));
    annotationsByFile.set(parsed, found);
  }
  return found;
}

function hasAnnotation(analysis: FileAnalysis, location: LocationModel): boolean {
  // The file without the node: most files have no annotation, and then no node is needed.
  const parsed = analysis.tree.files.get(locationFile(location));
  if (!parsed) return false;
  const marks = annotations(parsed);
  if (!marks.length) return false;
  const directive = location.node.directive;
  const headerLine = directive.range.start.line;
  const lastLine = directive.block?.closeRange?.end.line ?? directive.range.end.line;
  return marks.some((comment) => {
    const line = comment.range.start.line;
    return line >= headerLine - 1 && line <= lastLine;
  });
}

/**
 * Whether a Connection line can carry "upgrade" on a handshake: evaluated for both browsers; a
 * value that cannot be evaluated counts when its text says upgrade (`$connection_upgrade` with
 * its map missing is still the map idiom).
 */
function connectionCanUpgrade(model: ConfigModel, location: LocationModel, connection: HeaderLine): boolean {
  const text = connection.valueText ?? '';
  for (const request of HANDSHAKES) {
    const result = evaluateValue(model, location, request, text);
    if (result.known ? hasUpgradeToken(result.value) : /upgrade/i.test(text)) return true;
  }
  return false;
}

/** Shared: the answer for most locations of a big config, which need no object of their own. */
const NO_EVIDENCE: Evidence = Object.freeze({ strength: 'none', reason: '' });

export function assessEvidence(
  analysis: FileAnalysis,
  model: ConfigModel,
  location: LocationModel,
  options: EvidenceOptions,
): Evidence {
  // Most proxies of a big config name neither header anywhere: then nothing below is configured.
  if (headersMentionUpgrade(location.headers)) {
    const upgrade = effectiveHeader(location, 'upgrade');
    const connection = effectiveHeader(location, 'connection');
    const dropped = location.headers.dropped.filter((line) => line.key === 'upgrade' || line.key === 'connection');

    if (dropped.length)
      return {
        strength: 'configured',
        reason: `an enclosing block sets ${dropped.map((line) => line.name).join(' and ')}`,
      };
    // Any Upgrade line asks for a WebSocket: nothing else needs it (facts §6, hop-by-hop headers).
    if (upgrade) return { strength: 'configured', reason: 'it sets the Upgrade header' };
    if (connection && connectionCanUpgrade(model, location, connection))
      return { strength: 'configured', reason: `it sets Connection to ${connection.value?.raw ?? ''}` };
  }

  const declaredBy = options.declared?.(location);
  if (declaredBy) return { strength: 'declared', reason: declaredBy };
  const declared = options.webSocketPaths.find(
    (pattern) => location.path && picomatch.isMatch(location.path, pattern, { dot: true }),
  );
  if (declared) return { strength: 'declared', reason: `its path matches "${declared}" in nginxWs.webSocketPaths` };
  if (hasAnnotation(analysis, location))
    return { strength: 'declared', reason: 'it is marked "# nginx-ws: websocket"' };

  const names = pathNames(location.path);
  const target = location.proxyPass ? cachedTarget(location.proxyPass.value) : undefined;
  const socketUpstream = target?.socketNamed ?? false;
  // Made only where it decides something: reading the setting's node costs an object per location.
  const ownHttp11 = (): boolean => location.proxyHttpVersion?.value === '1.1' && ownsHttpVersion(location);
  if (names.strong || socketUpstream) {
    const reason = names.strong
      ? `the path "${location.path}" is a usual WebSocket endpoint`
      : `it proxies to "${target?.host ?? ''}", named for sockets`;
    // A WebSocket-named location that already asks for HTTP/1.1 shows intent.
    if (ownHttp11()) return { strength: 'configured', reason: `${reason} and it sets proxy_http_version 1.1` };
    return { strength: 'named', reason };
  }
  if (names.weak)
    return { strength: 'hinted', reason: `the path "${location.path}" often carries WebSocket subscriptions` };
  // A dev server serves the whole app, its hot-reload socket on the page path: only `/` counts.
  const devServer =
    target?.port && target.local && location.path === '/' ? DEV_SERVER_PORTS.get(target.port) : undefined;
  // A port alone is noise (nginx's own tests listen on 8080 everywhere): it takes a second sign,
  // the location asking for HTTP/1.1 itself.
  if (devServer && ownHttp11())
    return {
      strength: 'devserver',
      reason: `port ${target?.port ?? ''} is the usual ${devServer} dev server, whose hot reload uses a WebSocket, and it sets proxy_http_version 1.1`,
    };
  return NO_EVIDENCE;
}

/**
 * What assessEvidence reads of a location apart from its Upgrade and Connection lines, as a key:
 * two locations with the same key and the same lines have the same evidence. Undefined where it
 * reads more than values: a caller's own declaration, or an annotation comment in the file.
 */
export function evidenceInputsKey(
  analysis: FileAnalysis,
  location: LocationModel,
  options: EvidenceOptions,
): string | undefined {
  if (options.declared) return undefined;
  const parsed = analysis.tree.files.get(locationFile(location));
  if (parsed && annotations(parsed).length) return undefined;
  const target = location.proxyPass ? cachedTarget(location.proxyPass.value) : undefined;
  const targetKey = target ? `${target.socketNamed ? 's' : ''}${target.local ? 'l' : ''}:${target.port ?? ''}` : '-';
  const http11 = location.proxyHttpVersion?.value === '1.1' && ownsHttpVersion(location);
  return `${location.path}\u0000${targetKey}\u0000${http11 ? 'own1.1' : ''}`;
}
