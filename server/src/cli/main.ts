/**
 * nginx-ws for pipelines: `nginx-ws check FILE...` runs the editor's rules; `nginx-ws test FILE
 * --location PATH` runs the proxied handshake through a real nginx.
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { NodeFileSystem } from '../node/nodeFileSystem';
import { fixesFor } from '../core/fixes/fixes';
import type * as TestLocation from '../proxytest/testLocation';
import { onAnalysedFile, type FileAnalysis } from '../core/model/workspace';
import type { Finding } from '../core/rules/types';
import { parseNginxVersion } from '../core/rules/version';
import { parseAssignment } from '../proxytest/placeholders';
import { runCheck, UsageError } from './check';

/** The package version, set by the bundler (scripts/bundle.mjs). */
const VERSION = process.env.NGINX_WS_VERSION ?? '0.1.0';

const USAGE = `Usage:
  nginx-ws --version | --help
  nginx-ws check FILE|DIR|-... [--format text|json|sarif|github] [--max-warnings N] [--exclude GLOB]...
                 [--base DIR] [--fix] [--nginx-version X.Y.Z] [--main-config FILE] [--extra-directive NAME]...
                 [--ignore-unknown]
  nginx-ws test FILE --location PATH [--request-path /path] [--env NAME=VALUE]... [--nginx PATH]
                [--timeout SECONDS] [--json]

check  reports where a proxied WebSocket will fail (the same rules as the editor).
       A DIR is searched for nginx files (--exclude takes .gitignore-style patterns); each
       nginx.conf is checked with everything it includes, and a *.conf no nginx.conf includes
       is left out when it does not read as nginx (a redis.conf); --ignore-unknown leaves out
       such FILEs named too (the pre-commit hook). - reads standard input: an
       \`nginx -T\` dump is split back into its files, findings at their paths and lines.
       --format sarif (GitHub code scanning; paths relative to --base, default the working
       directory) or github (workflow annotations). --fix writes the preferred quick fixes
       into the files first (as "Fix all" in the editor). Also what nginx -t rejects (unknown
       directives, wrong context or arguments, duplicates); --extra-directive declares a
       directive of a third-party module.
       Exit 1 when any error is found or warnings exceed --max-warnings, 0 otherwise,
       2 on usage errors.
test   starts a local ws backend and nginx with that location, performs the WebSocket
       handshake through it, and explains the result. Exit 0 when the handshake and the
       echo succeed, 1 when they fail, 2 on usage or environment errors. --env gives template
       placeholders (\${NAME}) their values; others come from the environment or a neutral value.`;

/** The preferred quick fix of a finding, as a line to read: its title and where it goes. */
function fixToApply(
  finding: Finding,
  analysis: FileAnalysis,
  ranVersion: string | null | undefined,
): string | undefined {
  const version = ranVersion ? parseNginxVersion(ranVersion) : undefined;
  const fix = fixesFor(finding, analysis, version).find((candidate) => candidate.isPreferred);
  const edit = fix?.edits[0];
  if (!fix || !edit) return undefined;
  return `${fix.title} (${finding.code}, ${onAnalysedFile(analysis)(edit.file)}:${edit.range.start.line + 1})`;
}

