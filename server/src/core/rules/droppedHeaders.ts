import { describeSent } from './received';
import type { Rule } from './types';

export const droppedHeaders: Rule = {
  code: 'ws-dropped-headers',
  defaultSeverity: 'error',
  title: 'Inherited Upgrade/Connection lines are dropped by a local proxy_set_header',
  check({ location, handshakes }) {
    const dropped = location.headers.dropped;
    const droppedWs = dropped.filter((line) => line.key === 'upgrade' || line.key === 'connection');
    if (!droppedWs.length) return undefined;
    const firstLocal = location.headers.lines[0];
    const names = droppedWs.map((line) => line.name).join(' and ');
    const first = handshakes[0];
    const received = first
      ? droppedWs
          .map((line) => {
            const result = line.key === 'upgrade' ? first.upgrade.result : first.connection.result;
            return result.known ? describeSent(line.name, result.value) : undefined;
          })
          .filter((text) => text !== undefined)
      : [];
    const receives = received.length
      ? `for a WebSocket handshake the backend receives ${received.join(' and ')}: `
      : '';
    return {
      message: `WebSocket upgrade will fail here: ${receives}this block's own proxy_set_header lines replace all inherited ones (nginx inherits them only when a level has none), so the ${names} header${droppedWs.length > 1 ? 's' : ''} set in the enclosing block ${droppedWs.length > 1 ? 'are' : 'is'} not sent.`,
      at: firstLocal ? { file: firstLocal.node.file, range: firstLocal.node.directive.range } : undefined,
      related: [
        ...(firstLocal
          ? [
              {
                file: firstLocal.node.file,
                range: firstLocal.node.directive.range,
                message: 'this line stops the inheritance',
              },
            ]
          : []),
        ...dropped.map((line) => ({
          file: line.node.file,
          range: line.node.directive.range,
          message: `dropped: ${line.name}`,
        })),
      ],
      data: {
        kind: 'redeclare',
        lines: dropped.map((line) => `proxy_set_header ${line.node.directive.args.map((arg) => arg.raw).join(' ')};`),
      },
    };
  },
};
