/**
 * "Test WebSocket proxy": a ws backend, a real nginx with the config the caller builds, one
 * proxied handshake, and an outcome that says what each side saw. Everything started here is
 * ended, and the temp dir removed, before the returned promise settles: on success, failure,
 * timeout and cancellation alike.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { now, onAbort, remainingMs, TimeoutError } from './abort';
import { startBackend, type Backend } from './backend';
import { wsHandshake, type HandshakeResult } from './handshake';
import { isolationDirectives, quoteNginxString, TEST_FILES, type IsolationDirectives } from './isolation';
import {
  checkConfig,
  locateNginx,
  NginxStartError,
  startNginx,
  type NginxInstallation,
  type RunningNginx,
} from './nginx';
import { dedupeNginxMessages, parseNginxErrors, type NginxMessage } from './nginxOutput';
import {
  BuildConfigError,
  classifyHandshake,
  classifyRunError,
  firstBackendRequest,
  type OutcomeError,
  type OutcomeKind,
  type ProxyTestOutcome,
  type ProxyTestStage,
} from './outcome';
import { findFreePort, LOOPBACK } from './ports';
import { allowWorkersToEnter, createTempDir, TEMP_DIR_PREFIX, type TempDir } from './tempdir';

export interface BuildContext {
  /** nginx's prefix: put pid, logs and temp paths here (see `isolation`). */
  tempDir: string;
  /** The port the test server must listen on, on 127.0.0.1. */
  listenPort: number;
  /** The port of the ws backend on 127.0.0.1: proxy_pass targets go here. */
  backendPort: number;
  /** Ready-made directives that keep nginx inside tempDir, per context. */
  isolation: IsolationDirectives;
  /** Version of the nginx that will run the config, e.g. "1.22.1". */
  nginxVersion: string;
}

export interface BuiltConfig {
  /** The whole nginx.conf. Must not contain `daemon` (it is given as `-g 'daemon off;'`). */
  text: string;
  /** Path (and query) to request through nginx, starting with "/". */
  requestPath: string;
  /** Passed through to the outcome, to map lines of the temp config back to the user's files. */
  sourceMap?: unknown;
  /**
   * The config's pid file, which tells that nginx (and not an intruder on the port) is up.
   * Default: the isolation directives' pid file if the text names it; null: wait for the port only.
   */
  pidFile?: string | null;
}

export type ProxyTestEvent =
  | { type: 'stage'; stage: ProxyTestStage }
  | { type: 'process'; role: 'nginx -V' | 'nginx -t' | 'nginx'; pid: number }
  | { type: 'port'; role: 'backend' | 'nginx'; port: number }
  | { type: 'temp-dir'; path: string };

export interface ProxyTestOptions {
  /** The nginxWs.nginxPath setting: a path, or a name looked up on PATH and in usual places. */
  nginxPath: string;
  /** An nginx the caller already located with locateNginx: skips running `nginx -V` again. */
  installation?: NginxInstallation;
  /** The whole run, clean-up excluded, gets this long. */
  timeoutMs: number;
  signal?: AbortSignal;
  buildConfig: (context: BuildContext) => BuiltConfig;
  /** Overrides the requestPath buildConfig returns. */
  requestPath?: string;
  /** The message to echo; default a random probe. */
  message?: string;
  /** Extra handshake request headers (Host, Origin...). */
  headers?: Record<string, string>;
  /** WebSocket subprotocols to offer. */
  protocols?: string[];
  /** Prefix of the temp dir's name; default TEMP_DIR_PREFIX. */
  tempDirPrefix?: string;
  /** Progress for the UI, and resource ids for leak checks. Must not throw. */
  onProgress?: (event: ProxyTestEvent) => void;
}

/** How often a run picks a new port when another process took the chosen one first. */
const PORT_ATTEMPTS = 3;
const LOG_READ_LIMIT = 64 * 1024;

function normalizeRequestPath(requestPath: string): string {
  return requestPath.startsWith('/') ? requestPath : `/${requestPath}`;
}

