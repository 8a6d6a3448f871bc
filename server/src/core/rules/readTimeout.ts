import type { Rule } from './types';

/** nginx time syntax: `90`, `90s`, `5m`, `1h30m`, `1d`. Returns seconds. */
export function parseNginxTime(value: string): number | undefined {
  const units: Record<string, number> = {
    ms: 0.001,
    s: 1,
    m: 60,
    h: 3600,
    d: 86400,
    w: 604800,
    M: 2592000,
    y: 31536000,
  };
  let total = 0;
  let rest = value.trim();
  if (/^\d+$/.test(rest)) return Number(rest);
  while (rest) {
    const match = /^(\d+)(ms|s|m|h|d|w|M|y)/.exec(rest);
    if (!match) return undefined;
    total += Number(match[1]) * (units[match[2] as string] ?? 1);
    rest = rest.slice(match[0].length).trim();
  }
  return total;
}

export const readTimeout: Rule = {
  code: 'ws-read-timeout',
  defaultSeverity: 'information',
  title: 'proxy_read_timeout is at or below the 60 s default',
  check({ location, evidence }) {
    if (evidence.strength === 'devserver' || evidence.strength === 'hinted') return undefined;
    const setting = location.proxyReadTimeout;
    const seconds = setting ? parseNginxTime(setting.value) : 60;
    if (seconds === undefined || seconds > 60) return undefined;
    return {
      message: `nginx closes a proxied WebSocket that sends nothing for ${setting ? setting.value : '60s (the default)'} (proxy_read_timeout). Raise it for long-lived sockets, or make sure the application pings.`,
      at: setting ? { file: setting.node.file, range: setting.node.directive.range } : undefined,
      severity: 'information',
      data: setting?.word
        ? { kind: 'replace-value', file: setting.node.file, range: setting.word.range, newValue: '3600s' }
        : { kind: 'insert', lines: ['proxy_read_timeout 3600s;'] },
    };
  },
};
