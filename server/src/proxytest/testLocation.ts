/**
 * "Test WebSocket proxy" for one location of the user's config: find it, build the test config,
 * run nginx and the handshake, and explain the result with the same rules the editor shows.
 * Shared by the VS Code command and the CLI; imports no `vscode`.
 */
import type { LocationModel } from '../core/model/effective';
import type { ConfigFileSystem } from '../core/model/fileSystem';
import {
  analyzeFile,
  onAnalysedFile,
  type FileAnalysis,
  type PathOf,
  type WorkspaceOptions,
} from '../core/model/workspace';
import { checkFile, locationHeaderRange, proxiedLocations } from '../core/rules/check';
import type { Finding } from '../core/rules/types';
import { formatVersion, parseNginxVersion } from '../core/rules/version';
import type { SeverityName } from '../core/config/settings';
import type { Placeholder } from './placeholders';
import { buildTestConfig, type OmittedDirective, type SourceLine, type TestConfig } from './buildConfig';
import type { ProxyTestOutcome } from './outcome';
import { runProxyTest, type ProxyTestEvent } from './run';

export interface LocationChoice {
  readonly location: LocationModel;
  /** `location /ws`, as written. */
  readonly label: string;
  readonly file: string;
  /** 0-based line of the location header. */
  readonly line: number;
}

/** The locations of a file that a test can run on: those that proxy. */
export function testableLocations(analysis: FileAnalysis): LocationChoice[] {
  return proxiedLocations(analysis)
    .filter((location) => location.kind === 'location')
    .map((location) => ({
      location,
      label: location.node.directive.block
        ? [location.node.directive.name, ...location.node.directive.args.map((arg) => arg.raw)].join(' ')
        : `proxy_pass ${location.proxyPass?.value ?? ''}`,
      file: location.node.file,
      line: locationHeaderRange(location).start.line,
    }));
}

/** The innermost testable location whose block holds `line`. */
export function locationAtLine(choices: readonly LocationChoice[], line: number): LocationChoice | undefined {
  let found: LocationChoice | undefined;
  for (const choice of choices) {
    const range = choice.location.node.directive.range;
    if (range.start.line <= line && line <= range.end.line) {
      if (!found || range.start.line >= found.location.node.directive.range.start.line) found = choice;
    }
  }
  return found;
}

/** A location by what the user typed: `/ws`, `~ ^/socket`, `location /ws`, or `@proxy`. */
export function locationByPath(choices: readonly LocationChoice[], wanted: string): LocationChoice | undefined {
  const normalized = wanted.trim().replace(/^location\s+/, '');
  return (
    choices.find((choice) => choice.label.replace(/^location\s+/, '') === normalized) ??
    choices.find((choice) => choice.location.path === normalized)
  );
}

export interface LocationTestRequest {
  readonly choice: LocationChoice;
  readonly analysis: FileAnalysis;
  readonly nginxPath: string;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly requestPath?: string;
  readonly webSocketPaths: readonly string[];
  readonly severity: Readonly<Record<string, SeverityName>>;
  readonly onProgress?: (event: ProxyTestEvent) => void;
  /** Values for `${VAR}` template placeholders; the process environment is read after them. */
  readonly templateValues?: Readonly<Record<string, string>>;
}

export interface MappedNginxError {
  readonly message: string;
  /** Where in the user's files, when the line came from them. */
  readonly source: SourceLine | undefined;
}

export interface LocationTestReport {
  readonly outcome: ProxyTestOutcome;
  readonly location: { readonly label: string; readonly file: string; readonly line: number };
  readonly requestPath: string | undefined;
  /** The rules' findings for this location, for the nginx that ran the test. */
  readonly findings: readonly Finding[];
  readonly omitted: readonly OmittedDirective[];
  readonly rewrites: readonly string[];
  readonly placeholders: readonly Placeholder[];
  /** `file:line: include PATTERN — why`, for each include the analysis could not follow. */
  readonly unresolvedIncludes: readonly string[];
  readonly nginxErrors: readonly MappedNginxError[];
  /** One line for a notification. */
  readonly summary: string;
  /** The full story, line by line, for the output channel and the CLI. */
  readonly details: readonly string[];
}

