/**
 * Pure readers of what nginx prints: its version banner (`nginx -v` / `-V`), its configure
 * arguments, and its error messages in both forms it writes them.
 */

export type NginxLogLevel = 'debug' | 'info' | 'notice' | 'warn' | 'error' | 'crit' | 'alert' | 'emerg';

export interface NginxMessage {
  level: NginxLogLevel;
  /** The message without the "in FILE:LINE" suffix. */
  message: string;
  file?: string;
  line?: number;
  /** PID of the nginx process that logged it (timestamped form only). */
  pid?: number;
  /** nginx's connection number (`*N`), present on messages about a request. */
  connection?: number;
}

const LEVELS: ReadonlySet<string> = new Set(['debug', 'info', 'notice', 'warn', 'error', 'crit', 'alert', 'emerg']);

function isLevel(value: string): value is NginxLogLevel {
  return LEVELS.has(value);
}

// `nginx: [emerg] MESSAGE`: what nginx writes to stderr while its error log is not stderr.
const STDERR_FORM = /^nginx: \[([a-z]+)\] (.*)$/;
// `2024/01/02 03:04:05 [emerg] 123#123: *5 MESSAGE`: the error-log form; Debian's build logs to
// stderr by default (--error-log-path=stderr), so `nginx -t` prints this form there.
const LOG_FORM = /^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} \[([a-z]+)\] (\d+)#\d+: (?:\*(\d+) )?(.*)$/;
// Greedy head: the location is the last " in FILE:LINE", and FILE may itself contain ':' (C:\...).
const LOCATION_SUFFIX = /^(.*) in ([^"]+):(\d+)$/;

/**
 * Every levelled message in `output` (stderr of `nginx -t` or of a starting nginx, or an error
 * log), in order. Lines that are not levelled messages, such as "nginx: configuration file ...
 * test failed", are skipped.
 */
export function parseNginxErrors(output: string): NginxMessage[] {
  const messages: NginxMessage[] = [];
  for (const rawLine of output.split(/\r?\n/)) {
    const line = rawLine.trimEnd();
    if (line === '') continue;
    let level: string;
    let text: string;
    let pid: number | undefined;
    let connection: number | undefined;
    const logMatch = LOG_FORM.exec(line);
    if (logMatch) {
      level = logMatch[1] ?? '';
      pid = Number(logMatch[2]);
      connection = logMatch[3] === undefined ? undefined : Number(logMatch[3]);
      text = logMatch[4] ?? '';
    } else {
      const stderrMatch = STDERR_FORM.exec(line);
      if (!stderrMatch) continue;
      level = stderrMatch[1] ?? '';
      text = stderrMatch[2] ?? '';
    }
    if (!isLevel(level)) continue;
    const entry: NginxMessage = { level, message: text };
    const located = LOCATION_SUFFIX.exec(text);
    if (located) {
      entry.message = located[1] ?? text;
      entry.file = located[2];
      entry.line = Number(located[3]);
    }
    if (pid !== undefined) entry.pid = pid;
    if (connection !== undefined) entry.connection = connection;
    messages.push(entry);
  }
  return messages;
}

/**
 * Drops repeats of the same message. An nginx whose startup log is a file prints each message
 * twice (the `nginx:` form to stderr, the timestamped one to the file); a test reads both.
 */
export function dedupeNginxMessages(messages: readonly NginxMessage[]): NginxMessage[] {
  const seen = new Set<string>();
  const unique: NginxMessage[] = [];
  for (const message of messages) {
    const key = `${message.level}\u0000${message.message}\u0000${message.file ?? ''}\u0000${message.line ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(message);
  }
  return unique;
}

/** Messages at `error` level or worse. */
export function isSeriousNginxMessage(message: NginxMessage): boolean {
  return (
    message.level === 'error' || message.level === 'crit' || message.level === 'alert' || message.level === 'emerg'
  );
}

export interface NginxVersionInfo {
  /** The nginx core version, e.g. "1.22.1", also for builds such as OpenResty or Tengine. */
  version: string;
  /** What the banner names, e.g. "nginx/1.22.1", "openresty/1.21.4.1", "Tengine/2.3.3". */
  build: string;
}

/**
 * Reads `nginx version: nginx/1.22.1` (also "nginx/1.24.0 (Ubuntu)", "openresty/1.21.4.1" and
 * "Tengine/2.3.3 (nginx/1.18.0)") from `nginx -v` or `nginx -V` output.
 */
export function parseNginxVersion(output: string): NginxVersionInfo | undefined {
  const banner = /^\s*[\w ]*version: ([^\s/]+)\/(\d+(?:\.\d+)+)(.*)$/m.exec(output);
  if (!banner) return undefined;
  const product = banner[1] ?? '';
  const productVersion = banner[2] ?? '';
  const rest = banner[3] ?? '';
  const build = `${product}/${productVersion}`;
  const embedded = /\(nginx\/(\d+\.\d+\.\d+)\)/.exec(rest);
  if (embedded?.[1]) return { version: embedded[1], build };
  // OpenResty numbers its releases after the nginx core they bundle, plus a fourth part.
  const core = productVersion.split('.').slice(0, 3).join('.');
  return { version: core, build };
}

/** The `configure arguments:` of `nginx -V`, split like a shell would (single/double quotes). */
export function parseConfigureArguments(output: string): string[] {
  const line = /^configure arguments:(.*)$/m.exec(output);
  if (!line?.[1]) return [];
  const args: string[] = [];
  let current = '';
  let inToken = false;
  let quote: '"' | "'" | undefined;
  for (const char of line[1]) {
    if (quote) {
      if (char === quote) quote = undefined;
      else current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      inToken = true;
    } else if (char === ' ' || char === '\t') {
      if (inToken) args.push(current);
      current = '';
      inToken = false;
    } else {
      current += char;
      inToken = true;
    }
  }
  if (inToken) args.push(current);
  return args;
}

/** -1, 0 or 1 as dotted version `a` is older than, equal to or newer than `b`. */
export function compareVersions(a: string, b: string): number {
  const left = a.split('.').map((part) => Number.parseInt(part, 10) || 0);
  const right = b.split('.').map((part) => Number.parseInt(part, 10) || 0);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return difference < 0 ? -1 : 1;
  }
  return 0;
}

/**
 * True when stderr says the listen address was taken (Linux errno 98, macOS 48, Windows 10048):
 * someone else grabbed the free port between our choosing it and nginx binding it.
 */
export function saysAddressInUse(stderr: string): boolean {
  return /bind\(\) to \S+ failed \((?:98|48|10048): /.test(stderr) || /Address already in use/.test(stderr);
}
