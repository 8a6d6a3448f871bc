/**
 * Finding, checking, starting and stopping a real nginx for the proxy test.
 *
 * The pure parts (where to look, which arguments, what the install hint says) are exported for
 * unit tests; the rest spawns processes with argument arrays and always ends what it started,
 * also when it fails, times out or is cancelled.
 */
import { spawn } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { CancelledError, deadlineIn, now, onAbort, pollUntil, TimeoutError } from './abort';
import {
  compareVersions,
  parseConfigureArguments,
  parseNginxErrors,
  parseNginxVersion,
  saysAddressInUse,
  type NginxMessage,
} from './nginxOutput';
import { retryDelayMs, waitForPort } from './ports';
import { BoundedText, isAlive, isErrnoException, killQuietly, registerLiveChild, runProcess } from './process';

export interface NginxInstallation {
  /** The executable that was run: absolute when it was found by searching. */
  path: string;
  /** nginx core version, e.g. "1.22.1". */
  version: string;
  /** The version banner's product, e.g. "nginx/1.22.1" or "openresty/1.21.4.1". */
  build: string;
  configureArguments: string[];
}

/** No nginx at the configured path (or, for a bare name, on PATH or in the usual places). */
export class NginxNotFoundError extends Error {
  readonly code = 'nginx-not-found' as const;
  constructor(
    readonly nginxPath: string,
    readonly searched: readonly string[],
    readonly platform: NodeJS.Platform,
  ) {
    super(nginxNotFoundMessage(nginxPath, platform));
    this.name = 'NginxNotFoundError';
  }
}

/** Something is at the path but could not be run as nginx (not executable, no version banner). */
export class NginxLaunchError extends Error {
  readonly code = 'nginx-launch-failed' as const;
  constructor(
    message: string,
    readonly nginxPath: string,
    readonly stderr: string = '',
  ) {
    super(message);
    this.name = 'NginxLaunchError';
  }
}

/** nginx exited before it listened on its port. */
export class NginxStartError extends Error {
  readonly code = 'nginx-start-failed' as const;
  constructor(
    readonly exitCode: number | null,
    readonly signal: NodeJS.Signals | null,
    readonly stderr: string,
    readonly messages: readonly NginxMessage[],
    /** The chosen port was taken by someone else in the meantime: retry with another. */
    readonly addressInUse: boolean,
  ) {
    const first = messages.find((message) => message.level === 'emerg' || message.level === 'alert') ?? messages[0];
    super(`nginx exited during start-up (${signal ?? `exit code ${exitCode}`})${first ? `: ${first.message}` : ''}`);
    this.name = 'NginxStartError';
  }
}

// ---------------------------------------------------------------------------------------------
// Locating nginx

export interface SearchEnvironment {
  platform: NodeJS.Platform;
  /** The PATH variable. */
  pathVariable: string;
}

/**
 * Where nginx is commonly installed but often not on a user's PATH: Debian puts it in /usr/sbin,
 * which is not on an ordinary user's PATH; Homebrew in /opt/homebrew (Apple silicon) or
 * /usr/local; a source build in /usr/local/nginx/sbin.
 */
export function commonNginxFolders(platform: NodeJS.Platform): string[] {
  switch (platform) {
    case 'darwin':
      return ['/opt/homebrew/bin', '/usr/local/bin', '/opt/local/sbin', '/usr/local/nginx/sbin'];
    case 'win32':
      return ['C:\\nginx'];
    case 'linux':
      return ['/usr/sbin', '/usr/local/sbin', '/usr/local/nginx/sbin', '/usr/local/bin', '/usr/bin'];
    default:
      return ['/usr/local/sbin', '/usr/sbin', '/usr/local/nginx/sbin', '/usr/local/bin'];
  }
}

/**
 * The executables to try, in order. A value with a folder in it is used as given; a bare name
 * is looked up on PATH, then in the common folders.
 */
export function nginxCandidates(nginxPath: string, environment: SearchEnvironment): string[] {
  const win = environment.platform === 'win32';
  const flavour = win ? path.win32 : path.posix;
  const name = nginxPath.trim() === '' ? 'nginx' : nginxPath.trim();
  // Only an .exe can be spawned without a shell on Windows, so PATHEXT's .cmd/.bat are no use.
  const extensions = win && flavour.extname(name) === '' ? ['.exe'] : [''];
  if (!isBareName(name, environment.platform)) return extensions.map((ext) => name + ext);
  const folders = [
    ...environment.pathVariable.split(win ? ';' : ':').filter(Boolean),
    ...commonNginxFolders(environment.platform),
  ];
  const candidates: string[] = [];
  for (const folder of folders) for (const ext of extensions) candidates.push(flavour.join(folder, name + ext));
  return [...new Set(candidates)];
}

