import { hasUpgradeToken, type ChainLink, type SentHeader, type UpstreamRequest } from '../eval/evaluate';
import type { RelatedLocation } from './types';

/** `"Connection: close"`, or `no Connection header` for a value nginx does not send. */
export function describeSent(name: string, value: string): string {
  return value === '' ? `no ${name} header` : `"${name}: ${value}"`;
}

export function relatedOf(chain: readonly ChainLink[]): RelatedLocation[] {
  return chain.map((link) => ({ file: link.file, range: link.range, message: link.message }));
}

/**
 * The handshakes for which `header` is known and `wrong`, with what they send: the sentence's
 * subject ("for a Chrome or a Firefox handshake") and the first one's value and chain.
 */
export function wrongFor(
  handshakes: readonly UpstreamRequest[],
  header: (sent: UpstreamRequest) => SentHeader,
  wrong: (value: string) => boolean,
): { readonly who: string; readonly value: string; readonly sent: SentHeader } | undefined {
  const failing = handshakes.filter((sent) => {
    const result = header(sent).result;
    return result.known && wrong(result.value);
  });
  const first = failing[0];
  if (!first) return undefined;
  const result = header(first).result;
  if (!result.known) return undefined;
  const sameValue = failing.every((sent) => {
    const other = header(sent).result;
    return other.known && other.value === result.value;
  });
  const who =
    failing.length > 1 && sameValue
      ? `for ${joinLabels(failing.map((sent) => sent.request.label))}`
      : `for ${first.request.label}`;
  return { who, value: result.value, sent: header(first) };
}

/** A Connection value as a handshake needs it: one with the `upgrade` token. */
export function lacksUpgradeToken(value: string): boolean {
  return !hasUpgradeToken(value);
}

/** What a Connection value is when it is really an Upgrade value: the protocol name. */
export function isUpgradeValue(value: string): boolean {
  return value.trim().toLowerCase() === 'websocket';
}

/** What an Upgrade value is when it is really a Connection value: a token list of upgrade/close/keep-alive. */
export function isConnectionValue(value: string): boolean {
  return (
    value !== '' &&
    value
      .toLowerCase()
      .split(',')
      .every((token) => ['upgrade', 'close', 'keep-alive'].includes(token.trim()))
  );
}

/** "a Chrome or a Firefox handshake" rather than "a Chrome handshake or a Firefox handshake". */
function joinLabels(labels: readonly string[]): string {
  const suffix = ' handshake';
  if (labels.length < 2 || !labels.every((label) => label.endsWith(suffix))) return labels.join(' or ');
  return `${labels.map((label) => label.slice(0, -suffix.length)).join(' or ')}${suffix}`;
}
