/**
 * General diagnostics: what `nginx -t` rejects, found while typing, for any nginx file and not
 * only WebSocket locations. From nginx's documentation (core/directives) and, for duplicates, a
 * table measured on a real nginx (duplicates.generated.ts):
 *
 * - `nginx-unknown-directive`: a name nginx does not know. A near miss of a directive valid there
 *   (`proxy_pas`) is an error with a "Change to proxy_pass" fix; any other unknown name may be a
 *   third-party module's, so it is information only (thirdParty.ts and `nginxWs.extraDirectives`
 *   silence known ones);
 * - `nginx-context`: "\"listen\" directive is not allowed here";
 * - `nginx-args`: "invalid number of arguments in \"proxy_http_version\" directive", and a block
 *   directive written without its block or a simple one with a block;
 * - `nginx-duplicate`: "\"proxy_http_version\" directive is duplicate";
 * - `nginx-proxy-pass-uri`: a URI part in `proxy_pass` where nginx refuses it;
 * - `nginx-version`: a value the configured nginx is too old for (`proxy_http_version 2`).
 *
 * Not looked into: table blocks (`map`, `types`, …), raw bodies (`*_by_lua_block`), and blocks of
 * directives nginx does not know (a third-party `rtmp { … }`): their contents are not directives
 * nginx's documentation describes.
 */
import type { SeverityName } from '../config/settings';
import { directiveReference, type DirectiveContext, type DirectiveInfo } from '../directives/reference';
import { enterBlock, PASSES, topLevelContexts } from '../features/cursor';
import type { FileAnalysis } from '../model/workspace';
import type { Directive, Range } from '../parser/ast';
import type { ParsedFileImpl, SyntaxTable } from '../parser/records';
import { isSuppressed, suppressions } from '../rules/check';
import { isComplete } from '../rules/evidence';
import type { Diagnosis, Severity } from '../rules/types';
import { compareVersions, formatVersion, parseNginxVersion, type NginxVersion } from '../rules/version';
import { DUPLICATE_REFUSED, FEWER_ARGUMENTS_ACCEPTED, MORE_ARGUMENTS_ACCEPTED } from './measured.generated';
import { isThirdParty } from './thirdParty';

export const GENERAL_CODES = [
  'nginx-unknown-directive',
  'nginx-context',
  'nginx-args',
  'nginx-duplicate',
  'nginx-proxy-pass-uri',
  'nginx-version',
] as const;

export interface GeneralOptions {
  readonly nginxVersion: NginxVersion | undefined;
  /** Directive names of modules the reference does not know (`nginxWs.extraDirectives`). */
  readonly extraDirectives: readonly string[];
  readonly severity: Readonly<Record<string, SeverityName>>;
}

const MAIN_BLOCKS: ReadonlySet<string> = new Set(['events', 'http', 'stream', 'mail']);

const NO_CONTEXTS: readonly DirectiveContext[] = Object.freeze([]);

/** Every context a file of unknown place may be read in: its top-level lines are not judged. */
const ANYWHERE: readonly DirectiveContext[] = ['main', 'http', 'server', 'location'];

/** Edit distance with transpositions (optimal string alignment), stopping early above `limit`. */
export function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const rows = a.length + 1;
  const cols = b.length + 1;
  let previous2 = new Array<number>(cols).fill(0);
  let previous = Array.from({ length: cols }, (_, j) => j);
  for (let i = 1; i < rows; i++) {
    const current = new Array<number>(cols);
    current[0] = i;
    let best = i;
    for (let j = 1; j < cols; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let value = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, (previous2[j - 2] as number) + 1);
      current[j] = value;
      if (value < best) best = value;
    }
    if (best > limit) return limit + 1;
    previous2 = previous;
    previous = current;
  }
  return previous[cols - 1] as number;
}

/** How far a name may be from a directive to count as its misspelling. */
function allowedDistance(name: string): number {
  return name.length <= 3 ? 0 : name.length <= 6 ? 1 : 2;
}

/** Known directives a misspelt `name` may have meant, valid in one of `contexts`, nearest first. */
export function nearMisses(name: string, contexts: readonly DirectiveContext[]): string[] {
  const limit = allowedDistance(name);
  if (limit === 0) return [];
  const reference = directiveReference();
  const found: { name: string; distance: number }[] = [];
  for (const candidate of reference.names()) {
    const distance = editDistance(name, candidate, limit);
    if (distance > limit) continue;
    const fits =
      contexts.length === 0 ||
      reference.directives(candidate).some((info) => info.contexts.some((c) => c === 'any' || contexts.includes(c)));
    if (fits) found.push({ name: candidate, distance });
  }
  found.sort((x, y) => x.distance - y.distance || (x.name < y.name ? -1 : 1));
  const nearest = found[0]?.distance;
  return found.filter((entry) => entry.distance === nearest).map((entry) => entry.name);
}

