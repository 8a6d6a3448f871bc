/**
 * What nginx sends upstream for a simulated request, computed from the model rather than guessed
 * from the look of the text: the HTTP version, and the `Upgrade` and `Connection` header values
 * after inheritance, variables and maps. Anything this cannot know (runtime variables, lua, geo,
 * a `set` in an `if`) is `unknown`, and no rule may claim anything from it.
 *
 * Semantics checked on Debian's nginx 1.22.1 (see test/unit/evaluate.test.ts for the cases):
 * exact map keys match case-insensitively (nginx lower-cases hash keys and the looked-up value);
 * exact keys win over regexes whatever their order; regexes are tried in order; a map value can be
 * a complex value with variables (`$exact-$http_x`), evaluated for the same request.
 */
import type { Directive, Range } from '../parser/ast';
import type { ConfigModel, HeaderLine, LocationModel } from '../model/effective';
import type { ConfigNode } from '../model/tree';
import { defaultsToHttp11, type NginxVersion } from '../rules/version';

/** A request as a client sends it: header names lower-cased. */
export interface SimulatedRequest {
  /** Said in messages: "for a Firefox handshake". */
  readonly label: string;
  readonly headers: ReadonlyMap<string, string>;
  readonly host: string;
}

export const CHROME_HANDSHAKE: SimulatedRequest = {
  label: 'a Chrome handshake',
  headers: new Map([
    ['upgrade', 'websocket'],
    ['connection', 'Upgrade'],
    ['host', 'example.com'],
  ]),
  host: 'example.com',
};

export const FIREFOX_HANDSHAKE: SimulatedRequest = {
  label: 'a Firefox handshake',
  headers: new Map([
    ['upgrade', 'websocket'],
    ['connection', 'keep-alive, Upgrade'],
    ['host', 'example.com'],
  ]),
  host: 'example.com',
};

export const PLAIN_REQUEST: SimulatedRequest = {
  label: 'a plain request',
  headers: new Map([
    ['connection', 'keep-alive'],
    ['host', 'example.com'],
  ]),
  host: 'example.com',
};

export const HANDSHAKES: readonly SimulatedRequest[] = [CHROME_HANDSHAKE, FIREFOX_HANDSHAKE];

/** One config line that took part in producing a value, for related information. */
export interface ChainLink {
  readonly file: string;
  readonly range: Range;
  readonly message: string;
}

export type Evaluated =
  | { readonly known: true; readonly value: string; readonly chain: readonly ChainLink[] }
  | { readonly known: false; readonly reason: string; readonly chain: readonly ChainLink[] };

/** A header as the upstream receives it: value '' means it is not sent. */
export interface SentHeader {
  readonly result: Evaluated;
  /** The proxy_set_header line in force, if any. */
  readonly line: HeaderLine | undefined;
  /** Set at an enclosing level and dropped by this level's own lines. */
  readonly dropped: HeaderLine | undefined;
}

export interface UpstreamRequest {
  readonly request: SimulatedRequest;
  /** `1.0`, `1.1` or `2`, and the line that set it (none: nginx's default). */
  readonly httpVersion: string;
  readonly httpVersionChain: readonly ChainLink[];
  readonly upgrade: SentHeader;
  readonly connection: SentHeader;
}

/** Whether a Connection value carries the `upgrade` token (RFC 9110 §7.6.1: a comma list, case-insensitive). */
export function hasUpgradeToken(value: string): boolean {
  let start = 0;
  for (;;) {
    const comma = value.indexOf(',', start);
    const token = value
      .slice(start, comma < 0 ? value.length : comma)
      .trim()
      .toLowerCase();
    if (token === 'upgrade') return true;
    if (comma < 0) return false;
    start = comma + 1;
  }
}

/** A link whose range is read when shown: most evaluations are of correct locations, never reported. */
class NodeLink implements ChainLink {
  constructor(
    /** A node, or what holds one: a HeaderLine's or Setting's node is made only if the link is shown. */
    private readonly owner: ConfigNode | { readonly node: ConfigNode },
    readonly message: string,
  ) {}
  private get node(): ConfigNode {
    return 'directive' in this.owner ? this.owner : this.owner.node;
  }
  get file(): string {
    return this.node.file;
  }
  get range(): Range {
    return this.node.directive.range;
  }
}

