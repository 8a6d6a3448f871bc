// Child processes for the end-to-end tests: started detached in their own process group (the
// VS Code server leaves a file watcher and other children behind when only its main process is
// ended), waited for by event with a deadline, and ended group and all.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';

export interface GroupProcess {
  child: ChildProcess;
  /** Settles when the main process has exited (with its code, or the signal name). */
  exited: Promise<number | NodeJS.Signals>;
  /** Every stdout/stderr line seen so far, newest last, for error messages. */
  recentLines(): string[];
  /** Resolves with the first output line `match` maps to a value; rejects on exit or deadline. */
  waitForLine<T>(match: (line: string) => T | undefined, timeoutMs: number, what: string): Promise<T>;
}

export interface StartOptions {
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Where stdout and stderr are appended, line by line. */
  logFile: string;
  /** Also copy each output line to this stream (e.g. process.stderr when debugging). */
  echo?: NodeJS.WritableStream;
}

const RECENT_LINES = 60;

export function startProcessGroup(command: string, args: readonly string[], options: StartOptions): GroupProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: WriteStream = createWriteStream(options.logFile, { flags: 'a' });
  const recent: string[] = [];
  const lineListeners = new Set<(line: string) => void>();
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      log.write(line + '\n');
      options.echo?.write(line + '\n');
      recent.push(line);
      if (recent.length > RECENT_LINES) recent.shift();
      for (const listener of lineListeners) listener(line);
    });
  }
  const exited = new Promise<number | NodeJS.Signals>((resolveExit) => {
    child.once('error', (error) => {
      recent.push(`failed to start ${command}: ${error.message}`);
      resolveExit(127);
    });
    child.once('exit', (code, signal) => resolveExit(code ?? signal ?? 1));
  });
  void exited.then(() => log.end());

  function waitForLine<T>(match: (line: string) => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise<T>((resolveLine, reject) => {
      const timer = setTimeout(
        () => finish(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`)),
        timeoutMs,
      );
      const listener = (line: string): void => {
        const value = match(line);
        if (value !== undefined) finish(undefined, value);
      };
      function finish(error: Error | undefined, value?: T): void {
        clearTimeout(timer);
        lineListeners.delete(listener);
        if (error) reject(error);
        else resolveLine(value as T);
      }
      lineListeners.add(listener);
      void exited.then((status) => finish(new Error(`${command} exited (${status}) before ${what}`)));
    });
  }

  return { child, exited, recentLines: () => [...recent], waitForLine };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    // ESRCH: the whole group is already gone.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/**
 * Ends the process group: SIGTERM, and SIGKILL for whatever is left after `graceMs` (or right
 * after the main process exits, since its children may outlive it).
 */
export async function stopProcessGroup(group: GroupProcess, graceMs = 5000): Promise<void> {
  const pid = group.child.pid;
  if (pid === undefined) return;
  signalGroup(pid, 'SIGTERM');
  await raceWithTimeout(group.exited, graceMs);
  signalGroup(pid, 'SIGKILL');
  await group.exited;
}

/** Resolves with the promise's value, or `undefined` once `ms` have passed. */
export async function raceWithTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolveTimeout) => {
    timer = setTimeout(() => resolveTimeout(undefined), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Rejects with `message` when the promise has not settled within `ms`. */
export async function withDeadline<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs `cleanup` once on Ctrl+C or SIGTERM and then exits: detached process groups (the server,
 * the browser) do not receive the terminal's signal, so without this an interrupted run leaves
 * them behind. Returns a function that removes the handlers.
 */
export function cleanupOnInterrupt(cleanup: () => Promise<void>): () => void {
  let cleaning = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (cleaning) return;
    cleaning = true;
    process.stderr.write(`Interrupted by ${signal}; cleaning up.\n`);
    void cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}
