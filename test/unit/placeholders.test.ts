// Template placeholders (${VAR}, as the nginx Docker image's envsubst fills them in) for the proxy
// test: given values first, then the environment, else a neutral value that keeps nginx -t happy.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { neutralValue, parseAssignment, substitutePlaceholders } from '../../server/src/proxytest/placeholders';

describe('template placeholders', () => {
  test('given values win over the environment; unset ones get a neutral value; each is listed once', () => {
    const { text, placeholders } = substitutePlaceholders(
      'proxy_pass http://${APP_HOST}:${APP_PORT}; # ${APP_HOST}\nproxy_read_timeout ${WS_TIMEOUT};\n',
      { APP_HOST: 'backend' },
      { APP_HOST: 'ignored', APP_PORT: '9000' },
    );
    assert.equal(text, 'proxy_pass http://backend:9000; # backend\nproxy_read_timeout 60s;\n');
    assert.deepEqual(placeholders, [
      { name: 'APP_HOST', value: 'backend', source: 'given' },
      { name: 'APP_PORT', value: '9000', source: 'environment' },
      { name: 'WS_TIMEOUT', value: '60s', source: 'unset' },
    ]);
  });

  test("nginx's own ${variable} syntax (lower-case) is left alone", () => {
    const { text, placeholders } = substitutePlaceholders('proxy_set_header Upgrade ${http_upgrade};', {}, {});
    assert.equal(text, 'proxy_set_header Upgrade ${http_upgrade};');
    assert.deepEqual(placeholders, []);
  });

  test('neutral values fit what the name says', () => {
    assert.equal(neutralValue('NGINX_PORT'), '8080');
    assert.equal(neutralValue('SERVER_NAME'), 'localhost');
    assert.equal(neutralValue('READ_TIMEOUT'), '60s');
    assert.equal(neutralValue('CLIENT_MAX_BODY_SIZE'), '1m');
    assert.equal(neutralValue('SOMETHING'), 'nginx-ws-unset');
  });

  test('--env NAME=VALUE', () => {
    assert.deepEqual(parseAssignment('A_B=x=y'), ['A_B', 'x=y']);
    assert.equal(parseAssignment('novalue'), undefined);
  });
});
