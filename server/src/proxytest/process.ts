/**
 * Child processes of the proxy test: short commands (`nginx -V`, `nginx -t`) run to completion,
 * and a registry that kills any still-running nginx if this Node process exits first.
 *
 * Processes are always spawned with an argument array, never through a shell.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { CancelledError, onAbort, onDeadline, TimeoutError } from './abort';

export interface ProcessResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunProcessOptions {
  /** Absolute `performance.now()` time after which the process is killed. */
  deadline: number;
  signal?: AbortSignal;
  /** Output beyond this many bytes per stream is dropped (nginx -t prints a few lines). */
  maxOutputBytes?: number;
  /** Told the PID as soon as the process exists (used to prove nothing is left behind). */
  onSpawn?: (pid: number) => void;
  /** Names the step in timeout and cancellation messages. */
  description?: string;
}

/** Keeps the first `limit` bytes of a stream. */
export class BoundedText {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  truncated = false;
  constructor(private readonly limit: number) {}
  append(chunk: Buffer): void {
    const room = this.limit - this.size;
    if (room <= 0) {
      this.truncated ||= chunk.length > 0;
      return;
    }
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.truncated ||= kept.length < chunk.length;
    this.chunks.push(kept);
    this.size += kept.length;
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/**
 * Runs a command to completion. Rejects with the spawn error (e.g. `code: 'ENOENT'`) when the
 * executable cannot be started, with TimeoutError / CancelledError after killing it when the
 * deadline passes or the signal fires; a non-zero exit is a normal result.
 */
export function runProcess(
  command: string,
  args: readonly string[],
  options: RunProcessOptions,
): Promise<ProcessResult> {
  const description = options.description ?? `${command} ${args.join(' ')}`;
  const limit = options.maxOutputBytes ?? 64 * 1024;
  return new Promise<ProcessResult>((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new CancelledError(description, options.signal.reason));
      return;
    }
    const stdout = new BoundedText(limit);
    const stderr = new BoundedText(limit);
    let stopReason: Error | undefined;
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const kill = (reason: Error): void => {
      stopReason ??= reason;
      // A short command has no children and nothing to flush: no grace period is needed.
      child.kill('SIGKILL');
    };
    const timer = onDeadline(options.deadline, () => kill(new TimeoutError(description)));
    const removeAbortListener = onAbort(options.signal, () =>
      kill(new CancelledError(description, options.signal?.reason)),
    );
    const finish = (): void => {
      timer.clear();
      removeAbortListener();
    };
    child.stdout.on('data', (chunk: Buffer) => stdout.append(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.append(chunk));
    child.once('error', (error) => {
      // 'error' without a PID means the executable never started; 'close' will not follow.
      if (child.pid === undefined) {
        finish();
        reject(error);
      }
    });
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    child.once('close', (exitCode, signal) => {
      finish();
      if (stopReason) reject(stopReason);
      else resolve({ exitCode, signal, stdout: stdout.text(), stderr: stderr.text() });
    });
  });
}

/**
 * Last-resort cleanup: if this Node process exits (process.exit, an uncaught exception) while a
 * long-running child is alive, kill it synchronously. It cannot help against SIGKILL of Node.
 */
const liveChildren = new Map<number, { killGroup: boolean }>();
let exitHookInstalled = false;

export function registerLiveChild(pid: number, killGroup: boolean): () => void {
  liveChildren.set(pid, { killGroup });
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const [livePid, { killGroup: group }] of liveChildren) killQuietly(group ? -livePid : livePid, 'SIGKILL');
    });
  }
  return () => liveChildren.delete(pid);
}

/** `process.kill` that reports whether the target existed instead of throwing ESRCH. */
export function killQuietly(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ESRCH') return false;
    // EPERM: it exists but is not ours (e.g. a reused PID); report it as alive and leave it alone.
    if (isErrnoException(error) && error.code === 'EPERM') return true;
    throw error;
  }
}

/**
 * True when a process (or, with a negative id, any process of that group) is running. On Linux a
 * zombie does not count: where PID 1 does not reap orphans (containers), a worker killed after its
 * master stays a zombie for good, holding no port and no file, yet `kill(pid, 0)` still succeeds.
 */
export function isAlive(pid: number): boolean {
  if (process.platform !== 'linux') return killQuietly(pid, 0);
  if (pid >= 0) {
    const state = processState(pid);
    return state !== undefined && state.state !== 'Z' && state.state !== 'X';
  }
  if (!killQuietly(pid, 0)) return false;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true;
  }
  return entries.some((entry) => {
    if (!/^\d+$/.test(entry)) return false;
    const state = processState(Number(entry));
    return state !== undefined && state.group === -pid && state.state !== 'Z' && state.state !== 'X';
  });
}

/** State letter and process group from /proc/PID/stat (the name may hold spaces and parentheses). */
function processState(pid: number): { state: string; group: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '', group: Number(fields[2]) };
}

export function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string';
}
