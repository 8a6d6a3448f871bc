import { defaultsToHttp11, formatVersion } from './version';
import type { Rule } from './types';

export const httpVersion: Rule = {
  code: 'ws-http-version',
  defaultSeverity: 'error',
  title: 'nginx speaks HTTP/1.0 (or HTTP/2) to the backend',
  check({ location, nginxVersion }) {
    const setting = location.proxyHttpVersion;
    if (setting) {
      if (setting.value === '1.1') return undefined;
      const protocol =
        setting.value === '2'
          ? 'HTTP/2, over which a WebSocket cannot upgrade'
          : `HTTP/${setting.value}, which has no Upgrade`;
      return {
        message: `WebSocket upgrade will fail here: for a Chrome or a Firefox handshake the backend receives HTTP/${setting.value}: "proxy_http_version ${setting.value}" makes nginx speak ${protocol}; the handshake needs "proxy_http_version 1.1".`,
        at: { file: setting.node.file, range: setting.node.directive.range },
        related: [
          {
            file: setting.node.file,
            range: setting.node.directive.range,
            message: `proxy_http_version ${setting.value} is set here`,
          },
        ],
        data: setting.word
          ? { kind: 'replace-value', file: setting.node.file, range: setting.word.range, newValue: '1.1' }
          : { kind: 'none' },
      };
    }
    if (defaultsToHttp11(nginxVersion)) return undefined;
    const target = nginxVersion ? `nginx ${formatVersion(nginxVersion)}` : 'nginx before 1.29.7';
    return {
      message: `WebSocket upgrade will fail here: for a Chrome or a Firefox handshake the backend receives HTTP/1.0: ${target} speaks HTTP/1.0 to the backend unless told "proxy_http_version 1.1;", and a WebSocket handshake needs HTTP/1.1 (RFC 6455 §4.1).`,
      data: { kind: 'insert', lines: ['proxy_http_version 1.1;'] },
    };
  },
};