function linkOf(owner: ConfigNode | { readonly node: ConfigNode }, message: string): ChainLink {
  return new NodeLink(owner, message);
}

/**
 * A link to a directive of a map, its range worked out when shown: a map is evaluated for every
 * location, and a range is a position in the file's line index, 4 MB to build for no finding.
 */
class DirectiveLink implements ChainLink {
  constructor(
    readonly file: string,
    private readonly directive: Directive,
    readonly message: string,
    /** Only the header line, `map $a $b`, not its whole block. */
    private readonly headerOnly = false,
  ) {}
  get range(): Range {
    const directive = this.directive;
    if (!this.headerOnly) return directive.range;
    const lastArg = directive.args[directive.args.length - 1] ?? directive.nameWord;
    return { start: directive.nameWord.range.start, end: lastArg.range.end };
  }
}

function linkOfDirective(file: string, directive: Directive, message: string): ChainLink {
  return new DirectiveLink(file, directive, message);
}

const unknown = (reason: string, chain: readonly ChainLink[] = []): Evaluated => ({ known: false, reason, chain });
const known = (value: string, chain: readonly ChainLink[] = []): Evaluated => ({ known: true, value, chain });

/** A complex value split into literal text and variable names (lower-cased), parsed once per text. */
type Part = { readonly text: string } | { readonly variable: string };

const partsCache = new Map<string, readonly Part[]>();

function isNameChar(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95; /* _ */
}

export function parseComplexValue(text: string): readonly Part[] {
  const cached = partsCache.get(text);
  if (cached) return cached;
  const parts: Part[] = [];
  let literal = '';
  for (let at = 0; at < text.length;) {
    if (text.charCodeAt(at) !== 36 /* $ */) {
      literal += text[at];
      at++;
      continue;
    }
    let start = at + 1;
    const braced = text.charCodeAt(start) === 123; /* { */
    if (braced) start++;
    let end = start;
    while (end < text.length && isNameChar(text.charCodeAt(end))) end++;
    if (end === start || (braced && text.charCodeAt(end) !== 125) /* } */) {
      literal += '$';
      at++;
      continue;
    }
    if (literal) parts.push({ text: literal });
    literal = '';
    parts.push({ variable: text.slice(start, end).toLowerCase() });
    at = braced ? end + 1 : end;
  }
  if (literal) parts.push({ text: literal });
  if (partsCache.size > 10_000) partsCache.clear();
  partsCache.set(text, parts);
  return parts;
}

/** A `map` block read once: its source, exact table, regexes in order, default, hostnames. */
interface CompiledMap {
  readonly node: ConfigNode;
  readonly source: string;
  readonly hostnames: boolean;
  readonly exact: ReadonlyMap<string, Directive>;
  readonly wildcards: readonly { readonly pattern: string; readonly entry: Directive }[];
  readonly regexes: readonly { readonly regex: RegExp | undefined; readonly entry: Directive }[];
  readonly defaultEntry: Directive | undefined;
  /** An `include` inside the map: the tree does not read it, so an unmatched value is unknown. */
  readonly unreadInclude: Directive | undefined;
  /** Results by input string, per request shape: the same inputs recur across locations. */
  readonly results: Map<SimulatedRequest, Map<string, MapResult>>;
}

/** A memoized map result, with what of the request its evaluation read (replayed on a hit: see Evaluator.sameFor). */
interface MapResult {
  readonly result: Evaluated;
  readonly headersRead: readonly string[];
  readonly hostRead: boolean;
  readonly conditionRead: boolean;
}

const compiledMaps = new WeakMap<ConfigNode, CompiledMap>();

