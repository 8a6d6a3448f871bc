import { droppedHeader } from './headers';
import type { Rule } from './types';

export const missingConnection: Rule = {
  code: 'ws-missing-connection',
  defaultSeverity: 'error',
  title: 'The Connection header is not set to upgrade',
  check({ location, connection }) {
    if (connection || droppedHeader(location, 'connection')) return undefined;
    return {
      message:
        'WebSocket upgrade will fail here: nginx sends "Connection: close" to the backend unless told otherwise, so the Upgrade is ignored and the backend answers with a plain response. Add "proxy_set_header Connection "upgrade";".',
      data: { kind: 'insert', lines: ['proxy_set_header Connection "upgrade";'] },
    };
  },
};