/** Per directive entry: its dated values (from the index, see DirectiveIndex.dated), parsed once. */
const datedByInfo = new WeakMap<DirectiveInfo, ReadonlyMap<string, NginxVersion>>();

function datedValues(info: DirectiveInfo): ReadonlyMap<string, NginxVersion> {
  let dated = datedByInfo.get(info);
  if (!dated) {
    const found = new Map<string, NginxVersion>();
    for (const [value, since] of Object.entries(info.datedValues)) {
      const version = parseNginxVersion(since);
      if (version) found.set(value, version);
    }
    datedByInfo.set(info, (dated = found));
  }
  return dated;
}

/** The URI part of a static `proxy_pass` URL (after host[:port]), or undefined when there is none. */
export function uriPart(url: string): string | undefined {
  if (url.includes('$')) return undefined; // with variables nginx builds the URL per request
  const scheme = /^[a-z]+:\/\//i.exec(url);
  if (!scheme) return undefined;
  let rest = url.slice(scheme[0].length);
  if (rest.startsWith('unix:')) {
    const colon = rest.indexOf(':', 5);
    return colon >= 0 && colon + 1 < rest.length ? rest.slice(colon + 1) : undefined;
  }
  const slash = rest.indexOf('/');
  if (slash < 0) return undefined;
  rest = rest.slice(slash);
  return rest;
}

interface Walk {
  readonly analysis: FileAnalysis;
  readonly parsed: ParsedFileImpl;
  readonly syntax: SyntaxTable;
  readonly options: GeneralOptions;
  readonly extra: ReadonlySet<string>;
  readonly complete: boolean;
  /** `# nginx-ws-disable-next-line CODE` comments, by the line they silence. */
  readonly silenced: ReturnType<typeof suppressions>;
  readonly out: Diagnosis[];
}

function report(
  walk: Walk,
  code: string,
  severity: Severity,
  message: string,
  range: Range,
  data: Diagnosis['data'],
): void {
  const override = walk.options.severity[code];
  if (override === 'off' || isSuppressed(walk.silenced, [range.start.line], code)) return;
  walk.out.push({
    code,
    severity: override ?? severity,
    message,
    file: walk.analysis.parsed.file,
    range,
    related: [],
    data,
  });
}

/** What the enclosing location is, for `proxy_pass` URIs: regex, named, `if` or `limit_except`. */
type Enclosure = 'plain' | 'regex' | 'named' | 'if' | 'limit_except';

function locationKind(first: string): Enclosure {
  if (first.charCodeAt(0) === 126 /* ~ */) return 'regex';
  if (first.charCodeAt(0) === 64 /* @ */) return 'named';
  return 'plain';
}

/** Whether a documented entry may stand in one of `contexts`. */
function fits(entry: DirectiveInfo, contexts: readonly DirectiveContext[]): boolean {
  for (const context of entry.contexts) if (context === 'any' || contexts.includes(context)) return true;
  return false;
}

/** Names nginx could take as a directive of the reference: not a variable, a quoted string, … */
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** What a directive name means in one context, worked out once per process, not per directive. */
interface Plan {
  /** skip: not a name nginx reads as a directive; unknown: not in the reference; context: not allowed here. */
  readonly kind: 'skip' | 'unknown' | 'context' | 'ok';
  readonly info: DirectiveInfo | undefined;
  /** A block directive written without its block, or the reverse: nginx's message. */
  readonly shapeMessage: string | undefined;
  /** Argument counts nginx checks (documented, widened where nginx was seen to take more or fewer). */
  readonly min: number;
  readonly max: number;
  readonly duplicateRefused: boolean;
  readonly passes: boolean;
  readonly dated: ReadonlyMap<string, NginxVersion> | undefined;
  /** Contexts inside its block; empty: not looked into. */
  readonly inner: readonly DirectiveContext[];
}

const SKIP: Plan = {
  kind: 'skip',
  info: undefined,
  shapeMessage: undefined,
  min: 0,
  max: Infinity,
  duplicateRefused: false,
  passes: false,
  dated: undefined,
  inner: NO_CONTEXTS,
};