async function readIfPresent(path: string): Promise<string> {
  try {
    const text = await readFile(path, 'utf8');
    return text.length > LOG_READ_LIMIT ? text.slice(0, LOG_READ_LIMIT) : text;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}

function runningAsRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

export async function runProxyTest(options: ProxyTestOptions): Promise<ProxyTestOutcome> {
  const startedAt = now();
  const deadline = startedAt + options.timeoutMs;
  const problems: string[] = [];
  const emit = (event: ProxyTestEvent): void => {
    try {
      options.onProgress?.(event);
    } catch (error) {
      problems.push(`onProgress threw: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  // One signal for every step: the caller's cancellation or the run's time limit.
  const interruption = { cancelled: false, timedOut: false };
  const controller = new AbortController();
  const signal = controller.signal;
  const timer = setTimeout(() => {
    if (interruption.cancelled) return;
    interruption.timedOut = true;
    controller.abort(new TimeoutError('the proxy test'));
  }, options.timeoutMs);
  const removeCallerAbort = onAbort(options.signal, () => {
    if (interruption.timedOut) return;
    interruption.cancelled = true;
    controller.abort(options.signal?.reason);
  });

  let stage: ProxyTestStage = 'locating-nginx';
  const enter = (next: ProxyTestStage): void => {
    stage = next;
    emit({ type: 'stage', stage: next });
  };
  const interrupted = (): boolean => signal.aborted;

  let kind: OutcomeKind = 'failed';
  let outcomeError: OutcomeError | undefined;
  let installation: NginxInstallation | undefined;
  let tempDir: TempDir | undefined;
  let backend: Backend | undefined;
  let nginx: RunningNginx | undefined;
  let handshake: HandshakeResult | null = null;
  let configText: string | null = null;
  let configPath: string | null = null;
  let sourceMap: unknown = undefined;
  let requestUrl: string | null = null;
  const nginxMessages: NginxMessage[] = [];
  const timings = {
    locateNginx: null as number | null,
    configCheck: null as number | null,
    nginxStartup: null as number | null,
    handshake: null as number | null,
  };

  try {
    enter('locating-nginx');
    const locateStart = now();
    installation =
      options.installation ??
      (await locateNginx(options.nginxPath, {
        signal,
        deadline,
        onSpawn: (pid) => emit({ type: 'process', role: 'nginx -V', pid }),
      }));
    timings.locateNginx = now() - locateStart;

    enter('starting-backend');
    tempDir = await createTempDir(options.tempDirPrefix ?? TEMP_DIR_PREFIX);
    emit({ type: 'temp-dir', path: tempDir.path });
    if (runningAsRoot()) await allowWorkersToEnter(tempDir.path);
    if (interrupted()) throw signal.reason;
    backend = await startBackend();
    emit({ type: 'port', role: 'backend', port: backend.port });
    configPath = join(tempDir.path, TEST_FILES.config);

    let configValid = true;
    for (let attempt = 1; attempt <= PORT_ATTEMPTS && !nginx; attempt++) {
      if (interrupted()) throw signal.reason;
      const listenPort = await findFreePort();
      emit({ type: 'port', role: 'nginx', port: listenPort });

      enter('building-config');
      let built: BuiltConfig;
      try {
        built = options.buildConfig({
          tempDir: tempDir.path,
          listenPort,
          backendPort: backend.port,
          isolation: isolationDirectives({
            tempDir: tempDir.path,
            configureArguments: installation.configureArguments,
          }),
          nginxVersion: installation.version,
        });
      } catch (error) {
        throw new BuildConfigError(error);
      }
      configText = built.text;
      sourceMap = built.sourceMap;
      requestUrl = `ws://${LOOPBACK}:${listenPort}${normalizeRequestPath(options.requestPath ?? built.requestPath)}`;
      await writeFile(configPath, built.text, { mode: 0o600 });

      enter('checking-config');
      const checkStart = now();
      const check = await checkConfig(installation, tempDir.path, configPath, {
        signal,
        deadline,
        onSpawn: (pid) => emit({ type: 'process', role: 'nginx -t', pid }),
      });
      timings.configCheck = now() - checkStart;
      nginxMessages.push(...check.errors);
      if (!check.ok) {
        configValid = false;
        kind = 'config-error';
        const first = check.errors.find((message) => message.level === 'emerg') ?? check.errors[0];
        outcomeError = {
          code: 'nginx-config-invalid',
          message: first?.message ?? (check.stderr.trim() || 'nginx -t failed'),
        };
        break;
      }

      enter('starting-nginx');
      const isolatedPidFile = join(tempDir.path, TEST_FILES.pid);
      const pidFile =
        built.pidFile === undefined
          ? built.text.includes(quoteNginxString(isolatedPidFile))
            ? isolatedPidFile
            : undefined
          : (built.pidFile ?? undefined);
      try {
        nginx = await startNginx({
          nginx: installation,
          prefixDir: tempDir.path,
          configFile: configPath,
          port: listenPort,
          pidFile,
          deadline,
          signal,
          onSpawn: (pid) => emit({ type: 'process', role: 'nginx', pid }),
        });
      } catch (error) {
        if (error instanceof NginxStartError) {
          nginxMessages.push(...error.messages);
          if (error.addressInUse && attempt < PORT_ATTEMPTS) continue;
        }
        throw error;
      }
      timings.nginxStartup = nginx.startupMs;
      nginxMessages.push(...parseNginxErrors(nginx.stderr()));
    }

    if (configValid && nginx && requestUrl) {
      enter('handshaking');
      const handshakeStart = now();
      handshake = await wsHandshake(requestUrl, {
        timeoutMs: remainingMs(deadline),
        signal,
        message: options.message,
        headers: options.headers,
        protocols: options.protocols,
      });
      timings.handshake = now() - handshakeStart;
      kind = classifyHandshake(handshake, interruption);
      if (kind === 'cancelled' || kind === 'timeout') {
        outcomeError = {
          code: kind,
          message: handshake.error?.message ?? `the proxy test ${kind === 'timeout' ? 'timed out' : 'was cancelled'}`,
        };
      }
    }
  } catch (error) {
    const classified = classifyRunError(error, interruption);
    kind = classified.kind;
    outcomeError = classified.error;
  }

  // Clean-up is not subject to the signal: it must finish, and each part is bounded.
  const lastStage = stage;
  enter('cleaning-up');
  const cleanupStart = now();
  const attempt = async (what: string, action: () => Promise<unknown>): Promise<void> => {
    try {
      await action();
    } catch (error) {
      problems.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  await Promise.all([
    attempt('stopping nginx', async () => nginx?.stop()),
    attempt('closing the backend', async () => backend?.close()),
  ]);
  let accessLog: string[] = [];
  if (tempDir) {
    const dir = tempDir.path;
    const disposeTempDir = tempDir.dispose;
    await attempt('reading the error log', async () =>
      nginxMessages.push(...parseNginxErrors(await readIfPresent(join(dir, TEST_FILES.errorLog)))),
    );
    await attempt('reading the access log', async () => {
      accessLog = (await readIfPresent(join(dir, TEST_FILES.accessLog)))
        .split('\n')
        .filter((line) => line.trim() !== '');
    });
    await attempt('removing the temp dir', disposeTempDir);
  }
  clearTimeout(timer);
  removeCallerAbort();

  const backendRequests = backend ? [...backend.requests()] : [];
  const finishedAt = now();
  const outcome: ProxyTestOutcome = {
    kind,
    stage: lastStage,
    handshake,
    backendSaw: firstBackendRequest(backendRequests),
    backendRequests,
    nginxErrors: dedupeNginxMessages(nginxMessages),
    accessLog,
    timings: { total: finishedAt - startedAt, ...timings, cleanup: finishedAt - cleanupStart },
    nginxVersion: installation?.version ?? null,
    nginxPath: installation?.path ?? null,
    configText,
    configPath,
    sourceMap,
    requestUrl,
    problems,
  };
  if (outcomeError) outcome.error = outcomeError;
  return outcome;
}
