/**
 * Builds the temporary nginx.conf that reproduces one location of the user's config: the
 * http-level maps and upstreams it uses, the server-level proxy settings it inherits, the
 * enclosing locations, and the location itself with its includes inlined, pointed at the local
 * ws backend. Pure: text in, text out; the run writes it and starts nginx.
 */
import type { Directive } from '../core/parser/ast';
import type { LocationModel } from '../core/model/effective';
import type { ConfigNode } from '../core/model/tree';
import type { FileAnalysis } from '../core/model/workspace';
import { isBuiltinVariable, variablesIn } from '../core/rules/headers';
import type { IsolationDirectives } from './isolation';
import { substitutePlaceholders, type Placeholder } from './placeholders';

export interface OmittedDirective {
  readonly file: string;
  /** 0-based line in that file. */
  readonly line: number;
  readonly text: string;
  readonly reason: string;
}

export interface SourceLine {
  readonly file: string;
  /** 0-based line in the user's file. */
  readonly line: number;
}

export interface TestConfig {
  readonly text: string;
  readonly requestPath: string;
  /** Line i (0-based) of `text` came from `sourceMap[i]`, when it came from the user's files. */
  readonly sourceMap: readonly (SourceLine | undefined)[];
  readonly omitted: readonly OmittedDirective[];
  /** What was changed to run locally, e.g. the proxy_pass target. */
  readonly rewrites: readonly string[];
  /** Template placeholders (`${VAR}`) and what they were replaced with. */
  readonly placeholders: readonly Placeholder[];
}

export interface TestConfigOptions {
  readonly listenPort: number;
  readonly backendPort: number;
  readonly isolation: IsolationDirectives;
  /** A request path the user chose (regex locations); otherwise one is derived. */
  readonly requestPath?: string;
  /** Values for `${VAR}` template placeholders the user gave; then `environment`. */
  readonly templateValues?: Readonly<Record<string, string>>;
  readonly environment?: Readonly<Record<string, string | undefined>>;
}

/** Directives of a location (and its enclosing ones) that cannot run on this machine, and why. */
const LOCATION_OMISSIONS: ReadonlyArray<[RegExp, string]> = [
  [
    /^auth_request(_set)?$|^auth_basic(_user_file)?$|^auth_jwt/,
    'authentication needs a service or files that are not here',
  ],
  [/^ssl_|^proxy_ssl_/, 'TLS certificates are not available to the test'],
  [/^(access_log|error_log|open_log_file_cache)$/, 'log paths outside the temp dir'],
  [/^resolver(_timeout)?$/, 'no DNS resolver is used by the test'],
  [/_by_lua|^lua_|^perl|^js_/, 'a scripting module the test nginx may not have'],
  [
    /^(try_files|return|rewrite|error_page|root|alias|index|autoindex)$/,
    'the test sends the request straight to this location',
  ],
  [/^(limit_req|limit_conn|limit_rate|allow|deny|satisfy)$/, 'access limits would block the local test client'],
  [/^proxy_cache|^proxy_store|^proxy_bind$|^proxy_temp_path$/, 'needs a cache zone or paths of the real server'],
  [
    /^(more_set_headers|more_clear_headers|sub_filter|sub_filter_once|sub_filter_types|gzip_static|brotli.*)$/,
    'a module the test nginx may not have',
  ],
];

/** http/server-level directives that shape a proxied request; all others are not copied. */
const INHERITED =
  /^(proxy_(?!cache|store|temp_path|bind|ssl_).*|set|underscores_in_headers|ignore_invalid_headers|large_client_header_buffers|client_max_body_size|client_header_buffer_size|keepalive_timeout|chunked_transfer_encoding)$/;

function omissionReason(name: string): string | undefined {
  return LOCATION_OMISSIONS.find(([pattern]) => pattern.test(name))?.[1];
}

function directiveText(directive: Directive): string {
  return [directive.nameWord.raw, ...directive.args.map((arg) => arg.raw)].join(' ');
}

/** The deepest indentation the test config is written with. */
const MAX_INDENT = 12;

class ConfigWriter {
  readonly lines: string[] = [];
  readonly sourceMap: (SourceLine | undefined)[] = [];

  line(text: string, depth: number, source?: SourceLine): void {
    // Indentation is for reading; past a dozen levels it would only make the file grow with the square of the depth.
    this.lines.push('    '.repeat(Math.min(depth, MAX_INDENT)) + text);
    this.sourceMap.push(source);
  }
}

