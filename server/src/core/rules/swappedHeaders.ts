import { classifyConnection, classifyUpgrade } from './headers';
import type { Rule, RuleFinding } from './types';

export const swappedHeaders: Rule = {
  code: 'ws-swapped-headers',
  defaultSeverity: 'error',
  title: 'Upgrade and Connection values are swapped',
  check({ model, upgrade, connection }) {
    // Each swapped value is its own finding, so that fix-all mends both in one pass.
    const findings: RuleFinding[] = [];
    if (upgrade?.value && classifyUpgrade(model, upgrade.value.value) === 'swapped') {
      findings.push({
        message: `WebSocket upgrade will fail here: the Upgrade header gets ${upgrade.value.raw}, which is "upgrade" or "close", not the protocol name; it must be $http_upgrade.`,
        at: { file: upgrade.node.file, range: upgrade.value.range },
        data: { kind: 'replace-value', file: upgrade.node.file, range: upgrade.value.range, newValue: '$http_upgrade' },
      });
    }
    if (connection?.value && classifyConnection(model, connection.value.value) === 'swapped') {
      findings.push({
        message: `WebSocket upgrade will fail here: the Connection header gets $http_upgrade ("websocket"), which does not contain the "upgrade" token the backend looks for; it must be "upgrade".`,
        at: { file: connection.node.file, range: connection.value.range },
        data: {
          kind: 'replace-value',
          file: connection.node.file,
          range: connection.value.range,
          newValue: '"upgrade"',
        },
      });
    }
    return findings;
  },
};