export async function testLocation(request: LocationTestRequest): Promise<LocationTestReport> {
  const { choice, analysis } = request;
  let built: TestConfig | undefined;
  const outcome = await runProxyTest({
    nginxPath: request.nginxPath,
    timeoutMs: request.timeoutMs,
    signal: request.signal,
    onProgress: request.onProgress,
    buildConfig: (context) => {
      built = buildTestConfig(analysis, choice.location, {
        listenPort: context.listenPort,
        backendPort: context.backendPort,
        isolation: context.isolation,
        requestPath: request.requestPath,
        templateValues: request.templateValues,
        environment: process.env,
      });
      return { text: built.text, requestPath: built.requestPath, sourceMap: built.sourceMap };
    },
  });
  const ranVersion = outcome.nginxVersion ? parseNginxVersion(outcome.nginxVersion) : undefined;
  const findings = checkFile(analysis, {
    nginxVersion: ranVersion,
    webSocketPaths: request.webSocketPaths,
    // Asking to test a location says it carries a WebSocket (issue #11): its findings, at least
    // warnings, explain a failing handshake even where the location itself shows no sign of one.
    declared: (location) => (location === choice.location ? 'it is the location under test' : undefined),
    severity: request.severity,
  }).filter((finding) => finding.location === choice.location);
  const nginxErrors = outcome.nginxErrors.map((error) => ({
    message: error.message,
    source:
      error.line !== undefined && error.file === outcome.configPath ? built?.sourceMap[error.line - 1] : undefined,
  }));
  const report = {
    outcome,
    findings,
    built,
    nginxErrors,
    choice,
    ranVersion: ranVersion ? formatVersion(ranVersion) : undefined,
    includeProblems: analysis.tree.includeProblems,
    onFile: onAnalysedFile(analysis),
  };
  return {
    outcome,
    location: { label: choice.label, file: report.onFile(choice.file), line: choice.line },
    requestPath: built?.requestPath,
    findings,
    omitted: built?.omitted ?? [],
    rewrites: built?.rewrites ?? [],
    placeholders: built?.placeholders ?? [],
    unresolvedIncludes: analysis.tree.includeProblems.map(
      (problem) =>
        `${report.onFile(problem.node.file)}:${problem.node.directive.range.start.line + 1}: include ${problem.node.directive.args[0]?.raw ?? ''} — ${problem.message}`,
    ),
    nginxErrors,
    summary: summarize(report),
    details: describe(report),
  };
}

interface ReportParts {
  readonly outcome: ProxyTestOutcome;
  readonly findings: readonly Finding[];
  readonly built: TestConfig | undefined;
  readonly nginxErrors: readonly MappedNginxError[];
  readonly choice: LocationChoice;
  readonly ranVersion: string | undefined;
  /** Includes the analysis could not follow: the test lacks what they hold. */
  readonly includeProblems?: FileAnalysis['tree']['includeProblems'];
  /** A path as the user has the file (a site tested at sites-available/app, read as sites-enabled/app). */
  readonly onFile: PathOf;
}

/** Milliseconds as people read them. */
function ms(value: number | null | undefined): string {
  return value === null || value === undefined ? '?' : String(Math.round(value));
}

function statusLine(outcome: ProxyTestOutcome): string {
  const handshake = outcome.handshake;
  if (!handshake || handshake.status === null) return 'no HTTP answer';
  return `${handshake.status} ${handshake.statusText ?? ''}`.trim();
}

function where(source: SourceLine | undefined, onFile: PathOf): string {
  return source ? ` (${onFile(source.file)}:${source.line + 1})` : '';
}

export function summarize(parts: ReportParts): string {
  const { outcome, choice } = parts;
  switch (outcome.kind) {
    case 'passed': {
      const roundTrip = outcome.handshake?.echo?.roundTripMs;
      return `${choice.label}: WebSocket works through nginx — 101 Switching Protocols, echo in ${ms(roundTrip)} ms.`;
    }
    case 'failed': {
      const rules = parts.findings
        .filter((finding) => finding.severity !== 'information')
        .map((finding) => finding.code);
      return `${choice.label}: WebSocket fails through nginx — ${statusLine(outcome)}${rules.length ? `; cause: ${rules.join(', ')}` : ''}.`;
    }
    case 'config-error': {
      const first = parts.nginxErrors[0];
      return `${choice.label}: nginx -t rejected the test config: ${first ? first.message + where(first.source, parts.onFile) : (outcome.error?.message ?? 'unknown error')}.`;
    }
    case 'environment-error':
      return `Cannot test ${choice.label}: ${outcome.error?.message ?? 'unknown error'}`;
    case 'timeout':
      return `${choice.label}: no result within the time limit (${outcome.stage}); everything was stopped and removed.`;
    case 'cancelled':
      return `${choice.label}: test cancelled; everything was stopped and removed.`;
  }
}