/** PCRE to JavaScript where the syntax agrees; undefined where it cannot be compiled. */
function compileRegex(pattern: string, caseless: boolean): RegExp | undefined {
  try {
    return new RegExp(pattern.replace(/\(\?P</g, '(?<'), caseless ? 'i' : '');
  } catch {
    return undefined;
  }
}

function compileMap(node: ConfigNode): CompiledMap {
  const cached = compiledMaps.get(node);
  if (cached) return cached;
  const exact = new Map<string, Directive>();
  const wildcards: { pattern: string; entry: Directive }[] = [];
  const regexes: { regex: RegExp | undefined; entry: Directive }[] = [];
  let defaultEntry: Directive | undefined;
  let hostnames = false;
  let unreadInclude: Directive | undefined;
  for (const entry of node.directive.block?.children ?? []) {
    const key = entry.name;
    if (entry.argCount === 0) {
      if (key === 'hostnames') hostnames = true;
      // `volatile` only stops caching within a request: the value is the same.
      continue;
    }
    if (key === 'include' && entry.nameWord.quote === null) {
      unreadInclude ??= entry;
      continue;
    }
    if (key === 'default' && entry.nameWord.quote === null) {
      defaultEntry = entry;
      continue;
    }
    // `\` escapes a key that would otherwise be a keyword (`\default`).
    const literalKey = key.startsWith('\\') ? key.slice(1) : key;
    if (key.startsWith('~*')) regexes.push({ regex: compileRegex(key.slice(2), true), entry });
    else if (key.startsWith('~')) regexes.push({ regex: compileRegex(key.slice(1), false), entry });
    else if (hostnames && (literalKey.startsWith('*.') || literalKey.startsWith('.') || literalKey.endsWith('.*')))
      wildcards.push({ pattern: literalKey.toLowerCase(), entry });
    else if (!exact.has(literalKey.toLowerCase())) exact.set(literalKey.toLowerCase(), entry);
  }
  const compiled: CompiledMap = {
    node,
    source: node.directive.argValue(0) ?? '',
    hostnames,
    exact,
    wildcards,
    regexes,
    defaultEntry,
    unreadInclude,
    results: new Map(),
  };
  compiledMaps.set(node, compiled);
  return compiled;
}

function wildcardMatches(pattern: string, host: string): boolean {
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1));
  if (pattern.startsWith('.')) return host === pattern.slice(1) || host.endsWith(pattern);
  return host.startsWith(pattern.slice(0, -1));
}

const headerNames = new Map<string, string>();

/** `http_x_real_ip` -> `x-real-ip`, once per name: every location of a big config reads $http_upgrade. */
function headerNameOf(variable: string): string {
  let name = headerNames.get(variable);
  if (name === undefined) {
    name = variable.slice(5).replace(/_/g, '-');
    if (headerNames.size > 10_000) headerNames.clear();
    headerNames.set(variable, name);
  }
  return name;
}

/**
 * How many times any evaluation has read a `set` variable. A `set` is run for the location's own
 * server and block, so an evaluation that read one depends on where the location stands, not only
 * on the values it read: checkFile reuses a verdict only for evaluations that read none.
 */
let setVariablesRead = 0;
export const setVariablesReadSoFar = (): number => setVariablesRead;

/** The evaluation of one location for one request: variables are looked up through `model`. */
class Evaluator {
  private depth = 0;
  /** Counts `set` values read: a map result that used one depends on the location and is not memoized. */
  private setsRead = 0;
  /** What of the request was read (a name may repeat): another request that agrees on it gets the same result. */
  private readonly headersRead: string[] = [];
  private hostRead = false;
  /** An `if` was decided: its link names the request ("true for a Chrome handshake"). */
  private conditionRead = false;
  constructor(
    private readonly model: ConfigModel,
    private readonly location: LocationModel,
    private readonly request: SimulatedRequest,
  ) {}

  complex(text: string): Evaluated {
    const parts = parseComplexValue(text);
    if (parts.length === 1) {
      const only = parts[0] as Part;
      return 'text' in only ? known(only.text) : this.variable(only.variable);
    }
    let value = '';
    const chain: ChainLink[] = [];
    for (const part of parts) {
      if ('text' in part) {
        value += part.text;
        continue;
      }
      const result = this.variable(part.variable);
      chain.push(...result.chain);
      if (!result.known) return unknown(result.reason, chain);
      value += result.value;
    }
    return known(value, chain);
  }

