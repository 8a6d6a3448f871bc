/**
 * nginx-ws for pipelines: `nginx-ws check FILE...` runs the editor's rules; `nginx-ws test FILE
 * --location PATH` runs the proxied handshake through a real nginx.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { normalizeSettings } from '../core/config/settings';
import { applyEdits } from '../core/fixes/apply';
import type { TextEdit } from '../core/fixes/edits';
import { fixAllEdits } from '../core/fixes/fixes';
import { ParseCache } from '../core/model/tree';
import { analyzeFile } from '../core/model/workspace';
import { checkFile } from '../core/rules/check';
import { parseNginxVersion } from '../core/rules/version';
import { NodeFileSystem } from '../node/nodeFileSystem';
import { chooseLocation, testLocation } from '../proxytest/testLocation';
import { formatFindingsJson, formatFindingsText, parseErrorsAsFindings, type CliFinding } from './format';
import { detectNginxVersionSync } from './nginxVersion';

const USAGE = `Usage:
  nginx-ws check FILE... [--fix] [--format text|json] [--nginx-version X.Y.Z] [--main-config FILE]
  nginx-ws test FILE --location PATH [--request-path /path] [--nginx PATH] [--timeout SECONDS] [--json]

check  reports where a proxied WebSocket will fail (the same rules as the editor).
       --fix writes the preferred quick fixes into the files first (as "Fix all" in the editor).
       Exit 1 when any error is found, 0 otherwise, 2 on usage errors.
test   starts a local ws backend and nginx with that location, performs the WebSocket
       handshake through it, and explains the result. Exit 0 when the handshake and the
       echo succeed, 1 when they fail, 2 on usage or environment errors.`;

class UsageError extends Error {}

function write(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Applies edits file by file; returns the files written. */
function writeFixes(fs: NodeFileSystem, edits: readonly TextEdit[]): string[] {
  const byFile = new Map<string, TextEdit[]>();
  for (const edit of edits) byFile.set(edit.file, [...(byFile.get(edit.file) ?? []), edit]);
  const written: string[] = [];
  for (const [file, fileEdits] of byFile) {
    const text = fs.readFile(file);
    if (text === undefined) continue;
    writeFileSync(file, applyEdits(text, fileEdits));
    written.push(file);
  }
  return written;
}

function runCheck(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'text' },
      'nginx-version': { type: 'string' },
      'main-config': { type: 'string' },
      fix: { type: 'boolean', default: false },
    },
  });
  if (!positionals.length) throw new UsageError('check needs at least one FILE.');
  if (values.format !== 'text' && values.format !== 'json')
    throw new UsageError(`--format must be text or json, not "${values.format}".`);
  const versionText = values['nginx-version'] ?? detectNginxVersionSync('nginx');
  const nginxVersion = versionText ? parseNginxVersion(versionText) : undefined;
  if (values['nginx-version'] && !nginxVersion)
    throw new UsageError(`--nginx-version "${values['nginx-version']}" is not a version like 1.24.0.`);
  const fs = new NodeFileSystem();
  const settings = normalizeSettings({});
  const cache = new ParseCache();
  const results: CliFinding[] = [];
  for (const file of positionals.map((name) => path.resolve(name))) {
    if (fs.readFile(file) === undefined) {
      results.push({
        file,
        line: 1,
        column: 1,
        endLine: 1,
        endColumn: 1,
        severity: 'error',
        code: 'file-unreadable',
        message: `Cannot read ${file}.`,
      });
      continue;
    }
    const options = {
      mainConfig: values['main-config'] ? path.resolve(values['main-config']) : undefined,
      workspaceFolders: [process.cwd()],
      pathMappings: settings.pathMappings,
      parseCache: cache,
    };
    let analysis = analyzeFile(file, fs, options);
    if (values.fix) {
      const findings = checkFile(analysis, {
        nginxVersion,
        webSocketPaths: settings.webSocketPaths,
        severity: settings.severity,
      });
      const fixed = writeFixes(fs, fixAllEdits(findings, analysis, nginxVersion));
      for (const changed of fixed)
        process.stderr.write(`nginx-ws: fixed ${path.relative(process.cwd(), changed) || changed}\n`);
      if (fixed.length) analysis = analyzeFile(file, fs, options);
    }
    results.push(...parseErrorsAsFindings(file, analysis.parsed.errors));
    for (const finding of checkFile(analysis, {
      nginxVersion,
      webSocketPaths: settings.webSocketPaths,
      severity: settings.severity,
    })) {
      results.push({
        file,
        line: finding.range.start.line + 1,
        column: finding.range.start.character + 1,
        endLine: finding.range.end.line + 1,
        endColumn: finding.range.end.character + 1,
        severity: finding.severity,
        code: finding.code,
        message: finding.message,
      });
    }
  }
  write(values.format === 'json' ? formatFindingsJson(results) : formatFindingsText(results, process.cwd()));
  return results.some((result) => result.severity === 'error') ? 1 : 0;
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
  const file = path.resolve(target);
  const fs = new NodeFileSystem();
  if (fs.readFile(file) === undefined) throw new UsageError(`Cannot read ${file}.`);
  const { analysis, choices, choice } = chooseLocation(
    file,
    fs,
    { workspaceFolders: [process.cwd()] },
    { locationPath: values.location },
  );
  if (!choice) {
    const known =
      choices.map((entry) => `  ${entry.label}`).join('\n') || '  (none: no location in this file has proxy_pass)';
    throw new UsageError(`No proxied location "${values.location}" in ${file}. Proxied locations:\n${known}`);
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
            })),
            nginxErrors: report.nginxErrors,
            omitted: report.omitted,
            rewrites: report.rewrites,
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
    if (command === 'check') return runCheck(rest);
    if (command === 'test') return await runTest(rest);
    if (command === '--help' || command === '-h' || command === 'help') {
      write(USAGE);
      return 0;
    }
    throw new UsageError(command ? `Unknown command "${command}".` : 'No command given.');
  } catch (error) {
    if (
      error instanceof UsageError ||
      (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))
    ) {
      process.stderr.write(`nginx-ws: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`nginx-ws: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 2;
  }
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