function write(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

async function runTest(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      location: { type: 'string' },
      'request-path': { type: 'string' },
      nginx: { type: 'string', default: 'nginx' },
      timeout: { type: 'string', default: '10' },
      json: { type: 'boolean', default: false },
      env: { type: 'string', multiple: true, default: [] },
    },
  });
  const [target, ...extra] = positionals;
  if (!target || extra.length) throw new UsageError('test needs exactly one FILE.');
  if (!values.location) throw new UsageError('test needs --location PATH (for example --location /ws).');
  const timeoutSeconds = Number(values.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0)
    throw new UsageError(`--timeout must be a positive number of seconds, not "${values.timeout}".`);
  const requestPath = values['request-path'];
  if (requestPath !== undefined && !requestPath.startsWith('/'))
    throw new UsageError('--request-path must start with "/".');
  const templateValues: Record<string, string> = {};
  for (const assignment of values.env ?? []) {
    const parsed = parseAssignment(assignment);
    if (!parsed) throw new UsageError(`--env takes NAME=VALUE, not "${assignment}".`);
    templateValues[parsed[0]] = parsed[1];
  }
  // Loaded here, not at the top: it brings in ws, http, https and tls, which `check` never uses and
  // whose loading was a tenth of a `check` run's start.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { chooseLocation, testLocation } = require('../proxytest/testLocation') as typeof TestLocation;
  const file = path.resolve(target);
  const fs = new NodeFileSystem();
  if (fs.readFile(file) === undefined) throw new UsageError(`Cannot read ${file}.`, false);
  const { analysis, choices, choice } = chooseLocation(
    file,
    fs,
    { workspaceFolders: [process.cwd()] },
    { locationPath: values.location },
  );
  if (!choice) {
    const known =
      choices.map((entry) => `  ${entry.label}`).join('\n') || '  (none: no location in this file has proxy_pass)';
    throw new UsageError(`No proxied location "${values.location}" in ${file}. Proxied locations:\n${known}`, false);
  }
  const controller = new AbortController();
  const cancel = (): void => controller.abort();
  process.once('SIGINT', cancel);
  process.once('SIGTERM', cancel);
  try {
    const report = await testLocation({
      choice,
      analysis,
      nginxPath: values.nginx ?? 'nginx',
      timeoutMs: timeoutSeconds * 1000,
      signal: controller.signal,
      requestPath,
      webSocketPaths: [],
      severity: {},
      templateValues,
    });
    if (values.json) {
      write(
        JSON.stringify(
          {
            result: report.outcome.kind,
            location: report.location,
            requestPath: report.requestPath,
            status: report.outcome.handshake?.status ?? null,
            statusText: report.outcome.handshake?.statusText ?? null,
            echo: report.outcome.handshake?.echo ?? null,
            backendSaw: report.outcome.backendSaw
              ? {
                  method: report.outcome.backendSaw.method,
                  url: report.outcome.backendSaw.url,
                  httpVersion: report.outcome.backendSaw.httpVersion,
                  upgrade: report.outcome.backendSaw.upgrade,
                  connection: report.outcome.backendSaw.connection,
                  status: report.outcome.backendSaw.status,
                }
              : null,
            diagnosis: report.findings.map((finding) => ({
              code: finding.code,
              severity: finding.severity,
              message: finding.message,
              fix: fixToApply(finding, analysis, report.outcome.nginxVersion) ?? null,
            })),
            nginxErrors: report.nginxErrors,
            omitted: report.omitted,
            rewrites: report.rewrites,
            placeholders: report.placeholders,
            unresolvedIncludes: report.unresolvedIncludes,
            error: report.outcome.error ?? null,
            nginxVersion: report.outcome.nginxVersion,
            timings: report.outcome.timings,
            summary: report.summary,
          },
          null,
          2,
        ),
      );
    } else {
      write(report.details.join('\n'));
      // The editor offers these as quick fixes; a pipeline gets them as text to apply.
      const fixes =
        report.outcome.kind === 'passed'
          ? []
          : report.findings.map((finding) => fixToApply(finding, analysis, report.outcome.nginxVersion));
      const shown = [...new Set(fixes.filter((fix): fix is string => fix !== undefined))];
      if (shown.length)
        write(['Fix to apply (nginx-ws check --fix writes it):', ...shown.map((fix) => `  ${fix}`)].join('\n'));
    }
    switch (report.outcome.kind) {
      case 'passed':
        return 0;
      case 'failed':
      case 'config-error':
        return 1;
      default:
        return 2;
    }
  } finally {
    process.removeListener('SIGINT', cancel);
    process.removeListener('SIGTERM', cancel);
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === '--version' || command === '-v' || command === 'version') {
      write(`nginx-ws ${VERSION}`);
      return 0;
    }
    // `nginx-ws check --help` too: asked for, the usage is an answer, not a usage error.
    if (
      command === '--help' ||
      command === '-h' ||
      command === 'help' ||
      rest.includes('--help') ||
      rest.includes('-h')
    ) {
      write(USAGE);
      return 0;
    }
    if (command === 'check') return runCheck(rest, write, VERSION);
    if (command === 'test') return await runTest(rest);
    throw new UsageError(command ? `Unknown command "${command}".` : 'No command given.');
  } catch (error) {
    if (
      error instanceof UsageError ||
      (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))
    ) {
      const usage = !(error instanceof UsageError) || error.showUsage ? `\n${USAGE}\n` : '';
      process.stderr.write(`nginx-ws: ${error.message}\n${usage}`);
      return 2;
    }
    process.stderr.write(`nginx-ws: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 2;
  }
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