function sourceOf(node: ConfigNode): SourceLine {
  return { file: node.file, line: node.directive.range.start.line };
}

/** Writes a table block (`map`, `geo`, ...) as it is written. */
function writeTable(writer: ConfigWriter, node: ConfigNode, depth: number): void {
  writer.line(`${directiveText(node.directive)} {`, depth, sourceOf(node));
  for (const entry of node.directive.block?.children ?? []) {
    writer.line(`${directiveText(entry)};`, depth + 1, { file: node.file, line: entry.range.start.line });
  }
  writer.line('}', depth);
}

/**
 * `proxy_pass` aimed at the backend, keeping the URI part. Upstream names stay (their `server`
 * lines are rewritten instead); variables and TLS are replaced.
 */
export function rewriteProxyPass(
  value: string,
  backend: string,
  upstreams: ReadonlySet<string>,
): { value: string; note?: string } {
  const match = /^([a-z]+):\/\/(unix:[^:]*:|\[[^\]]*\](?::[^/]*)?|[^/]*)(.*)$/i.exec(value);
  if (!match)
    return { value: `http://${backend}`, note: `proxy_pass ${value} is not a URL; the test proxies to the backend` };
  const [, scheme = 'http', hostPort = '', uri = ''] = match;
  if (upstreams.has(hostPort) && scheme.toLowerCase() === 'http') return { value };
  const note =
    scheme.toLowerCase() === 'https'
      ? `proxy_pass ${value} uses TLS to the upstream; the test backend speaks plain HTTP, so it is proxied with http://`
      : undefined;
  return { value: `http://${backend}${uri}`, note };
}

/** A concrete path that a location matches, or undefined when it cannot be derived. */
export function requestPathFor(location: LocationModel): string | undefined {
  const { modifier, path } = location;
  if (modifier === '@') return '/';
  if (modifier === '' || modifier === '=' || modifier === '^~') return path.startsWith('/') ? path : `/${path}`;
  return samplePathForRegex(path, modifier === '~*');
}

/** Generates a string matching a (simple) PCRE location regex, and checks it with JavaScript's engine. */
export function samplePathForRegex(pattern: string, caseInsensitive: boolean): string | undefined {
  let sample = pattern
    .replace(/^\^/, '')
    .replace(/\$$/, '')
    .replace(/\(\?P?<[^>]+>/g, '(')
    .replace(/\(\?:/g, '(');
  // Innermost groups first: keep the first alternative.
  for (let guard = 0; guard < 20 && /\([^()]*\)/.test(sample); guard++) {
    sample = sample.replace(/\(([^()]*)\)(\?|\*)?/g, (_all, body: string, quantifier: string | undefined) =>
      quantifier ? '' : (body.split('|')[0] ?? ''),
    );
  }
  sample = sample
    .replace(/\[\^[^\]]*\]([*+?]|\{\d+(,\d*)?\})?/g, (_all, quantifier: string | undefined) =>
      quantifier === '*' || quantifier === '?' ? '' : 'x',
    )
    .replace(/\[([^\]])[^\]]*\]([*+?]|\{\d+(,\d*)?\})?/g, (_all, first: string, quantifier: string | undefined) =>
      quantifier === '*' || quantifier === '?' ? '' : first,
    )
    .replace(/\\d([*+?])?/g, (_all, quantifier: string | undefined) =>
      quantifier === '*' || quantifier === '?' ? '' : '0',
    )
    .replace(/\\w([*+?])?/g, (_all, quantifier: string | undefined) =>
      quantifier === '*' || quantifier === '?' ? '' : 'x',
    )
    .replace(/\.\*|\.\?/g, '')
    .replace(/\.\+/g, 'x')
    .replace(/(.)\?/g, '')
    .replace(/\\(.)/g, '$1');
  if (!sample.startsWith('/')) sample = `/${sample}`;
  try {
    const jsPattern = pattern.replace(/\(\?P</g, '(?<');
    return new RegExp(jsPattern, caseInsensitive ? 'i' : '').test(sample) ? sample : undefined;
  } catch {
    return undefined;
  }
}

