import { droppedHeader } from './headers';
import type { Rule } from './types';

export const missingUpgrade: Rule = {
  code: 'ws-missing-upgrade',
  defaultSeverity: 'error',
  title: 'The Upgrade header is not passed to the backend',
  check({ location, upgrade }) {
    if (upgrade || droppedHeader(location, 'upgrade')) return undefined;
    return {
      message:
        'WebSocket upgrade will fail here: nginx does not forward the client\'s Upgrade header (it is hop-by-hop), so the backend sees a plain request and a ws server answers 426. Add "proxy_set_header Upgrade $http_upgrade;".',
      data: { kind: 'insert', lines: ['proxy_set_header Upgrade $http_upgrade;'] },
    };
  },
};