  variable(name: string): Evaluated {
    if (name.startsWith('http_')) {
      const headerName = headerNameOf(name);
      this.headersRead.push(headerName);
      return known(this.request.headers.get(headerName) ?? '');
    }
    if (name === 'host') {
      this.hostRead = true;
      return known(this.request.host);
    }
    const definitions = this.model.variables.get(name);
    if (!definitions?.length) return unknown(`$${name} is set at run time or defined nowhere`);
    const map = this.model.maps.get(name);
    if (map && definitions.length === 1) return this.mapValue(map, name);
    if (definitions.every((definition) => definition.kind === 'set')) return this.setValue(name, definitions);
    return unknown(`$${name} is set by ${definitions[0]?.node.directive.name ?? 'a directive'}, at run time`);
  }

  private mapValue(node: ConfigNode, name: string): Evaluated {
    // A map whose value names itself, or a cycle through several: nginx refuses it at run time.
    if (this.depth > 16) return unknown(`$${name} refers to itself through its maps`);
    const map = compileMap(node);
    this.depth++;
    try {
      const input = this.complex(map.source);
      if (!input.known) return unknown(input.reason, input.chain);
      // By request, then input: no key string made per lookup.
      let results = map.results.get(this.request);
      if (!results) map.results.set(this.request, (results = new Map()));
      const memo = results.get(input.value);
      if (memo) {
        for (const header of memo.headersRead) this.headersRead.push(header);
        if (memo.hostRead) this.hostRead = true;
        if (memo.conditionRead) this.conditionRead = true;
        return memo.result;
      }
      const setsBefore = this.setsRead;
      const readsBefore = this.headersRead.length;
      const hostBefore = this.hostRead;
      const conditionBefore = this.conditionRead;
      this.hostRead = this.conditionRead = false;
      const result = this.matchMap(map, name, input.value, input.chain);
      const { hostRead, conditionRead } = this;
      this.hostRead ||= hostBefore;
      this.conditionRead ||= conditionBefore;
      if (this.setsRead === setsBefore)
        results.set(input.value, {
          result,
          headersRead: this.headersRead.slice(readsBefore),
          hostRead,
          conditionRead,
        });
      return result;
    } finally {
      this.depth--;
    }
  }

  private matchMap(map: CompiledMap, name: string, input: string, inputChain: readonly ChainLink[]): Evaluated {
    const file = map.node.file;
    let key = input;
    if (map.hostnames && key.endsWith('.')) key = key.slice(0, -1);
    let entry = map.exact.get(key.toLowerCase());
    if (!entry && map.hostnames) {
      const host = key.toLowerCase();
      entry = map.wildcards.find((wildcard) => wildcardMatches(wildcard.pattern, host))?.entry;
    }
    if (!entry) {
      for (const candidate of map.regexes) {
        if (!candidate.regex) return unknown(`a regex of the map for $${name} is beyond what nginx-ws reads`);
        if (candidate.regex.test(input)) {
          entry = candidate.entry;
          break;
        }
      }
    }
    if (!entry && map.unreadInclude) return unknown(`the map for $${name} includes entries nginx-ws does not read`);
    entry ??= map.defaultEntry;
    // The map's header line, not its whole block: a related location should be one line to read.
    const head: ChainLink = new DirectiveLink(map.node.file, map.node.directive, `map ${map.source} $${name}`, true);
    if (!entry) return known('', [head, ...inputChain]);
    const chosen = entry.argValue(0) ?? '';
    const link = linkOfDirective(file, entry, `"${input}" matches "${entry.name}" → ${entry.args[0]?.raw ?? '""'}`);
    const value = this.complex(chosen);
    const chain = [head, link, ...value.chain];
    return value.known ? known(value.value, chain) : unknown(value.reason, chain);
  }