/** True for a command name such as "nginx", false for a path with a folder in it. */
export function isBareName(nginxPath: string, platform: NodeJS.Platform): boolean {
  return platform === 'win32' ? !/[\\/]/.test(nginxPath) : !nginxPath.includes('/');
}

/** What to do when nginx is missing, for the platform the user is on. */
export function nginxInstallHint(platform: NodeJS.Platform): string {
  switch (platform) {
    case 'linux':
      return 'Install it: on Debian/Ubuntu `sudo apt-get install nginx`, on Fedora `sudo dnf install nginx`.';
    case 'darwin':
      return 'Install it with Homebrew: `brew install nginx`.';
    case 'win32':
      return 'Download the Windows zip from https://nginx.org/en/download.html and unzip it (for example to C:\\nginx).';
    default:
      return "Install nginx with your system's package manager.";
  }
}

export function nginxNotFoundMessage(nginxPath: string, platform: NodeJS.Platform): string {
  const where = isBareName(nginxPath, platform)
    ? `"${nginxPath}" (looked on PATH and in ${commonNginxFolders(platform).join(', ')})`
    : `"${nginxPath}"`;
  return (
    `nginx was not found at ${where}. ${nginxInstallHint(platform)} ` +
    'If nginx is installed elsewhere, set "nginxWs.nginxPath" to the full path of the executable.'
  );
}

export interface LocateOptions {
  signal?: AbortSignal;
  /** Absolute performance.now() deadline for running `nginx -V`; default 5 s from now. */
  deadline?: number;
  environment?: SearchEnvironment;
  onSpawn?: (pid: number) => void;
}