/** Plans by contexts (shared arrays), then by judged/block, then by name. */
const plans = new WeakMap<readonly DirectiveContext[], Map<string, Plan>[]>();

function planFor(name: string, contexts: readonly DirectiveContext[], judged: boolean, hasBlock: boolean): Plan {
  let byShape = plans.get(contexts);
  if (!byShape) plans.set(contexts, (byShape = [new Map(), new Map(), new Map(), new Map()]));
  const table = byShape[(judged ? 2 : 0) + (hasBlock ? 1 : 0)] as Map<string, Plan>;
  let plan = table.get(name);
  if (!plan) table.set(name, (plan = makePlan(name, contexts, judged, hasBlock)));
  return plan;
}

function makePlan(name: string, contexts: readonly DirectiveContext[], judged: boolean, hasBlock: boolean): Plan {
  if (!name || !NAME.test(name)) return SKIP;
  const entries = directiveReference().directives(name);
  if (entries.length === 0) return { ...SKIP, kind: 'unknown' };
  let info: DirectiveInfo | undefined;
  let fallback: DirectiveInfo | undefined;
  for (const entry of entries) {
    if (!fits(entry, contexts)) continue;
    // Where the place is a guess, an entry of the same shape is the one meant (`server …;` of an upstream excerpt).
    if (judged || entry.isBlock === hasBlock) {
      info = entry;
      break;
    }
    fallback ??= entry;
  }
  if (!judged) info ??= entries.find((entry) => entry.isBlock === hasBlock) ?? fallback ?? entries[0];
  if (!info) return { ...SKIP, kind: 'context' };
  const shapeMessage =
    info.isBlock && !hasBlock
      ? `directive "${name}" has no opening "{"`
      : !info.isBlock && hasBlock
        ? `directive "${name}" is not terminated by ";"`
        : undefined;
  const dated = datedValues(info);
  return {
    kind: 'ok',
    info,
    shapeMessage,
    // The condition of `if` is one argument however it is spaced.
    min: name === 'if' || FEWER_ARGUMENTS_ACCEPTED.has(name) ? 0 : info.args.min,
    // Where nginx was seen to take more than the documented syntax shows (`stub_status on`).
    max: name === 'if' || MORE_ARGUMENTS_ACCEPTED.has(name) ? Infinity : info.args.max,
    duplicateRefused: judged && !hasBlock && DUPLICATE_REFUSED.has(name),
    passes: PASSES.test(name),
    dated: dated.size ? dated : undefined,
    inner: hasBlock ? enterBlock(name, contexts) : NO_CONTEXTS,
  };
}

/**
 * One block's statements, read from the parse's records (`SyntaxTable`): a 4 MB config has
 * 130,000 directives, and making an object of each would cost more than the rest of the check.
 * A directive's object is made only when something is reported on it.
 */
function walkList(
  walk: Walk,
  parent: number,
  contexts: readonly DirectiveContext[],
  judged: boolean,
  enclosure: Enclosure,
): void {
  const syntax = walk.syntax;
  let seen: Set<string> | undefined;
  for (let index = syntax.firstChild(parent); index >= 0; index = syntax.nextSibling(index)) {
    const name = syntax.name(index);
    const hasBlock = syntax.hasBlock(index);
    const plan = planFor(name, contexts, judged, hasBlock);
    if (plan.kind === 'skip') continue;
    if (plan.kind === 'unknown') {
      unknownDirective(walk, walk.parsed.directiveAt(index), judged ? contexts : NO_CONTEXTS);
      continue; // a block of an unknown directive is not looked into
    }
    if (plan.kind === 'context') {
      const severity = walk.complete ? 'error' : 'warning';
      const range = nameRangeOf(walk, index);
      report(walk, 'nginx-context', severity, `"${name}" directive is not allowed here`, range, { kind: 'none' });
      continue;
    }
    if (plan.shapeMessage) report(walk, 'nginx-args', 'error', plan.shapeMessage, nameRangeOf(walk, index), NONE);
    else checkArguments(walk, index, name, plan);
    if (plan.duplicateRefused) {
      // The second one is reported, as nginx does.
      if (seen?.has(name))
        report(walk, 'nginx-duplicate', 'error', `"${name}" directive is duplicate`, nameRangeOf(walk, index), NONE);
      else (seen ??= new Set()).add(name);
    }
    if (plan.passes && enclosure !== 'plain') {
      const uri = uriPart(syntax.argValue(index, 0) ?? '');
      if (uri !== undefined) {
        const directive = walk.parsed.directiveAt(index);
        report(
          walk,
          'nginx-proxy-pass-uri',
          'error',
          `"${name}" cannot have URI part in location given by regular expression, or inside named location, or inside "if" statement, or inside "limit_except" block`,
          directive.args[0]?.range ?? directive.nameWord.range,
          NONE,
        );
      }
    }
    // Not looked into: a table (map, types, …), a block the documentation does not describe, Lua.
    if (!hasBlock || plan.inner.length === 0 || syntax.rawBodies.has(index)) continue;
    const innerEnclosure: Enclosure =
      name === 'location'
        ? locationKind(syntax.argValue(index, 0) ?? '')
        : name === 'if'
          ? 'if'
          : name === 'limit_except'
            ? 'limit_except'
            : enclosure;
    walkList(walk, index, plan.inner, true, innerEnclosure);
  }
}