  /**
   * A `set` variable, run as nginx's rewrite module runs it: the server's `set` and `if` lines
   * first (server rewrite phase), then the location's own (a nested location does not run its
   * enclosing location's), each in order; a `set` inside an `if` counts when the condition is
   * decidable for the request and true. A `rewrite` or `break` among them, a condition that cannot
   * be decided, or no `set` on this path: unknown.
   */
  private setValue(name: string, definitions: readonly { readonly node: ConfigNode }[]): Evaluated {
    setVariablesRead++;
    const levels = [this.location.server, this.location.kind === 'location' ? this.location.node : undefined];
    let chosen: ConfigNode | undefined;
    const chain: ChainLink[] = [];
    for (const level of levels) {
      if (!level) continue;
      const here = definitions
        .map((definition) => definition.node)
        .filter(
          (node) => node.parent === level || (node.parent?.directive.name === 'if' && node.parent.parent === level),
        );
      if (!here.length) continue;
      if (level.children.some((child) => child.directive.name === 'rewrite' || child.directive.name === 'break'))
        return unknown(`$${name} is set next to rewrite or break, whose flow nginx-ws does not follow`);
      for (const node of here) {
        if (node.parent === level) {
          chosen = node;
          continue;
        }
        const condition = node.parent as ConfigNode;
        const holds = this.condition(condition);
        if (holds === undefined) return unknown(`$${name} is set under a condition nginx-ws cannot decide`);
        if (holds) {
          chosen = node;
          chain.push(linkOf(condition, `true for ${this.request.label}`));
        }
      }
    }
    if (!chosen) return unknown(`$${name} is set in another block`);
    if (this.depth > 16) return unknown(`$${name} refers to itself`);
    this.setsRead++;
    this.depth++;
    try {
      const value = this.complex(chosen.directive.argValue(1) ?? '');
      const all = [...chain, linkOf(chosen, `set $${name}`), ...value.chain];
      return value.known ? known(value.value, all) : unknown(value.reason, all);
    } finally {
      this.depth--;
    }
  }

  /**
   * Whether everything evaluated so far comes out the same for `other`: it agrees on every header
   * and the host read, and no condition (whose link names the request) was decided.
   */
  sameFor(other: SimulatedRequest): boolean {
    if (this.conditionRead || (this.hostRead && other.host !== this.request.host)) return false;
    for (const name of this.headersRead)
      if ((other.headers.get(name) ?? '') !== (this.request.headers.get(name) ?? '')) return false;
    return true;
  }

  /** An `if` condition for this request: `($var)`, `= != ~ ~* !~ !~*`; file tests and the rest are undecidable. */
  condition(node: ConfigNode): boolean | undefined {
    this.conditionRead = true;
    const tokens = ifTokens(node.directive);
    const left = tokens[0];
    if (!left || !/^\$\{?[A-Za-z0-9_]+\}?$/.test(left)) return undefined;
    const value = this.complex(left);
    if (!value.known) return undefined;
    if (tokens.length === 1) return value.value !== '' && value.value !== '0';
    const [, operator, operand] = tokens;
    if (tokens.length !== 3 || operator === undefined || operand === undefined) return undefined;
    if (operator === '=' || operator === '!=') {
      const right = this.complex(operand);
      if (!right.known) return undefined;
      return (value.value === right.value) === (operator === '=');
    }
    const negated = operator.startsWith('!');
    const kind = negated ? operator.slice(1) : operator;
    if (kind !== '~' && kind !== '~*') return undefined;
    const regex = cachedRegex(operand, kind === '~*');
    if (!regex) return undefined;
    return regex.test(value.value) !== negated;
  }
}

/** The words of an `if (...)` condition without its parentheses, however they were spaced. */
export function ifTokens(directive: Directive): string[] {
  const words: { value: string; quoted: boolean }[] = directive.args.map((arg) => ({
    value: arg.value,
    quoted: arg.quote !== null,
  }));
  const first = words[0];
  const last = words[words.length - 1];
  if (first && !first.quoted) first.value = first.value.replace(/^\(\s*/, '');
  if (last && !last.quoted) last.value = last.value.replace(/\s*\)$/, '');
  // A quoted "" is an operand (`$x = ""`); an unquoted word left empty was only a parenthesis.
  return words.filter((word) => word.quoted || word.value !== '').map((word) => word.value);
}

const regexCache = new Map<string, RegExp | undefined>();

function cachedRegex(pattern: string, caseless: boolean): RegExp | undefined {
  const key = `${caseless ? 'i' : 's'}${pattern}`;
  if (!regexCache.has(key)) regexCache.set(key, compileRegex(pattern, caseless));
  return regexCache.get(key);
}

