import type { Range } from '../parser/ast';
import { comparePositions } from '../parser/text';
import type { SeverityName } from '../config/settings';
import { headersMentionUpgrade, ownsProxyPass, type HeaderLine, type LocationModel } from '../model/effective';
import type { FileAnalysis } from '../model/workspace';
import { evaluateRequests, setVariablesReadSoFar } from '../eval/evaluate';
import {
  assessEvidence,
  evidenceInputsKey,
  isComplete,
  severityFor,
  type Evidence,
  type EvidenceOptions,
} from './evidence';
import { effectiveHeader } from './headers';
import { RULES } from './registry';
import type { Finding, Rule, RuleContext, RuleFinding, Severity } from './types';
import type { NginxVersion } from './version';

export interface CheckOptions {
  readonly nginxVersion: NginxVersion | undefined;
  readonly webSocketPaths: readonly string[];
  /** See EvidenceOptions.declared. */
  readonly declared?: EvidenceOptions['declared'];
  readonly severity: Readonly<Record<string, SeverityName>>;
  /** Only these rules (tests); default all. */
  readonly rules?: readonly Rule[];
  /** false: judge every location on its own, reusing no verdict (tests compare the two). */
  readonly reuseVerdicts?: boolean;
  /** Only the locations this accepts (the ones an edit can have changed); default all. */
  readonly only?: (location: LocationModel) => boolean;
}

export interface LocationAssessment {
  readonly location: LocationModel;
  readonly evidence: Evidence;
}

/**
 * Includes that by convention hold TLS, MIME or FastCGI settings, never proxy headers: not being
 * able to read them leaves the proxy picture certain. (Certbot's options-ssl-nginx.conf, ...)
 */
const NOT_PROXY_RELATED =
  /(^|[/_.-])(ssl|tls|options-ssl-nginx\.conf|letsencrypt|certbot|mime\.types|fastcgi|fastcgi_params|uwsgi_params|scgi_params|dhparams?)([/_.-]|$)/i;

export function mayAffectProxying(includePattern: string): boolean {
  return !NOT_PROXY_RELATED.test(includePattern);
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, information: 2, hint: 3 };

function weaker(a: Severity, b: Severity): Severity {
  return SEVERITY_RANK[a] >= SEVERITY_RANK[b] ? a : b;
}

/** `location /ws` without its block: where a finding about the whole location is shown. */
export function locationHeaderRange(location: LocationModel): Range {
  const directive = location.node.directive;
  if (!directive.block) return directive.range;
  const last = directive.args[directive.args.length - 1] ?? directive.nameWord;
  return { start: directive.nameWord.range.start, end: last.range.end };
}

/** Locations whose own configuration proxies: an `if` that only inherits proxy_pass is its location's business. */
export function proxiedLocations(analysis: FileAnalysis): LocationModel[] {
  return analysis.locations.filter((location) => {
    if (!location.proxyPass) return false;
    if (location.kind === 'location') return true;
    return ownsProxyPass(location);
  });
}

/** Comments `# nginx-ws-disable-next-line [code ...]`, by the line they silence. */
export function suppressions(analysis: FileAnalysis): Map<number, Set<string> | 'all'> {
  const result = new Map<number, Set<string> | 'all'>();
  for (const comment of analysis.parsed.comments) {
    const match = /^\s*nginx-ws-disable-next-line\b(.*)$/.exec(comment.text);
    if (!match) continue;
    const codes = (match[1] ?? '').split(/[\s,]+/).filter(Boolean);
    result.set(comment.range.start.line + 1, codes.length ? new Set(codes) : 'all');
  }
  return result;
}

export function isSuppressed(table: Map<number, Set<string> | 'all'>, lines: readonly number[], code: string): boolean {
  return lines.some((line) => {
    const entry = table.get(line);
    return entry === 'all' || (entry !== undefined && entry.has(code));
  });
}

export function assessLocations(
  analysis: FileAnalysis,
  options: Pick<CheckOptions, 'webSocketPaths' | 'declared'>,
): LocationAssessment[] {
  return proxiedLocations(analysis).map((location) => ({
    location,
    evidence: assessEvidence(analysis, analysis.model, location, options),
  }));
}

const headerKey = (line: HeaderLine | undefined): string =>
  line ? (line.valueText === undefined ? 'no value' : `=${line.valueText}`) : '-';

/**
 * Everything the evidence, the evaluation and the rules read of a location that names Upgrade or
 * Connection, as a key: within one analysis, two locations with the same key get the same verdict
 * (as long as the evaluation reads no `set`, which checkFile watches). Undefined for a location
 * that is not worth it (no such line: its evidence is already cheap) or that reads more than
 * values (an include that could not be read, an annotation).
 */
function verdictKey(analysis: FileAnalysis, location: LocationModel, options: CheckOptions): string | undefined {
  if (location.unresolvedIncludes.length || !headersMentionUpgrade(location.headers)) return undefined;
  const inputs = evidenceInputsKey(analysis, location, options);
  if (inputs === undefined) return undefined;
  let key = `${location.kind}\u0000${inputs}\u0000${location.proxyHttpVersion?.value ?? '-'}\u0000${location.proxyReadTimeout?.value ?? '-'}`;
  key += `\u0000${headerKey(effectiveHeader(location, 'upgrade'))}\u0000${headerKey(effectiveHeader(location, 'connection'))}`;
  for (const line of location.headers.dropped)
    if (line.key === 'upgrade' || line.key === 'connection') key += `\u0000dropped ${line.key}${headerKey(line)}`;
  return key;
}

