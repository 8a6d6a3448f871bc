import { describeSent, isUpgradeValue, lacksUpgradeToken, relatedOf, wrongFor } from './received';
import type { Rule } from './types';

export const connectionNotUpgrade: Rule = {
  code: 'ws-connection-not-upgrade',
  defaultSeverity: 'error',
  title: 'Connection is "", "close" or "keep-alive" in a WebSocket location',
  check({ connection, handshakes }) {
    // The value's Word (and the line's node) only for a line reported: valueText says whether there is one.
    if (!connection || connection.valueText === undefined) return undefined;
    // "websocket" there is the Upgrade value: ws-swapped-headers names that mistake.
    const wrong = wrongFor(
      handshakes,
      (sent) => sent.connection,
      (sentValue) => lacksUpgradeToken(sentValue) && !isUpgradeValue(sentValue),
    );
    const value = wrong ? connection.value : undefined;
    if (!wrong || !value) return undefined;
    const why =
      wrong.value === ''
        ? 'an empty value is not sent at all (the upstream keepalive idiom)'
        : 'it has no "upgrade" token, so the backend does not upgrade';
    return {
      message: `WebSocket upgrade will fail here: ${wrong.who} the backend receives ${describeSent('Connection', wrong.value)}: ${why}. A WebSocket needs Connection "upgrade" or the $connection_upgrade map.`,
      at: { file: connection.node.file, range: value.range },
      related: relatedOf(wrong.sent.result.chain.slice(1)),
      data: { kind: 'replace-value', file: connection.node.file, range: value.range, newValue: '"upgrade"' },
    };
  },
};