async function accessible(candidate: string, mode: number): Promise<boolean> {
  try {
    // A folder passes the X_OK test (source builds have /usr/local/nginx/): only files count.
    if (!(await stat(candidate)).isFile()) return false;
    await access(candidate, mode);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds nginx and asks it its version with `nginx -V` (which, unlike `-v`, also gives the
 * configure arguments: a build without a module has no temp-path directive for it).
 * Throws NginxNotFoundError when there is nothing to run, NginxLaunchError when it will not run
 * or prints no version banner.
 */
export async function locateNginx(nginxPath: string, options: LocateOptions = {}): Promise<NginxInstallation> {
  const environment: SearchEnvironment = options.environment ?? {
    platform: process.platform,
    pathVariable: process.env['PATH'] ?? '',
  };
  const candidates = nginxCandidates(nginxPath, environment);
  let executable: string | undefined;
  // Windows has no execute bit: existing is enough there.
  const runnable = environment.platform === 'win32' ? fsConstants.F_OK : fsConstants.X_OK;
  for (const candidate of candidates) {
    if (await accessible(candidate, runnable)) {
      executable = candidate;
      break;
    }
  }
  if (executable === undefined) {
    // A file that exists but lacks the execute bit is a different problem from a missing one.
    for (const candidate of candidates) {
      if (await accessible(candidate, fsConstants.F_OK)) {
        throw new NginxLaunchError(
          `${candidate} is not executable (chmod +x it, or point "nginxWs.nginxPath" at nginx).`,
          candidate,
        );
      }
    }
    throw new NginxNotFoundError(nginxPath, candidates, environment.platform);
  }
  let result;
  try {
    result = await runProcess(executable, ['-V'], {
      deadline: options.deadline ?? deadlineIn(5000),
      signal: options.signal,
      onSpawn: options.onSpawn,
      description: `${executable} -V`,
    });
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT')
      throw new NginxNotFoundError(nginxPath, [executable], environment.platform);
    if (isErrnoException(error) && (error.code === 'EACCES' || error.code === 'ENOEXEC')) {
      throw new NginxLaunchError(`${executable} could not be run (${error.code}).`, executable);
    }
    throw error;
  }
  const output = `${result.stderr}\n${result.stdout}`;
  const version = parseNginxVersion(output);
  if (!version) {
    throw new NginxLaunchError(
      `${executable} -V did not print an nginx version (exit code ${result.exitCode}): ${output.trim().slice(0, 300)}`,
      executable,
      result.stderr,
    );
  }
  return { path: executable, ...version, configureArguments: parseConfigureArguments(output) };
}

// ---------------------------------------------------------------------------------------------
// Command lines

/**
 * The arguments for checking (`-t -q`) or running a config in a private prefix. From 1.19.5 on,
 * `-e stderr` keeps the messages nginx logs before it has read `error_log` out of the compiled-in
 * error log (on most builds /var/log/nginx/error.log) and on our stderr pipe instead.
 */
export function nginxArguments(
  mode: 'check' | 'run',
  options: { prefixDir: string; configFile: string; version: string },
): string[] {
  const startupLog = compareVersions(options.version, '1.19.5') >= 0 ? ['-e', 'stderr'] : [];
  const common = [...startupLog, '-p', options.prefixDir, '-c', options.configFile];
  // `daemon off;` is one argv element: there is no shell, so no quoting.
  return mode === 'check' ? ['-t', '-q', ...common] : [...common, '-g', 'daemon off;'];
}

// ---------------------------------------------------------------------------------------------
// nginx -t

export interface ConfigCheck {
  ok: boolean;
  /** Every levelled message: the (first and only) error when not ok, warnings either way. */
  errors: NginxMessage[];
  stderr: string;
  exitCode: number | null;
}

export interface ProcessOptions {
  signal?: AbortSignal;
  /** Absolute performance.now() deadline. */
  deadline?: number;
  onSpawn?: (pid: number) => void;
}

/** `nginx -t -q -p PREFIX -c FILE`: nginx reports only the first error it meets. */
export async function checkConfig(
  nginx: NginxInstallation,
  prefixDir: string,
  configFile: string,
  options: ProcessOptions = {},
): Promise<ConfigCheck> {
  const result = await runProcess(
    nginx.path,
    nginxArguments('check', { prefixDir, configFile, version: nginx.version }),
    {
      deadline: options.deadline ?? deadlineIn(10_000),
      signal: options.signal,
      onSpawn: options.onSpawn,
      description: 'nginx -t',
    },
  );
  const output = `${result.stderr}\n${result.stdout}`;
  return {
    ok: result.exitCode === 0,
    errors: parseNginxErrors(output),
    stderr: result.stderr,
    exitCode: result.exitCode,
  };
}

// ---------------------------------------------------------------------------------------------
// Running nginx

export interface NginxExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** SIGTERM was not enough and the process group had to be killed. */
  forced: boolean;
}

export interface RunningNginx {
  /** PID of the master process (on POSIX also its process group: the workers are in it). */
  readonly pid: number;
  /** Milliseconds from spawn until the port accepted a connection. */
  readonly startupMs: number;
  /** What nginx wrote to stderr: start-up messages (afterwards it writes to its error_log). */
  stderr(): string;
  /** Settles when the master has exited. */
  readonly exited: Promise<NginxExit>;
  /**
   * Ends nginx: SIGTERM (nginx's fast shutdown: the master ends its workers and waits for them),
   * then after `graceMs` SIGKILL to the whole process group. Resolves once it has exited.
   */
  stop(graceMs?: number): Promise<NginxExit>;
}

export interface StartNginxOptions extends ProcessOptions {
  nginx: NginxInstallation;
  prefixDir: string;
  configFile: string;
  /** The port the config listens on, on 127.0.0.1. */
  port: number;
  /** Absolute performance.now() deadline for nginx to accept connections. */
  deadline: number;
  /**
   * The config's `pid` file. nginx writes it only after it has bound its listening sockets, so
   * when given, start-up also waits for it to hold this nginx's PID: an open port alone may
   * belong to whoever took it between findFreePort and nginx's bind().
   */
  pidFile?: string;
}

const DEFAULT_STOP_GRACE_MS = 3000;

/** The PID in an nginx pid file; undefined while it is missing or empty (`nginx -t` leaves it empty). */
async function readPidFile(pidFile: string): Promise<number | undefined> {
  try {
    const text = (await readFile(pidFile, 'utf8')).trim();
    return /^\d+$/.test(text) ? Number(text) : undefined;
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Starts nginx in the foreground and resolves once `127.0.0.1:port` accepts connections. If nginx
 * exits first, rejects with NginxStartError carrying its stderr; on deadline or cancellation,
 * rejects with TimeoutError / CancelledError. In every rejecting case nginx has already exited.
 */
export async function startNginx(options: StartNginxOptions): Promise<RunningNginx> {
  if (options.signal?.aborted) throw new CancelledError('starting nginx', options.signal.reason);
  const posix = process.platform !== 'win32';
  const startedAt = now();
  const args = nginxArguments('run', {
    prefixDir: options.prefixDir,
    configFile: options.configFile,
    version: options.nginx.version,
  });
  // On POSIX nginx gets its own process group (detached = setsid), so that if the master must be
  // killed its workers, which would otherwise keep the port open, can be killed with it.
  const child = spawn(options.nginx.path, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: posix,
    windowsHide: true,
  });
  const spawnError = await new Promise<Error | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', (error) => resolve(error));
  });
  if (spawnError || child.pid === undefined) {
    if (isErrnoException(spawnError) && spawnError.code === 'ENOENT') {
      throw new NginxNotFoundError(options.nginx.path, [options.nginx.path], process.platform);
    }
    throw new NginxLaunchError(
      `could not start ${options.nginx.path}: ${spawnError?.message ?? 'no process id'}`,
      options.nginx.path,
    );
  }
  const pid = child.pid;
  const stderr = new BoundedText(64 * 1024);
  // A later 'error' (e.g. a failed kill) must not go unhandled; keep it with nginx's own output.
  child.on('error', (error) => stderr.append(Buffer.from(`\n[nginx-ws] ${error.message}\n`)));
  options.onSpawn?.(pid);
  const unregister = registerLiveChild(pid, posix);

  // Aborted when start-up cannot succeed any more: the caller cancelled, nginx exited, or nginx
  // said its port is taken (it would retry binding for 2.5 s before giving up).
  const startup = new AbortController();
  let portTaken = false;
  let exitInfo: { exitCode: number | null; signal: NodeJS.Signals | null } | undefined;
  let forced = false;

  const stderrClosed = new Promise<void>((resolve) => child.stderr.once('close', () => resolve()));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr.append(chunk);
    if (!portTaken && saysAddressInUse(stderr.text())) {
      portTaken = true;
      startup.abort();
    }
  });
  const exitedRaw = new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (exitCode, signal) => {
      exitInfo = { exitCode, signal };
      startup.abort();
      resolve(exitInfo);
    });
  });
  const exited = exitedRaw.then((info): NginxExit => ({ ...info, forced }));

  const killGroup = (): void => {
    if (posix) {
      killQuietly(-pid, 'SIGKILL');
    }
    killQuietly(pid, 'SIGKILL');
  };

  let stopping: Promise<NginxExit> | undefined;
  const stop = (graceMs: number = DEFAULT_STOP_GRACE_MS): Promise<NginxExit> =>
    (stopping ??= (async () => {
      if (!exitInfo) {
        if (posix) {
          killQuietly(pid, 'SIGTERM');
          let graceTimer: NodeJS.Timeout | undefined;
          const inTime = await Promise.race([
            exitedRaw.then(() => true),
            new Promise<boolean>((resolve) => (graceTimer = setTimeout(() => resolve(false), graceMs))),
          ]);
          clearTimeout(graceTimer);
          if (!inTime) {
            forced = true;
            killGroup();
          }
        } else {
          // Windows has no SIGTERM and no process groups: end the master and its workers as a tree.
          await runProcess('taskkill', ['/PID', String(pid), '/T', '/F'], { deadline: deadlineIn(graceMs) }).catch(
            () => undefined,
          );
        }
        await exitedRaw;
      }
      if (posix && isAlive(-pid)) {
        // Workers outlive their master only when the master was killed outright.
        forced = true;
        killQuietly(-pid, 'SIGKILL');
        // SIGKILL is not instant: stop() promises that nothing of this nginx runs when it resolves.
        await pollUntil(async () => !isAlive(-pid), {
          deadline: deadlineIn(2000),
          delayMs: () => 5,
          description: `waiting for the workers of nginx ${pid} to end`,
        }).catch(() => undefined);
      }
      unregister();
      return { ...(exitInfo ?? { exitCode: null, signal: null }), forced };
    })());

  const removeAbortListener = onAbort(options.signal, () => startup.abort());
  try {
    const pidFile = options.pidFile;
    if (pidFile !== undefined) {
      await pollUntil(async () => (await readPidFile(pidFile)) === pid, {
        deadline: options.deadline,
        signal: startup.signal,
        delayMs: retryDelayMs,
        description: `waiting for nginx to write ${pidFile}`,
      });
    }
    await waitForPort(options.port, options.deadline, startup.signal);
  } catch (error) {
    removeAbortListener();
    // Decided before stop(), after which nginx has always exited.
    const exitedByItself = exitInfo !== undefined;
    await stop(500);
    if (options.signal?.aborted) throw new CancelledError('starting nginx', options.signal.reason);
    if (exitedByItself || portTaken) {
      if (exitedByItself) {
        // Its last words may still be in the pipe, which closes right after (bounded, in case a
        // stray process still holds the pipe open).
        let closeTimer: NodeJS.Timeout | undefined;
        await Promise.race([stderrClosed, new Promise<void>((resolve) => (closeTimer = setTimeout(resolve, 1000)))]);
        clearTimeout(closeTimer);
      }
      const text = stderr.text();
      throw new NginxStartError(
        exitInfo?.exitCode ?? null,
        exitInfo?.signal ?? null,
        text,
        parseNginxErrors(text),
        portTaken,
      );
    }
    if (error instanceof TimeoutError) throw new TimeoutError('starting nginx');
    throw error;
  }
  removeAbortListener();
  return { pid, startupMs: now() - startedAt, stderr: () => stderr.text(), exited, stop };
}