function lastLine(lines: readonly HeaderLine[], key: string): HeaderLine | undefined {
  let found: HeaderLine | undefined;
  // nginx sends every line of a repeated name; the last one is the one a reader looks at.
  for (const line of lines) if (line.key === key) found = line;
  return found;
}

/** Evaluates one header of the location for one request, following nginx's defaults. */
function sentHeader(
  evaluator: Evaluator,
  location: LocationModel,
  key: 'upgrade' | 'connection',
  nginxVersion: NginxVersion | undefined,
): SentHeader {
  const line = lastLine(location.headers.lines, key);
  const dropped = line ? undefined : location.headers.dropped.find((candidate) => candidate.key === key);
  if (!line) {
    // nginx's own request headers to the upstream: `Upgrade ""` and `Connection close` (before
    // 1.29.7) or `""` (since): hop-by-hop headers are not forwarded (ngx_http_proxy_headers[]).
    const value = key === 'connection' && !defaultsToHttp11(nginxVersion) ? 'close' : '';
    const chain = dropped ? [linkOf(dropped, `dropped: ${dropped.name}`)] : [];
    return { result: known(value, chain), line: undefined, dropped };
  }
  const lineLink = linkOf(line, `proxy_set_header ${line.name}`);
  const value = evaluator.complex(line.valueText ?? '');
  return {
    result: value.known
      ? known(value.value, [lineLink, ...value.chain])
      : unknown(value.reason, [lineLink, ...value.chain]),
    line,
    dropped: undefined,
  };
}

/** What the upstream receives from `location` for `request`. */
export function evaluateLocation(
  model: ConfigModel,
  location: LocationModel,
  request: SimulatedRequest,
  nginxVersion: NginxVersion | undefined,
): UpstreamRequest {
  return evaluateWith(new Evaluator(model, location, request), location, request, nginxVersion);
}

/**
 * evaluateLocation for each of `requests` (default: the browsers' handshakes). A request that
 * agrees with the first on all the evaluation read (most configs read $http_upgrade, which both
 * browsers send alike, and never $http_connection) shares its result instead of repeating it.
 */
export function evaluateRequests(
  model: ConfigModel,
  location: LocationModel,
  nginxVersion: NginxVersion | undefined,
  requests: readonly SimulatedRequest[] = HANDSHAKES,
): UpstreamRequest[] {
  const [first, ...others] = requests;
  if (!first) return [];
  const evaluator = new Evaluator(model, location, first);
  const sent = evaluateWith(evaluator, location, first, nginxVersion);
  const results = [sent];
  for (const request of others)
    results.push(
      evaluator.sameFor(request) ? { ...sent, request } : evaluateLocation(model, location, request, nginxVersion),
    );
  return results;
}

function evaluateWith(
  evaluator: Evaluator,
  location: LocationModel,
  request: SimulatedRequest,
  nginxVersion: NginxVersion | undefined,
): UpstreamRequest {
  const setting = location.proxyHttpVersion;
  return {
    request,
    httpVersion: setting ? setting.value : defaultsToHttp11(nginxVersion) ? '1.1' : '1.0',
    httpVersionChain: setting ? [linkOf(setting, `proxy_http_version ${setting.value}`)] : [],
    upgrade: sentHeader(evaluator, location, 'upgrade', nginxVersion),
    connection: sentHeader(evaluator, location, 'connection', nginxVersion),
  };
}

/** A complex value evaluated for a location and request (tests, evidence). */
export function evaluateValue(
  model: ConfigModel,
  location: LocationModel,
  request: SimulatedRequest,
  text: string,
): Evaluated {
  return new Evaluator(model, location, request).complex(text);
}

/** Whether the upstream gets a working handshake: HTTP/1.1, `Upgrade: websocket`, an `upgrade` Connection token. */
export function handshakeWorks(sent: UpstreamRequest): boolean | undefined {
  if (sent.httpVersion !== '1.1') return false;
  const upgrade = sent.upgrade.result;
  const connection = sent.connection.result;
  if (upgrade.known && upgrade.value.toLowerCase() !== 'websocket') return false;
  if (connection.known && !hasUpgradeToken(connection.value)) return false;
  if (!upgrade.known || !connection.known) return undefined;
  return true;
}