/** Variables that the copied directives use, and the maps/geo/split_clients that define them, transitively. */
function definitionsNeeded(analysis: FileAnalysis, used: Iterable<string>): ConfigNode[] {
  const needed = new Map<ConfigNode, true>();
  const queue = [...used];
  const seen = new Set<string>();
  while (queue.length) {
    const name = queue.pop() as string;
    if (seen.has(name)) continue;
    seen.add(name);
    for (const definition of analysis.model.variables.get(name) ?? []) {
      if (definition.kind !== 'map' && definition.kind !== 'geo' && definition.kind !== 'split_clients') continue;
      if (needed.has(definition.node)) continue;
      needed.set(definition.node, true);
      const directive = definition.node.directive;
      for (const arg of directive.args) queue.push(...variablesIn(arg.value));
      for (const entry of directive.block?.children ?? [])
        for (const arg of entry.args) queue.push(...variablesIn(arg.value));
    }
  }
  return [...needed.keys()];
}

export function buildTestConfig(
  analysis: FileAnalysis,
  location: LocationModel,
  options: TestConfigOptions,
): TestConfig {
  const writer = new ConfigWriter();
  const omitted: OmittedDirective[] = [];
  const rewrites: string[] = [];
  const backend = `127.0.0.1:${options.backendPort}`;
  const upstreamNames = new Set(analysis.model.upstreams.keys());
  const usedVariables = new Set<string>();
  const usedUpstreams = new Set<string>();

  const noteVariables = (directive: Directive): void => {
    for (const arg of directive.args) for (const name of variablesIn(arg.value)) usedVariables.add(name);
  };

  // The chain of blocks from the server down to the location.
  const chain: ConfigNode[] = [];
  for (let node: ConfigNode | undefined = location.node; node; node = node.parent) chain.push(node);
  chain.reverse();
  const serverIndex = chain.findIndex((node) => node.directive.name === 'server');
  const httpNode = chain.find((node) => node.directive.name === 'http');
  const locationChain = chain
    .slice(serverIndex + 1)
    .filter((node) => node.directive.name === 'location' || node === location.node);

  /** Body lines of the location chain, written after the prelude so maps can be collected first. */
  const body = new ConfigWriter();

  const writeLocationBody = (children: readonly ConfigNode[], depth: number, next: ConfigNode | undefined): void => {
    for (const child of children) {
      const directive = child.directive;
      if (directive.name === 'include') continue; // its directives follow it, inlined
      if (directive.block) {
        if (child === next) continue;
        if (directive.name === 'location') continue; // sibling locations do not matter
        if (directive.name === 'if' || directive.name === 'limit_except') {
          omitted.push({
            file: child.file,
            line: directive.range.start.line,
            text: `${directiveText(directive)} { ... }`,
            reason: 'conditional blocks are left out of the test',
          });
          continue;
        }
      }
      const reason = omissionReason(directive.name);
      if (reason) {
        omitted.push({ file: child.file, line: directive.range.start.line, text: directiveText(directive), reason });
        continue;
      }
      if (directive.block) {
        omitted.push({
          file: child.file,
          line: directive.range.start.line,
          text: `${directiveText(directive)} { ... }`,
          reason: 'blocks other than the location are left out of the test',
        });
        continue;
      }
      noteVariables(directive);
      if (directive.name === 'proxy_pass') {
        const original = directive.args[0]?.raw ?? '';
        const rewritten = rewriteProxyPass(directive.args[0]?.value ?? '', backend, upstreamNames);
        if (rewritten.value !== (directive.args[0]?.value ?? ''))
          rewrites.push(`proxy_pass ${original} → ${rewritten.value}`);
        else usedUpstreams.add(/^[a-z]+:\/\/([^/]*)/i.exec(rewritten.value)?.[1] ?? '');
        if (rewritten.note) rewrites.push(rewritten.note);
        body.line(`proxy_pass ${rewritten.value};`, depth, sourceOf(child));
        continue;
      }
      body.line(`${directiveText(directive)};`, depth, sourceOf(child));
    }
  };

  /** The chain from `index` down, each location inside the one before: a loop, as nginx allows thousands of levels. */
  const writeLocations = (index: number, depth: number): void => {
    let level = 0;
    for (; index + level < locationChain.length; level++) {
      const node = locationChain[index + level] as ConfigNode;
      const at = depth + level;
      const isNamed = node.directive.args[0]?.value.startsWith('@');
      if (isNamed) {
        // A named location cannot be requested: reach it the way configs do, through try_files.
        body.line('location / {', at);
        body.line('try_files /.nginx-ws-no-such-file @' + (node.directive.args[0]?.value.slice(1) ?? '') + ';', at + 1);
        body.line('}', at);
      }
      body.line(`${directiveText(node.directive)} {`, at, sourceOf(node));
      writeLocationBody(node.children, at + 1, locationChain[index + level + 1]);
    }
    while (level-- > 0) body.line('}', depth + level);
  };

  // Server-level proxy settings the location inherits.
  const serverNode = serverIndex >= 0 ? chain[serverIndex] : undefined;
  const serverLines = new ConfigWriter();
  const copyInherited = (children: readonly ConfigNode[], into: ConfigWriter, depth: number): void => {
    for (const child of children) {
      const directive = child.directive;
      if (directive.block || directive.name === 'include' || !INHERITED.test(directive.name)) continue;
      noteVariables(directive);
      into.line(`${directiveText(directive)};`, depth, sourceOf(child));
    }
  };
  copyInherited(serverNode?.children ?? [], serverLines, 2);
  writeLocations(0, 2);
  // A fragment of bare proxy_* lines (context `location`): wrap them in a location of its own.
  if (!locationChain.length) {
    body.line('location / {', 2);
    writeLocationBody(analysis.tree.children, 3, undefined);
    body.line('}', 2);
  }

  const httpLines = new ConfigWriter();
  // A conf.d fragment is read inside http {}: its own top-level lines are that level (issue #11),
  // as are those of the http block of a whole config.
  const httpLevel = httpNode
    ? httpNode.children
    : analysis.tree.rootContext === 'http' && chain[0]?.parent === undefined
      ? analysis.tree.children
      : [];
  copyInherited(httpLevel, httpLines, 1);

  // Prelude: isolation, then http with what the copied directives need.
  writer.line('# Written by nginx-ws "Test WebSocket proxy"; removed when the test ends.', 0);
  for (const line of options.isolation.main) writer.line(line, 0);
  writer.line('events {', 0);
  for (const line of options.isolation.events) writer.line(line, 1);
  writer.line('}', 0);
  writer.line('http {', 0);
  for (const line of options.isolation.http) writer.line(line, 1);
  const definitions = definitionsNeeded(analysis, usedVariables);
  for (const definition of definitions) writeTable(writer, definition, 1);
  // A variable the copied lines use but that is set elsewhere (set in another block or an if,
  // auth_request_set, a lua or js setter): nginx -t would stop at "unknown variable", so it is
  // declared empty, and the report says so.
  const declared = new Set(
    definitions.map((node) => (node.directive.args[1]?.value ?? '').replace(/^\$/, '').toLowerCase()),
  );
  const setHere = new Set(
    [...body.lines, ...serverLines.lines, ...httpLines.lines]
      .map((line) => /^\s*set\s+\$(\w+)/.exec(line)?.[1]?.toLowerCase())
      .filter((name): name is string => name !== undefined),
  );
  for (const name of [...usedVariables].sort()) {
    if (declared.has(name) || setHere.has(name) || isBuiltinVariable(name)) continue;
    const definition = analysis.model.variables.get(name)?.[0];
    // Defined nowhere: the user's nginx refuses it too, and the test shows that (ws-undefined-variable).
    if (!definition || definition.kind === 'capture') continue;
    writer.line(`map "" $${name} { default ""; }`, 1);
    rewrites.push(
      `$${name} is set by "${definition.node.directive.name}" elsewhere (${definition.node.file}:${definition.node.directive.range.start.line + 1}), not in what the test copies: declared empty for the test`,
    );
  }
  for (const name of usedUpstreams) {
    const upstream = analysis.model.upstreams.get(name);
    if (!upstream) continue;
    writer.line(`upstream ${name} {`, 1, sourceOf(upstream));
    writer.line(`server ${backend};`, 2);
    rewrites.push(`upstream ${name}: its servers → ${backend}`);
    for (const child of upstream.children) {
      if (child.directive.name === 'keepalive' || child.directive.name.startsWith('keepalive_')) {
        writer.line(`${directiveText(child.directive)};`, 2, sourceOf(child));
      }
    }
    writer.line('}', 1);
  }
  const append = (from: ConfigWriter): void => {
    writer.lines.push(...from.lines);
    writer.sourceMap.push(...from.sourceMap);
  };
  append(httpLines);
  writer.line('server {', 1, serverNode ? sourceOf(serverNode) : undefined);
  writer.line(`listen 127.0.0.1:${options.listenPort};`, 2);
  append(serverLines);
  append(body);
  writer.line('}', 1);
  writer.line('}', 0);

  const requestPath = options.requestPath ?? requestPathFor(location) ?? '/';
  const { text, placeholders } = substitutePlaceholders(
    writer.lines.join('\n') + '\n',
    options.templateValues ?? {},
    options.environment ?? {},
  );
  return { text, requestPath, sourceMap: writer.sourceMap, omitted, rewrites, placeholders };
}
