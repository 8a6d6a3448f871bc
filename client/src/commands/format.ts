// Pure helpers of the commands: wording and validation, unit-tested without VS Code.
import type { HandshakeResult } from '../../../server/src/proxytest/handshake';
import type { ProxyTestStage } from '../../../server/src/proxytest/outcome';

const STAGES: Record<ProxyTestStage, string> = {
  'locating-nginx': 'finding nginx…',
  'starting-backend': 'starting the ws backend…',
  'building-config': 'writing the test config…',
  'checking-config': 'nginx -t…',
  'starting-nginx': 'starting nginx…',
  handshaking: 'WebSocket handshake…',
  'cleaning-up': 'cleaning up…',
};

export function stageLabel(stage: ProxyTestStage): string {
  return STAGES[stage];
}

/** Undefined when `value` is a ws:// or wss:// URL, else why not (for an input box). */
export function validateWebSocketUrl(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return 'Enter a URL such as wss://example.com/ws.';
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:')
    return `The URL must start with ws:// or wss://, not ${url.protocol}//.`;
  return undefined;
}

/** The report of a handshake against a deployed server: first line for the notification. */
export function describeRunningServerResult(result: HandshakeResult): string[] {
  const status = result.status === null ? 'no HTTP answer' : `${result.status} ${result.statusText ?? ''}`.trim();
  const lines: string[] = [];
  if (result.upgraded && !result.error) {
    const roundTrip = result.echo?.roundTripMs;
    lines.push(
      `${result.url}: WebSocket handshake succeeded (${status})${roundTrip != null ? `; a message came back in ${Math.round(roundTrip)} ms` : ''}.`,
    );
  } else if (result.upgraded) {
    lines.push(`${result.url}: upgraded (${status}), but ${result.error?.message ?? 'the message exchange failed'}.`);
  } else {
    lines.push(`${result.url}: WebSocket handshake failed — ${result.error?.message ?? status}.`);
  }
  lines.push(`Status: ${status}`);
  for (const [name, value] of result.headers) lines.push(`  ${name}: ${value}`);
  if (result.bodySnippet) lines.push(`Body: ${result.bodySnippet}`);
  if (!result.upgraded && result.status !== null && result.status !== 101) {
    lines.push(
      'A proxy that does not pass Upgrade and Connection on, or speaks HTTP/1.0 to the backend, gives this; the backend answers as to a plain request.',
    );
  }
  return lines;
}
