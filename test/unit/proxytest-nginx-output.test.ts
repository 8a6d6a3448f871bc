import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  compareVersions,
  dedupeNginxMessages,
  parseConfigureArguments,
  parseNginxErrors,
  parseNginxVersion,
  saysAddressInUse,
} from '../../server/src/proxytest/nginxOutput';

const fixtures = join(__dirname, '..', 'fixtures', 'proxytest');
const read = (name: string): string => readFileSync(join(fixtures, name), 'utf8');

describe('parseNginxErrors', () => {
  for (const name of [
    'nginx-output-t-debian',
    'nginx-output-t-stderr-form',
    'nginx-output-start-port-taken',
    'nginx-output-error-log',
  ]) {
    it(`reads ${name}.txt as ${name}.expected.json says`, () => {
      assert.deepEqual(parseNginxErrors(read(`${name}.txt`)), JSON.parse(read(`${name}.expected.json`)));
    });
  }

  it('reads both forms, several lines, with and without a location, in order', () => {
    const output = [
      'nginx: [warn] the "user" directive makes sense only if the master process runs with super-user privileges, ignored in /tmp/a/nginx.conf:1',
      '2024/01/02 03:04:05 [emerg] 77#77: unknown "connection_upgrade" variable',
      'nginx: configuration file /tmp/a/nginx.conf test failed',
      '',
      'nginx: [emerg] "proxy_pass" directive is not allowed here in /tmp/a/conf.d/ws site.conf:12',
    ].join('\r\n');
    assert.deepEqual(parseNginxErrors(output), [
      {
        level: 'warn',
        message: 'the "user" directive makes sense only if the master process runs with super-user privileges, ignored',
        file: '/tmp/a/nginx.conf',
        line: 1,
      },
      { level: 'emerg', message: 'unknown "connection_upgrade" variable', pid: 77 },
      {
        level: 'emerg',
        message: '"proxy_pass" directive is not allowed here',
        file: '/tmp/a/conf.d/ws site.conf',
        line: 12,
      },
    ]);
  });

  it('takes the last " in FILE:LINE" and keeps a Windows drive letter in the file', () => {
    assert.deepEqual(parseNginxErrors('nginx: [emerg] unknown directive "in" in C:\\nginx/conf/nginx.conf:7'), [
      { level: 'emerg', message: 'unknown directive "in"', file: 'C:\\nginx/conf/nginx.conf', line: 7 },
    ]);
  });

  it('skips lines that are not levelled messages, and unknown levels', () => {
    assert.deepEqual(
      parseNginxErrors('nginx: the configuration file /x syntax is ok\nnginx: [loud] nope\nrandom text'),
      [],
    );
  });

  it('drops the repeats that appear when stderr and the error log are both read', () => {
    const both = `${read('nginx-output-t-stderr-form.txt')}${read('nginx-output-t-debian.txt')}`;
    const unique = dedupeNginxMessages(parseNginxErrors(both));
    assert.equal(unique.length, 1);
    assert.equal(unique[0]?.line, 5);
  });
});

describe('parseNginxVersion', () => {
  const cases: Array<[string, string, { version: string; build: string } | undefined]> = [
    ['Debian -v', 'nginx version: nginx/1.22.1\n', { version: '1.22.1', build: 'nginx/1.22.1' }],
    ['Ubuntu', 'nginx version: nginx/1.24.0 (Ubuntu)', { version: '1.24.0', build: 'nginx/1.24.0' }],
    [
      '-V with more lines',
      'nginx version: nginx/1.29.7\nbuilt by gcc 12.2.0\nconfigure arguments: --prefix=/etc/nginx',
      { version: '1.29.7', build: 'nginx/1.29.7' },
    ],
    ['OpenResty', 'nginx version: openresty/1.21.4.1', { version: '1.21.4', build: 'openresty/1.21.4.1' }],
    ['Tengine', 'Tengine version: Tengine/2.3.3 (nginx/1.18.0)', { version: '1.18.0', build: 'Tengine/2.3.3' }],
    ['not nginx', 'bash: nginx: command not found', undefined],
  ];
  for (const [name, output, expected] of cases) {
    it(name, () => assert.deepEqual(parseNginxVersion(output), expected));
  }
});

describe('parseConfigureArguments', () => {
  it('splits on blanks and honours quotes', () => {
    const output =
      "nginx version: nginx/1.22.1\nconfigure arguments: --with-cc-opt='-g -O2' --prefix=/usr/share/nginx --without-http_uwsgi_module\n";
    assert.deepEqual(parseConfigureArguments(output), [
      '--with-cc-opt=-g -O2',
      '--prefix=/usr/share/nginx',
      '--without-http_uwsgi_module',
    ]);
  });
  it('is empty without the line (nginx -v)', () =>
    assert.deepEqual(parseConfigureArguments('nginx version: nginx/1.22.1'), []));
});

describe('compareVersions', () => {
  const cases: Array<[string, string, number]> = [
    ['1.22.1', '1.19.5', 1],
    ['1.19.5', '1.19.5', 0],
    ['1.9.15', '1.19.5', -1],
    ['1.29.7', '1.29.10', -1],
    ['1.30', '1.30.0', 0],
  ];
  for (const [a, b, expected] of cases) it(`${a} vs ${b}`, () => assert.equal(compareVersions(a, b), expected));
});

describe('saysAddressInUse', () => {
  it('recognises the bind failure on Linux, macOS and Windows', () => {
    assert.equal(saysAddressInUse(read('nginx-output-start-port-taken.txt')), true);
    assert.equal(saysAddressInUse('nginx: [emerg] bind() to 127.0.0.1:8080 failed (48: Address already in use)'), true);
    assert.equal(
      saysAddressInUse(
        'nginx: [emerg] bind() to 127.0.0.1:8080 failed (10048: Only one usage of each socket address is normally permitted)',
      ),
      true,
    );
  });
  it('is false for other start-up failures', () => {
    assert.equal(saysAddressInUse('nginx: [emerg] bind() to 127.0.0.1:80 failed (13: Permission denied)'), false);
  });
});
