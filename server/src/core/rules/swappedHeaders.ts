import { describeSent, isConnectionValue, isUpgradeValue, relatedOf, wrongFor } from './received';
import { soleVariable } from './headers';
import type { Rule, RuleFinding } from './types';

const CONNECTION_VARIABLES = new Set(['connection_upgrade', 'http_connection']);

export const swappedHeaders: Rule = {
  code: 'ws-swapped-headers',
  defaultSeverity: 'error',
  title: 'Upgrade and Connection values are swapped',
  check({ upgrade, connection, handshakes }) {
    // Each swapped value is its own finding, so that fix-all mends both in one pass.
    const findings: RuleFinding[] = [];
    // Values read as text first: their Words (and nodes) are made only for a line this reports.
    const upgradeText = upgrade?.valueText;
    const wrongUpgrade = wrongFor(handshakes, (sent) => sent.upgrade, isConnectionValue);
    // With its map missing, the Connection idiom's variable cannot be evaluated, but on the Upgrade
    // line it is the wrong value whatever a map would say (ws-undefined-variable reports the map).
    const idiom =
      !wrongUpgrade && upgradeText !== undefined && CONNECTION_VARIABLES.has(soleVariable(upgradeText) ?? '');
    const upgradeValue = upgrade && (wrongUpgrade || idiom) ? upgrade.value : undefined;
    const connectionIdiom = idiom ? upgradeValue?.raw : undefined;
    if (upgrade && upgradeValue && (wrongUpgrade || connectionIdiom)) {
      findings.push({
        message: wrongUpgrade
          ? `WebSocket upgrade will fail here: ${wrongUpgrade.who} the backend receives ${describeSent('Upgrade', wrongUpgrade.value)}, a Connection value, not the protocol name; the Upgrade value must be $http_upgrade.`
          : `WebSocket upgrade will fail here: the Upgrade header gets ${connectionIdiom ?? ''}, the Connection idiom's variable, not the protocol name; the Upgrade value must be $http_upgrade.`,
        at: { file: upgrade.node.file, range: upgradeValue.range },
        related: relatedOf(wrongUpgrade?.sent.result.chain.slice(1) ?? []),
        data: { kind: 'replace-value', file: upgrade.node.file, range: upgradeValue.range, newValue: '$http_upgrade' },
      });
    }
    const wrongConnection = wrongFor(handshakes, (sent) => sent.connection, isUpgradeValue);
    const connectionValue = connection && wrongConnection ? connection.value : undefined;
    if (connection && connectionValue && wrongConnection) {
      findings.push({
        message: `WebSocket upgrade will fail here: ${wrongConnection.who} the backend receives ${describeSent('Connection', wrongConnection.value)}, the Upgrade value, without the "upgrade" token the backend looks for; the Connection value must be "upgrade".`,
        at: { file: connection.node.file, range: connectionValue.range },
        related: relatedOf(wrongConnection.sent.result.chain.slice(1)),
        data: {
          kind: 'replace-value',
          file: connection.node.file,
          range: connectionValue.range,
          newValue: '"upgrade"',
        },
      });
    }
    return findings;
  },
};
