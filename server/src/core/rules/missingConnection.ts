import { droppedHeader } from './headers';
import { describeSent } from './received';
import type { Rule } from './types';

export const missingConnection: Rule = {
  code: 'ws-missing-connection',
  defaultSeverity: 'error',
  title: 'The Connection header is not set to upgrade',
  check({ location, connection, handshakes }) {
    if (connection || droppedHeader(location, 'connection')) return undefined;
    const result = handshakes[0]?.connection.result;
    const sent = result?.known ? result.value : 'close';
    return {
      message: `WebSocket upgrade will fail here: for a Chrome or a Firefox handshake the backend receives ${describeSent('Connection', sent)} (nginx's default: it does not forward the client's Connection), so the Upgrade is ignored and the backend answers with a plain response. Add "proxy_set_header Connection "upgrade";".`,
      data: { kind: 'insert', lines: ['proxy_set_header Connection "upgrade";'] },
    };
  },
};
