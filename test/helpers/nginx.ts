// Runs a real `nginx -t` on a configuration text, isolated: its own prefix in a temporary directory,
// its own pid file and error log, so that it never touches /etc/nginx or a running nginx.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** The nginx binary to test against: `$NGINX`, else the first `nginx` on PATH or in the sbin folders. */
export function findNginx(): string | undefined {
  const candidates = [
    process.env.NGINX,
    ...(process.env.PATH ?? '').split(path.delimiter).map((dir) => dir && path.join(dir, 'nginx')),
    '/usr/sbin/nginx',
    '/usr/local/sbin/nginx',
    '/usr/local/nginx/sbin/nginx',
  ];
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not there; try the next
    }
  }
  return undefined;
}

export interface NginxCheck {
  readonly ok: boolean;
  /** The first `[emerg]` message, without its location. */
  readonly message: string | undefined;
  /** The 1-based line nginx named. */
  readonly line: number | undefined;
  readonly file: string | undefined;
  /** Everything nginx printed, for assertion messages. */
  readonly output: string;
}

const EMERG = /\[emerg\] (?:\d+#\d+: )?(.*) in (.+):(\d+)\s*$/;

/** Reads the first located `[emerg]` line of `nginx -t` output (both the stderr and the log form). */
export function readNginxFirstError(output: string): { message: string; file: string; line: number } | undefined {
  for (const line of output.split(/\r?\n/)) {
    const match = EMERG.exec(line);
    if (match) return { message: match[1] as string, file: match[2] as string, line: Number(match[3]) };
  }
  return undefined;
}

/**
 * `nginx -t -q` on a config file where it stands (its includes resolve from there), with a fresh
 * prefix directory for the pid file and error log, removed afterwards.
 */
export function nginxTestFile(
  nginx: string,
  config: string,
  timeoutMs = 30_000,
): NginxCheck & { readonly wallMs: number } {
  const prefix = mkdtempSync(path.join(tmpdir(), 'nginx-ws-t-'));
  try {
    mkdirSync(path.join(prefix, 'logs'));
    const start = performance.now();
    const result = spawnSync(
      nginx,
      [
        '-t',
        '-q',
        '-p',
        prefix + path.sep,
        '-c',
        config,
        '-g',
        `pid ${prefix}/nginx.pid; error_log ${prefix}/logs/error.log;`,
      ],
      { encoding: 'utf8', timeout: timeoutMs },
    );
    const wallMs = performance.now() - start;
    if (result.error) throw result.error;
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
    const first = readNginxFirstError(output);
    return { ok: result.status === 0, message: first?.message, line: first?.line, file: first?.file, output, wallMs };
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
}

/** `nginx -t -q` on `text` saved as `fileName` in a temporary folder, removed afterwards. */
export function nginxTest(nginx: string, text: string, fileName = 'nginx.conf'): NginxCheck {
  const folder = mkdtempSync(path.join(tmpdir(), 'nginx-ws-conf-'));
  try {
    const config = path.join(folder, fileName);
    writeFileSync(config, text);
    return nginxTestFile(nginx, config);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
