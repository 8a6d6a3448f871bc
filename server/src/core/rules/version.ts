export interface NginxVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/** Parses "1.22.1", "nginx/1.22.1" or the output of `nginx -v`. */
export function parseNginxVersion(text: string): NginxVersion | undefined {
  const match = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3] ?? 0) };
}

export function compareVersions(a: NginxVersion, b: NginxVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

export function formatVersion(version: NginxVersion): string {
  return `${version.major}.${version.minor}.${version.patch}`;
}

/** nginx commit 6bb27a631, first in 1.29.7: HTTP/1.1 to upstreams by default. */
export const HTTP11_DEFAULT_SINCE: NginxVersion = { major: 1, minor: 29, patch: 7 };

/** Whether this nginx speaks HTTP/1.1 to upstreams without `proxy_http_version 1.1`. Unknown: no. */
export function defaultsToHttp11(version: NginxVersion | undefined): boolean {
  return version !== undefined && compareVersions(version, HTTP11_DEFAULT_SINCE) >= 0;
}
