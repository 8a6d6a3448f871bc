import { droppedHeader } from './headers';
import { describeSent, isConnectionValue, isUpgradeValue, relatedOf, wrongFor } from './received';
import type { Rule } from './types';

export const missingUpgrade: Rule = {
  code: 'ws-missing-upgrade',
  defaultSeverity: 'error',
  title: 'The Upgrade header is not passed to the backend',
  check({ location, upgrade, handshakes }) {
    if (!upgrade) {
      if (droppedHeader(location, 'upgrade')) return undefined;
      return {
        message:
          'WebSocket upgrade will fail here: for a Chrome or a Firefox handshake the backend receives no Upgrade header, because nginx does not forward the client\'s (it is hop-by-hop), so the backend sees a plain request and a ws server answers 426. Add "proxy_set_header Upgrade $http_upgrade;".',
        data: { kind: 'insert', lines: ['proxy_set_header Upgrade $http_upgrade;'] },
      };
    }
    // A line that sends something else than the protocol name; a Connection value is ws-swapped-headers'.
    const wrong = wrongFor(
      handshakes,
      (sent) => sent.upgrade,
      (sentValue) => !isUpgradeValue(sentValue) && !isConnectionValue(sentValue),
    );
    // The value's Word (and the line's node) only for a line reported.
    const value = wrong ? upgrade.value : undefined;
    if (!wrong || !value) return undefined;
    return {
      message: `WebSocket upgrade will fail here: ${wrong.who} the backend receives ${describeSent('Upgrade', wrong.value)} instead of the client's "Upgrade: websocket"; the value must be $http_upgrade.`,
      at: { file: upgrade.node.file, range: value.range },
      related: relatedOf(wrong.sent.result.chain.slice(1)),
      data: { kind: 'replace-value', file: upgrade.node.file, range: value.range, newValue: '$http_upgrade' },
    };
  },
};
