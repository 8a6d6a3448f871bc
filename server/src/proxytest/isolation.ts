/**
 * The directives that keep a test nginx inside its temp dir, as config text for buildConfig to
 * place. Without them nginx uses its compiled-in paths (Debian: /run/nginx.pid,
 * /var/log/nginx/access.log, /var/lib/nginx/*), which belong to the system nginx or need root.
 */
import * as path from 'node:path';

/** Names of the files and folders a test nginx uses inside its temp dir. */
export const TEST_FILES = {
  config: 'nginx.conf',
  pid: 'nginx.pid',
  errorLog: 'error.log',
  accessLog: 'access.log',
  lock: 'nginx.lock',
} as const;

/** `*_temp_path` directives, with the `--without-*` configure flag that removes each module. */
const TEMP_PATHS: ReadonlyArray<{ directive: string; folder: string; withoutFlag?: string }> = [
  { directive: 'client_body_temp_path', folder: 'client_body_temp' },
  { directive: 'proxy_temp_path', folder: 'proxy_temp', withoutFlag: '--without-http_proxy_module' },
  { directive: 'fastcgi_temp_path', folder: 'fastcgi_temp', withoutFlag: '--without-http_fastcgi_module' },
  { directive: 'uwsgi_temp_path', folder: 'uwsgi_temp', withoutFlag: '--without-http_uwsgi_module' },
  { directive: 'scgi_temp_path', folder: 'scgi_temp', withoutFlag: '--without-http_scgi_module' },
];

export interface IsolationDirectives {
  /** For the main (top-level) context. */
  main: string[];
  /** For the `events {}` block. */
  events: string[];
  /** For the `http {}` block. */
  http: string[];
}

export interface IsolationOptions {
  tempDir: string;
  /** From `nginx -V`; a module built `--without-...` has no temp-path directive to set. */
  configureArguments?: readonly string[];
  /** Path flavour of the machine nginx runs on (tests pass 'win32' to check quoting). */
  platform?: NodeJS.Platform;
}

/**
 * Quotes a value for an nginx config: double quotes, with `\` and `"` escaped, which nginx's
 * parser undoes inside quoted strings (Windows paths contain backslashes, macOS temp paths can
 * contain spaces).
 */
export function quoteNginxString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * pid, error_log, access_log, lock_file and every `*_temp_path` in the temp dir; one worker.
 *
 * There is deliberately no `user` directive. Unprivileged, nginx ignores it with a warning. As
 * root it is needed only to name a different worker user: the compiled-in default (`nobody`, and
 * on Debian group `nogroup`) exists on every common system, whereas `user nobody;` fails on
 * Debian (no group `nobody`). What workers do need as root is to enter the temp dir to reach
 * their temp paths: see `allowWorkersToEnter` in tempdir.ts.
 */
export function isolationDirectives(options: IsolationOptions): IsolationDirectives {
  const join = (options.platform ?? process.platform) === 'win32' ? path.win32.join : path.posix.join;
  const inTemp = (name: string): string => quoteNginxString(join(options.tempDir, name));
  const configure = new Set(options.configureArguments ?? []);
  return {
    main: [
      `pid ${inTemp(TEST_FILES.pid)};`,
      `error_log ${inTemp(TEST_FILES.errorLog)} warn;`,
      `lock_file ${inTemp(TEST_FILES.lock)};`,
      'worker_processes 1;',
    ],
    events: ['worker_connections 64;'],
    http: [
      `access_log ${inTemp(TEST_FILES.accessLog)};`,
      ...TEMP_PATHS.filter((entry) => !entry.withoutFlag || !configure.has(entry.withoutFlag)).map(
        (entry) => `${entry.directive} ${inTemp(entry.folder)};`,
      ),
    ],
  };
}
