// Which files taken by their names (`*.conf`, `sites-available/*`) read as nginx: every nginx file
// of the shared corpus, the fixtures (broken ones too), the example and the benchmark config do;
// the other formats that are named `.conf` in repositories do not.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { isNginxByName, looksLikeNginx } from '../../server/src/core/diagnostics/recognize';
import { parse } from '../../server/src/core/parser/parser';
import { confFilesDeep, corpusDir, fixturesDir, repoRoot } from '../helpers/paths';

const reads = (text: string, extra?: ReadonlySet<string>): boolean => looksLikeNginx(parse(text, 'x.conf'), extra);

/** Other formats, as their own documentation and default files write them. */
const OTHER_FORMATS: Record<string, string> = {
  'redis.conf': 'bind 127.0.0.1 -::1\nport 6379\nmaxmemory 256mb\nappendonly yes\ninclude /etc/redis/local.conf\n',
  'supervisord.conf':
    '[supervisord]\nnodaemon=true\nlogfile=/var/log/supervisord.log\n\n[program:app]\ncommand=/usr/bin/node server.js\nautorestart=true\n',
  'php-fpm.conf': [
    ';;;;;;;;;;;;;;;;;;;;;',
    '; FPM Configuration ;',
    ';;;;;;;;;;;;;;;;;;;;;',
    '',
    "; All relative paths in this configuration file are relative to PHP's install prefix.",
    'include=/etc/php/8.2/fpm/pool.d/*.conf',
    '',
    '[global]',
    '; Pid file',
    '; Default Value: none',
    'pid = /run/php/php8.2-fpm.pid',
    '; Error log file',
    ';error_log = log/php-fpm.log',
    'error_log = /var/log/php8.2-fpm.log',
    '',
  ].join('\n'),
  'apache sites-available/000-default.conf': [
    '<VirtualHost *:80>',
    '\tServerAdmin webmaster@localhost',
    '\tDocumentRoot /var/www/html',
    '\tErrorLog ${APACHE_LOG_DIR}/error.log',
    '\tProxyPass /ws/ ws://127.0.0.1:3000/',
    '</VirtualHost>',
    '',
  ].join('\n'),
  'logrotate.conf':
    'weekly\nrotate 4\ncreate\ninclude /etc/logrotate.d\n/var/log/wtmp {\n    missingok\n    monthly\n}\n',
  'ld.so.conf': 'include /etc/ld.so.conf.d/*.conf\n',
  'ntp.conf': 'driftfile /var/lib/ntp/ntp.drift\nserver 0.pool.ntp.org iburst\nserver 1.pool.ntp.org iburst\n',
  'openvpn server.conf': 'port 1194\nproto udp\ndev tun\nuser nobody\ngroup nogroup\nkeepalive 10 120\n',
  'postgresql.conf': "listen_addresses = '*'\t\t# what IP address(es) to listen on;\nmax_connections = 100\n",
  'systemd override.conf': '[Service]\nEnvironment=NODE_ENV=production\nRestart=always\n',
  'squid.conf': 'http_port 3128\nacl localnet src 10.0.0.0/8\nhttp_access allow localnet\n',
};

describe('what reads as nginx', () => {
  it('every nginx file of the corpus, the fixtures, the example and the benchmark config', () => {
    const files = [
      ...confFilesDeep(corpusDir),
      ...confFilesDeep(fixturesDir),
      ...confFilesDeep(path.join(repoRoot, 'examples')),
    ];
    assert.ok(files.length > 250, `${files.length} files`);
    const not = files.filter((file) => !looksLikeNginx(parse(readFileSync(file, 'utf8'), file)));
    assert.deepEqual(not, []);
  });

  it('an nginx file with its mistakes: a missing ";", an unknown directive, a third-party module', () => {
    assert.ok(reads('worker_processes 1\nevents {}\nhttp { server { listen 80; } }\n'));
    assert.ok(reads('sever {\n    listen 80;\n}\nupstream app { server 127.0.0.1:3000; }\n'));
    assert.ok(reads('more_set_headers "Server: x";\nlua_shared_dict cache 10m;\n'));
    assert.ok(reads('my_module_on;\nmy_module_level 3;\n', new Set(['my_module_on', 'my_module_level'])));
  });

  it('a file of comments only, or nothing, gives no finding either way and reads as nginx', () => {
    assert.ok(reads(''));
    assert.ok(reads('# placeholder: sites are added here by the deploy\n'));
  });

  for (const [format, text] of Object.entries(OTHER_FORMATS))
    it(`not ${format}`, () => assert.equal(reads(text), false));

  it('by name alone: nginx.conf, *.nginx, *.nginxconf, files under a folder named nginx', () => {
    for (const name of ['nginx.conf', 'deploy/nginx.conf', 'site.nginx', 'a.nginxconf', 'docker/nginx/default.conf'])
      assert.ok(isNginxByName(name), name);
    for (const name of ['redis.conf', 'conf.d/app.conf', 'sites-available/app', 'nginx-notes/app.conf'])
      assert.equal(isNginxByName(name), false, name);
  });
});
