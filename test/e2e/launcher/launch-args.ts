// Pure helpers of the code launcher: what @vscode/test-electron asked for (its Electron-style
// command line) and the workbench URL that asks the same of the VS Code server's web workbench.
// No processes, no file system: unit-tested in test/unit/e2e-launcher.test.ts.
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';

/**
 * The workbench sends its own log (hundreds of lines: chat, GitHub sign-in, the marketplace it
 * cannot reach) through the same codeAutomationLog as the extension host's console. The launcher
 * sets this variable for the server, the extension host inherits it, and the suite starts each
 * line of test output with its value: those lines go to stdout, the rest to a log file.
 */
export const SUITE_OUTPUT_PREFIX_ENV = 'NGINX_WS_E2E_OUTPUT_PREFIX';
export const SUITE_OUTPUT_PREFIX = '@@nginx-ws-e2e@@ ';

/**
 * Workbench errors that every offline run has; anything else logged as an error reaches stderr.
 * Unreachable marketplace and GitHub, and service workers, which Chromium allows only on https
 * or localhost (the workbench is on 127.0.0.1).
 */
const EXPECTED_WORKBENCH_ERRORS = [
  /getaddrinfo E(NOTFOUND|AI_AGAIN) /,
  /authentication provider '[^']+' to register/,
  /^\[Service Worker\]/,
];

/** What the workbench should open: a folder, a `.code-workspace` file, or nothing. */
export type LaunchTarget = { kind: 'folder'; path: string } | { kind: 'workspace'; path: string } | { kind: 'none' };

export interface LaunchRequest {
  extensionDevelopmentPaths: string[];
  extensionTestsPath: string | undefined;
  target: LaunchTarget;
  userDataDir: string | undefined;
  extensionsDir: string | undefined;
  /** Electron and VS Code flags that have no meaning for a server + browser (e.g. --no-sandbox). */
  ignoredFlags: string[];
}

// VS Code flags that take a value, as `--flag=value` (what test-electron passes) or `--flag value`.
// Every other `--flag` is a switch: test-electron adds --no-sandbox, --disable-updates and the like.
const VALUE_FLAGS = new Set(['extensionDevelopmentPath', 'extensionTestsPath', 'user-data-dir', 'extensions-dir']);

/**
 * Reads the command line test-electron gives an executable: `runTests` puts `launchArgs` first
 * (here the workspace folder), then its own switches, `--extensionTestsPath=`, one
 * `--extensionDevelopmentPath=` per path, and `--extensions-dir=`/`--user-data-dir=` unless given.
 * Relative paths are resolved against `cwd`, the way VS Code resolves them.
 */
export function parseLaunchArgs(argv: readonly string[], cwd: string): LaunchRequest {
  const request: LaunchRequest = {
    extensionDevelopmentPaths: [],
    extensionTestsPath: undefined,
    target: { kind: 'none' },
    userDataDir: undefined,
    extensionsDir: undefined,
    ignoredFlags: [],
  };
  const positionals: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index] as string;
    if (argument === '--') {
      positionals.push(...argv.slice(index + 1));
      break;
    }
    if (!argument.startsWith('--')) {
      positionals.push(argument);
      continue;
    }
    const equals = argument.indexOf('=');
    const name = argument.slice(2, equals === -1 ? undefined : equals);
    if (!VALUE_FLAGS.has(name)) {
      request.ignoredFlags.push(argument);
      continue;
    }
    let value: string | undefined;
    if (equals !== -1) {
      value = argument.slice(equals + 1);
    } else {
      value = argv[index + 1];
      index++;
    }
    if (value === undefined || value === '') throw new Error(`--${name} needs a value`);
    const path = resolve(cwd, value);
    switch (name) {
      case 'extensionDevelopmentPath':
        request.extensionDevelopmentPaths.push(path);
        break;
      case 'extensionTestsPath':
        request.extensionTestsPath = path;
        break;
      case 'user-data-dir':
        request.userDataDir = path;
        break;
      case 'extensions-dir':
        request.extensionsDir = path;
        break;
    }
  }
  if (positionals.length > 1) {
    throw new Error(`Expected at most one folder or workspace to open, got: ${positionals.join(', ')}`);
  }
  const opened = positionals[0];
  if (opened !== undefined) {
    const path = resolve(cwd, opened);
    request.target = path.endsWith('.code-workspace') ? { kind: 'workspace', path } : { kind: 'folder', path };
  }
  return request;
}