const NONE: Diagnosis['data'] = Object.freeze({ kind: 'none' });

function unknownDirective(walk: Walk, directive: Directive, contexts: readonly DirectiveContext[]): void {
  const name = directive.name;
  if (isThirdParty(name, walk.extra)) return;
  const range = directive.nameWord.range;
  const candidates = nearMisses(name, contexts);
  if (candidates.length) {
    const list = candidates.map((c) => `"${c}"`).join(' or ');
    report(walk, 'nginx-unknown-directive', 'error', `unknown directive "${name}": did you mean ${list}?`, range, {
      kind: 'rename',
      range,
      candidates,
    });
    return;
  }
  report(
    walk,
    'nginx-unknown-directive',
    'information',
    `unknown directive "${name}": not in nginx's documentation nor a known third-party module. If a module of yours provides it, add it to nginxWs.extraDirectives.`,
    range,
    { kind: 'none' },
  );
}

function nameRangeOf(walk: Walk, index: number): Range {
  return walk.parsed.directiveAt(index).nameWord.range;
}

function checkArguments(walk: Walk, index: number, name: string, plan: Plan): void {
  const syntax = walk.syntax;
  const count = syntax.argCount(index);
  if (count < plan.min || count > plan.max) {
    const extra = count > plan.max ? walk.parsed.directiveAt(index).args.slice(plan.max) : [];
    const first = extra[0];
    const last = extra[extra.length - 1];
    const range = first && last ? { start: first.range.start, end: last.range.end } : nameRangeOf(walk, index);
    report(walk, 'nginx-args', 'error', `invalid number of arguments in "${name}" directive`, range, NONE);
    return;
  }
  const version = walk.options.nginxVersion;
  const dated = plan.dated;
  if (!version || !dated) return;
  for (let i = 0; i < count; i++) {
    const value = syntax.argValue(index, i) as string;
    const since = dated.get(value);
    if (since && compareVersions(version, since) < 0) {
      report(
        walk,
        'nginx-version',
        'warning',
        `"${value}" in "${name}" needs nginx ${formatVersion(since)}; the configured nginx is ${formatVersion(version)}, which refuses it`,
        (walk.parsed.directiveAt(index).args[i] as { range: Range }).range,
        NONE,
      );
    }
  }
}

/** The general diagnostics of the analysed file, in the context nginx reads it in. */
export function generalFindings(analysis: FileAnalysis, options: GeneralOptions): Diagnosis[] {
  const tree = analysis.tree;
  // A file no main config includes, whose place was guessed from its content: its top level is not
  // judged. Certain: a file read from a main config, an annotated one, or a main config itself
  // (named nginx.conf, or holding the events/http/stream/mail blocks only a main config has).
  const guessed =
    analysis.file === tree.rootFile &&
    tree.rootContextSource !== 'annotation' &&
    !/(^|[\\/])nginx\.conf$/.test(analysis.file) &&
    !analysis.parsed.directives.some((d) => MAIN_BLOCKS.has(d.name) && d.block);
  const topLevel = guessed ? ANYWHERE : topLevelContexts(analysis.context);
  const parsed = analysis.parsed as ParsedFileImpl;
  const walk: Walk = {
    analysis,
    parsed,
    syntax: parsed.syntax,
    options,
    extra: new Set(options.extraDirectives),
    complete: isComplete(analysis),
    silenced: suppressions(analysis),
    out: [],
  };
  const judged = !guessed && topLevel.length > 0;
  walkList(walk, -1, topLevel.length ? topLevel : ANYWHERE, judged, 'plain');
  return walk.out;
}