/** Runs every rule on every proxied location written in the analysed file. */
export function checkFile(analysis: FileAnalysis, options: CheckOptions): Finding[] {
  const findings: Finding[] = [];
  const silenced = suppressions(analysis);
  const rules = options.rules ?? RULES;
  const complete = isComplete(analysis);
  // Keys of locations found to have nothing to report: a config of thousands of servers repeats a
  // few shapes of WebSocket location, and a correct one need not be evaluated again. Only "nothing"
  // is remembered, since a finding names its own lines.
  const quiet = new Set<string>();
  const only = options.only;
  for (const location of proxiedLocations(analysis)) {
    if (only && !only(location)) continue;
    const key = options.reuseVerdicts === false ? undefined : verdictKey(analysis, location, options);
    if (key !== undefined && quiet.has(key)) continue;
    const setsBefore = setVariablesReadSoFar();
    const reported = checkLocation(analysis, location, options, rules, complete, silenced, findings);
    if (key !== undefined && reported === 0 && setVariablesReadSoFar() === setsBefore) quiet.add(key);
  }
  return findings;
}

/** The rules on one location, their findings pushed to `findings`; returns how many the rules reported, before suppressions and overrides. */
function checkLocation(
  analysis: FileAnalysis,
  location: LocationModel,
  options: CheckOptions,
  rules: readonly Rule[],
  complete: boolean,
  silenced: Map<number, Set<string> | 'all'>,
  findings: Finding[],
): number {
  let count = 0;
  const evidence = assessEvidence(analysis, analysis.model, location, options);
  const evidenceSeverity = severityFor(evidence.strength, complete);
  if (!evidenceSeverity) return 0;
  // Evaluated only here, for the few locations with evidence: a big config has thousands of plain ones.
  const handshakes = evaluateRequests(analysis.model, location, options.nginxVersion);
  const unknownIncludes = location.unresolvedIncludes.filter((node) =>
    mayAffectProxying(node.directive.args[0]?.value ?? ''),
  );
  const uncertain = unknownIncludes.length > 0;
  // Made only when a rule reports: most locations with evidence are correct.
  let headerRange: Range | undefined;
  const header = (): Range => (headerRange ??= locationHeaderRange(location));
  const first = handshakes[0];
  // One context for all the rules: an object per rule per location was garbage by the ten thousand.
  const context: RuleContext = {
    analysis,
    model: analysis.model,
    location,
    evidence,
    nginxVersion: options.nginxVersion,
    severity: evidenceSeverity,
    upgrade: first ? first.upgrade.line : effectiveHeader(location, 'upgrade'),
    connection: first ? first.connection.line : effectiveHeader(location, 'connection'),
    handshakes,
    complete,
  };
  for (const rule of rules) {
    const reported = rule.check(context);
    if (!reported) continue;
    for (const found of Array.isArray(reported) ? reported : [reported as RuleFinding]) {
      count++;
      let severity: Severity = found.severity ?? weaker(evidenceSeverity, rule.defaultSeverity);
      const tentative = evidence.strength === 'hinted' || evidence.strength === 'devserver';
      const text = tentative
        ? found.message.replace(
            /^WebSocket upgrade will fail here: /,
            'If WebSocket traffic goes through here, its upgrade will fail: ',
          )
        : found.message;
      let message = `${text} (WebSocket location: ${evidence.reason}.)`;
      if (uncertain) {
        severity = weaker(severity, 'information');
        const files = unknownIncludes.map((node) => node.directive.args[0]?.value ?? '').join('", "');
        message += ` Not certain: "${files}" could not be read and may set this.`;
      }
      const override = options.severity[rule.code];
      if (override === 'off') continue;
      if (override) severity = override;
      // Shown on the line at fault when it is inside this location; a line it inherits (from its
      // server, or another file) is shown on the location, pointing there, so that two locations
      // inheriting one bad line each get their own diagnostic instead of two on the same line.
      const inLocation =
        found.at !== undefined &&
        found.at.file === location.node.file &&
        found.at.range.start.line >= location.node.directive.range.start.line &&
        found.at.range.end.line <= location.node.directive.range.end.line;
      const range = inLocation && found.at ? found.at.range : header();
      if (isSuppressed(silenced, [range.start.line, header().start.line], rule.code)) continue;
      const related = [...(found.related ?? [])];
      const at = found.at;
      if (
        at &&
        !inLocation &&
        !related.some((entry) => entry.file === at.file && comparePositions(entry.range.start, at.range.start) === 0)
      ) {
        related.unshift({
          file: at.file,
          range: at.range,
          message:
            at.file === location.node.file
              ? 'the line at fault, inherited by this location'
              : 'the line at fault, in another file',
        });
      }
      findings.push({
        code: rule.code,
        severity,
        message,
        file: location.node.file,
        range,
        related,
        location,
        data: found.data,
      });
    }
  }
  return count;
}
