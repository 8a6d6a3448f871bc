import { classifyConnection } from './headers';
import type { Rule } from './types';

export const connectionNotUpgrade: Rule = {
  code: 'ws-connection-not-upgrade',
  defaultSeverity: 'error',
  title: 'Connection is "", "close" or "keep-alive" in a WebSocket location',
  check({ model, connection }) {
    const value = connection?.value;
    if (!connection || !value || classifyConnection(model, value.value) !== 'keepalive-or-close') return undefined;
    const shown = value.value === '' ? '""' : `"${value.value}"`;
    return {
      message: `WebSocket upgrade will fail here: Connection ${shown} tells the backend not to upgrade (${value.value === '' ? 'the upstream keepalive idiom' : 'a plain-HTTP setting'}); a WebSocket needs Connection "upgrade" or the $connection_upgrade map.`,
      at: { file: connection.node.file, range: value.range },
      data: { kind: 'replace-value', file: connection.node.file, range: value.range, newValue: '"upgrade"' },
    };
  },
};