export function describe(parts: ReportParts): string[] {
  const { outcome, findings, built } = parts;
  const { onFile } = parts;
  const lines: string[] = [];
  lines.push(`Test WebSocket proxy: ${parts.choice.label} (${onFile(parts.choice.file)}:${parts.choice.line + 1})`);
  // What the test could not take from the user's config comes before the verdict it qualifies.
  for (const problem of parts.includeProblems ?? [])
    lines.push(
      `Include not resolved: ${onFile(problem.node.file)}:${problem.node.directive.range.start.line + 1}: include ${problem.node.directive.args[0]?.raw ?? ''} — ${problem.message}`,
    );
  for (const placeholder of built?.placeholders ?? [])
    lines.push(
      placeholder.source === 'unset'
        ? `Template placeholder \${${placeholder.name}} is unset (give it with nginxWs.templateVariables or --env ${placeholder.name}=VALUE): tested with "${placeholder.value}"`
        : `Template placeholder \${${placeholder.name}} = "${placeholder.value}" (${placeholder.source === 'given' ? 'as given' : 'from the environment'})`,
    );
  lines.push(`Result: ${outcome.kind.toUpperCase()} — ${summarize(parts)}`);
  if (outcome.nginxVersion)
    lines.push(`nginx: ${outcome.nginxVersion}${outcome.nginxPath ? ` (${outcome.nginxPath})` : ''}`);
  if (outcome.requestUrl) lines.push(`Request: GET ${outcome.requestUrl} with Upgrade: websocket`);
  const handshake = outcome.handshake;
  if (handshake) {
    lines.push(
      `Client got: ${statusLine(outcome)}${handshake.responseMs !== null ? ` after ${ms(handshake.responseMs)} ms` : ''}`,
    );
    if (handshake.echo)
      lines.push(
        `Echo: sent ${JSON.stringify(handshake.echo.sent)}, received ${JSON.stringify(handshake.echo.received)}${handshake.echo.roundTripMs !== null ? ` in ${ms(handshake.echo.roundTripMs)} ms` : ''}`,
      );
    if (handshake.error) lines.push(`Client error: ${handshake.error.message}`);
  }
  const saw = outcome.backendSaw;
  if (saw) {
    lines.push(
      `Backend saw: ${saw.method} ${saw.url} HTTP/${saw.httpVersion}; Upgrade: ${saw.upgrade ?? '(none)'}; Connection: ${saw.connection ?? '(none)'}; answered ${saw.status}`,
    );
  } else if (outcome.kind === 'failed' || outcome.kind === 'passed') {
    lines.push('Backend saw: nothing — the request never reached it (nginx answered itself, or proxied elsewhere).');
  }
  if (outcome.kind === 'failed') {
    lines.push(...explainFailure(parts));
  }
  for (const error of parts.nginxErrors) lines.push(`nginx: ${error.message}${where(error.source, onFile)}`);
  if (outcome.error && outcome.kind !== 'config-error') lines.push(`Error: ${outcome.error.message}`);
  if (findings.length) {
    lines.push('What the rules say about this location:');
    // file:line makes each one a link in VS Code's output channel, to the diagnostic the editor shows.
    for (const finding of findings) {
      lines.push(
        `  [${finding.code}] ${finding.severity} at ${onFile(finding.file)}:${finding.range.start.line + 1}: ${finding.message}`,
      );
    }
  }
  if (built?.rewrites.length) {
    lines.push('Changed to run here:');
    for (const rewrite of built.rewrites) lines.push(`  ${rewrite}`);
  }
  if (built?.omitted.length) {
    lines.push('Left out of the test (cannot run here):');
    for (const item of built.omitted)
      lines.push(`  ${onFile(item.file)}:${item.line + 1}: ${item.text} — ${item.reason}`);
  }
  const timings = outcome.timings;
  lines.push(
    `Time: ${ms(timings.total)} ms in all${timings.nginxStartup !== null ? `, nginx start-up ${ms(timings.nginxStartup)} ms` : ''}${timings.handshake !== null ? `, handshake ${ms(timings.handshake)} ms` : ''}.`,
  );
  for (const problem of outcome.problems) lines.push(`Note: ${problem}`);
  return lines;
}

function explainFailure(parts: ReportParts): string[] {
  const { outcome, findings } = parts;
  const saw = outcome.backendSaw;
  const lines: string[] = [];
  if (saw) {
    const reasons: string[] = [];
    if (saw.httpVersion === '1.0') reasons.push('nginx spoke HTTP/1.0 to the backend, which cannot upgrade');
    if (!saw.upgrade) reasons.push('the Upgrade header was not passed on');
    if (!saw.connection || !/\bupgrade\b/i.test(saw.connection))
      reasons.push(`Connection was ${saw.connection ? `"${saw.connection}"` : 'missing'}, not "upgrade"`);
    if (reasons.length) lines.push(`Why: ${reasons.join('; ')}.`);
    if (saw.rejection) lines.push(`The backend refused the handshake: ${saw.rejection}.`);
  } else if (outcome.handshake?.status === 404) {
    lines.push(
      `Why: nginx answered 404 for ${parts.built?.requestPath ?? 'the request path'}: the path may not reach this location; give one that does.`,
    );
  }
  if (!findings.length) lines.push('No rule explains this failure; the full nginx and backend view is above.');
  return lines;
}

/** Analyses `file` and picks the location at `line` or with `locationPath`. */
export function chooseLocation(
  file: string,
  fs: ConfigFileSystem,
  options: WorkspaceOptions,
  wanted: { line?: number; locationPath?: string },
): { analysis: FileAnalysis; choices: LocationChoice[]; choice: LocationChoice | undefined } {
  const analysis = analyzeFile(file, fs, options);
  const choices = testableLocations(analysis);
  const choice =
    wanted.locationPath !== undefined
      ? locationByPath(choices, wanted.locationPath)
      : wanted.line !== undefined
        ? locationAtLine(choices, wanted.line)
        : undefined;
  return { analysis, choices, choice };
}