export interface WorkbenchUrlOptions {
  host: string;
  port: number;
  target: LaunchTarget;
  extensionDevelopmentPaths: readonly string[];
  extensionTestsPath: string | undefined;
}

/** `vscode-remote://host:port/abs/path`: how the web workbench names a file on the server. */
export function remoteUri(host: string, port: number, absolutePath: string): string {
  if (!isAbsolute(absolutePath)) throw new Error(`Expected an absolute path, got ${absolutePath}`);
  return `vscode-remote://${host}:${port}${pathToFileURL(absolutePath).pathname}`;
}

/**
 * The URL that opens the server's workbench on the target and, through the `payload` parameter
 * (honoured when the server runs with --enable-smoke-test-driver), loads the extension under
 * development and runs its extension-host tests, as Electron does for the same CLI arguments.
 */
export function buildWorkbenchUrl(options: WorkbenchUrlOptions): string {
  const payload: [string, string][] = [];
  for (const path of options.extensionDevelopmentPaths) {
    payload.push(['extensionDevelopmentPath', remoteUri(options.host, options.port, path)]);
  }
  if (options.extensionTestsPath !== undefined) {
    payload.push(['extensionTestsPath', remoteUri(options.host, options.port, options.extensionTestsPath)]);
  }
  payload.push(['skipWelcome', 'true'], ['skipReleaseNotes', 'true']);

  // encodeURIComponent, not URLSearchParams: the workbench reads its query with
  // decodeURIComponent, which leaves URLSearchParams' `+` for a space as a literal `+`.
  const query: string[] = [];
  if (options.target.kind === 'folder') query.push(`folder=${encodeURIComponent(options.target.path)}`);
  if (options.target.kind === 'workspace') query.push(`workspace=${encodeURIComponent(options.target.path)}`);
  if (options.target.kind === 'none') query.push('ew=true');
  query.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
  return `http://${options.host}:${options.port}/?${query.join('&')}`;
}

/** The process exit code for what the workbench passed to codeAutomationExit. */
export function toExitCode(value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 255) return value;
  return 1;
}

export type AutomationLogRoute = 'test-output' | 'error' | 'log-only';

/**
 * Where a codeAutomationLog(type, args) call goes, and its text. The args are a console call's
 * arguments, format string first (mocha's reporters log `'%s (%dms)', title, duration`).
 */
export function routeAutomationLog(type: unknown, args: unknown): { route: AutomationLogRoute; text: string } {
  const parts: unknown[] = Array.isArray(args) ? args : [args];
  const text = parts.length && typeof parts[0] === 'string' ? format(...parts) : parts.map(describe).join(' ');
  if (text.startsWith(SUITE_OUTPUT_PREFIX))
    return { route: 'test-output', text: text.slice(SUITE_OUTPUT_PREFIX.length) };
  if (type === 'error' && !EXPECTED_WORKBENCH_ERRORS.some((pattern) => pattern.test(text)))
    return { route: 'error', text };
  return { route: 'log-only', text };
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** The listening port, from the line the VS Code server prints once it accepts connections. */
export function parseListeningPort(line: string): number | undefined {
  const match = /listening on (\d+)/i.exec(line);
  if (!match) return undefined;
  const port = Number(match[1]);
  return port > 0 && port < 65536 ? port : undefined;
}

/** A duration in milliseconds from an environment variable, or the fallback when unset or invalid. */
export function durationFromEnv(value: string | undefined, fallbackMs: number): number {
  if (value === undefined || value.trim() === '') return fallbackMs;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0)
    throw new Error(`Expected a positive number of milliseconds, got "${value}"`);
  return parsed;
}
