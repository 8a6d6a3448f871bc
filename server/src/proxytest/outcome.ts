/**
 * The result of a proxy test as data, and the pure rules that classify it. Wording for users is
 * the diagnosis layer's job; this keeps everything it may need.
 */
import { CancelledError, TimeoutError } from './abort';
import type { BackendRequest } from './backend';
import type { HandshakeResult } from './handshake';
import { NginxLaunchError, NginxNotFoundError, NginxStartError } from './nginx';
import type { NginxMessage } from './nginxOutput';

export type OutcomeKind = 'passed' | 'failed' | 'config-error' | 'environment-error' | 'cancelled' | 'timeout';

/** The steps of a run, in order; an outcome says which one it reached. */
export type ProxyTestStage =
  | 'locating-nginx'
  | 'starting-backend'
  | 'building-config'
  | 'checking-config'
  | 'starting-nginx'
  | 'handshaking'
  | 'cleaning-up';

export type OutcomeErrorCode =
  | 'nginx-not-found'
  | 'nginx-launch-failed'
  | 'nginx-start-failed'
  | 'build-config-failed'
  | 'nginx-config-invalid'
  | 'timeout'
  | 'cancelled'
  | 'unexpected';

export interface OutcomeError {
  code: OutcomeErrorCode;
  message: string;
}

export interface ProxyTestTimings {
  /** From the call until the outcome, clean-up included. */
  total: number;
  locateNginx: number | null;
  configCheck: number | null;
  /** From spawning nginx until its port accepted a connection. */
  nginxStartup: number | null;
  handshake: number | null;
  cleanup: number;
}

export interface ProxyTestOutcome {
  kind: OutcomeKind;
  /** The last stage entered before clean-up (where a cancelled or timed-out run stopped). */
  stage: ProxyTestStage;
  error?: OutcomeError;
  handshake: HandshakeResult | null;
  /** The first request that reached the backend; null when nothing got through nginx. */
  backendSaw: BackendRequest | null;
  backendRequests: BackendRequest[];
  /** From `nginx -t`, nginx's start-up stderr and its error log, without repeats. */
  nginxErrors: NginxMessage[];
  /** nginx's access log lines, when the config logged to the temp dir (isolationDirectives). */
  accessLog: string[];
  timings: ProxyTestTimings;
  nginxVersion: string | null;
  nginxPath: string | null;
  configText: string | null;
  /** Where the config was written: `nginxErrors` name this file (which no longer exists). */
  configPath: string | null;
  /** What buildConfig returned to map configPath lines back to the user's files. */
  sourceMap: unknown;
  requestUrl: string | null;
  /** Clean-up or progress-callback failures: they do not change `kind` but must not vanish. */
  problems: string[];
}

/** A handshake passes when it upgraded and the backend's echo came back unchanged. */
export function handshakePassed(handshake: HandshakeResult): boolean {
  const echo = handshake.echo;
  return handshake.upgraded && handshake.error === undefined && echo !== undefined && echo.received === echo.sent;
}

/** The error buildConfig threw, wrapped so it is told apart from our own failures. */
export class BuildConfigError extends Error {
  readonly code = 'build-config-failed' as const;
  constructor(cause: unknown) {
    super(`building the test config failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'BuildConfigError';
  }
}

/**
 * How a run that ended with `error` is classified. Cancellation and the run's own timeout win
 * over whatever error the interrupted step produced, since that error is only their echo.
 */
export function classifyRunError(
  error: unknown,
  interruption: { cancelled: boolean; timedOut: boolean },
): { kind: OutcomeKind; error: OutcomeError } {
  const message = error instanceof Error ? error.message : String(error);
  if (interruption.cancelled)
    return { kind: 'cancelled', error: { code: 'cancelled', message: 'the proxy test was cancelled' } };
  if (interruption.timedOut || error instanceof TimeoutError)
    return { kind: 'timeout', error: { code: 'timeout', message } };
  if (error instanceof CancelledError) return { kind: 'cancelled', error: { code: 'cancelled', message } };
  if (error instanceof NginxNotFoundError) return { kind: 'environment-error', error: { code: error.code, message } };
  if (error instanceof NginxLaunchError) return { kind: 'environment-error', error: { code: error.code, message } };
  if (error instanceof NginxStartError) return { kind: 'environment-error', error: { code: error.code, message } };
  if (error instanceof BuildConfigError) return { kind: 'config-error', error: { code: error.code, message } };
  return { kind: 'environment-error', error: { code: 'unexpected', message } };
}

/**
 * The kind of a run whose handshake returned. A handshake cut short by cancellation or by the
 * run's time limit (its own timeout is what was left of it) is not evidence against the proxy.
 */
export function classifyHandshake(
  handshake: HandshakeResult,
  interruption: { cancelled: boolean; timedOut: boolean },
): OutcomeKind {
  if (handshakePassed(handshake)) return 'passed';
  if (interruption.cancelled) return 'cancelled';
  if (interruption.timedOut || handshake.error?.code === 'timeout') return 'timeout';
  if (handshake.error?.code === 'aborted') return 'cancelled';
  return 'failed';
}

/** The first request the backend received, or null if nginx never reached it. */
export function firstBackendRequest(requests: readonly BackendRequest[]): BackendRequest | null {
  return requests[0] ?? null;
}
