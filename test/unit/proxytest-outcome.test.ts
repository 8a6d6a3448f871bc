import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CancelledError, TimeoutError } from '../../server/src/proxytest/abort';
import { classifyHandshakeError, type HandshakeResult } from '../../server/src/proxytest/handshake';
import { NginxLaunchError, NginxNotFoundError, NginxStartError } from '../../server/src/proxytest/nginx';
import {
  BuildConfigError,
  classifyHandshake,
  classifyRunError,
  firstBackendRequest,
  handshakePassed,
} from '../../server/src/proxytest/outcome';
import { retryDelayMs } from '../../server/src/proxytest/ports';

const base: HandshakeResult = {
  url: 'ws://127.0.0.1:1/ws',
  status: null,
  statusText: null,
  httpVersion: null,
  headers: [],
  upgraded: false,
  responseMs: null,
};
const passed: HandshakeResult = {
  ...base,
  status: 101,
  statusText: 'Switching Protocols',
  httpVersion: '1.1',
  upgraded: true,
  echo: { sent: 'probe', received: 'probe', roundTripMs: 1 },
};
const refused426: HandshakeResult = {
  ...base,
  status: 426,
  statusText: 'Upgrade Required',
  httpVersion: '1.1',
  bodySnippet: 'Upgrade Required',
  error: { code: 'unexpected-response', message: 'the server answered 426 Upgrade Required instead of 101' },
};
const calm = { cancelled: false, timedOut: false };

describe('classifyHandshake', () => {
  const cases: Array<[string, HandshakeResult, { cancelled: boolean; timedOut: boolean }, string]> = [
    ['101 and the echo came back', passed, calm, 'passed'],
    ['passed even if the limit struck right after', passed, { cancelled: false, timedOut: true }, 'passed'],
    ['a 426 from the backend', refused426, calm, 'failed'],
    [
      'a wrong echo',
      {
        ...passed,
        echo: { sent: 'probe', received: 'other', roundTripMs: 1 },
        error: { code: 'echo-mismatch', message: '' },
      },
      calm,
      'failed',
    ],
    [
      'upgraded, then closed before the echo',
      {
        ...passed,
        echo: { sent: 'p', received: null, roundTripMs: null },
        error: { code: 'closed-before-echo', message: '' },
      },
      calm,
      'failed',
    ],
    ['connection refused', { ...base, error: { code: 'refused', message: '' } }, calm, 'failed'],
    [
      'cut short by the caller',
      { ...base, error: { code: 'aborted', message: '' } },
      { cancelled: true, timedOut: false },
      'cancelled',
    ],
    [
      'cut short by the run limit',
      { ...base, error: { code: 'aborted', message: '' } },
      { cancelled: false, timedOut: true },
      'timeout',
    ],
    [
      'its own timeout is the rest of the run limit',
      { ...base, error: { code: 'timeout', message: '' } },
      calm,
      'timeout',
    ],
  ];
  for (const [name, handshake, interruption, expected] of cases) {
    it(name, () => assert.equal(classifyHandshake(handshake, interruption), expected));
  }
  it('handshakePassed needs the upgrade and an identical echo', () => {
    assert.equal(handshakePassed(passed), true);
    assert.equal(handshakePassed({ ...passed, echo: undefined }), false);
    assert.equal(handshakePassed(refused426), false);
  });
});

describe('classifyRunError', () => {
  const startError = new NginxStartError(1, null, 'x', [{ level: 'emerg', message: 'open() failed' }], false);
  const cases: Array<[string, unknown, { cancelled: boolean; timedOut: boolean }, string, string]> = [
    ['nginx missing', new NginxNotFoundError('nginx', [], 'linux'), calm, 'environment-error', 'nginx-not-found'],
    ['nginx unrunnable', new NginxLaunchError('no', '/x'), calm, 'environment-error', 'nginx-launch-failed'],
    ['nginx died at start-up', startError, calm, 'environment-error', 'nginx-start-failed'],
    [
      'buildConfig threw',
      new BuildConfigError(new Error('no such location')),
      calm,
      'config-error',
      'build-config-failed',
    ],
    ['a step timed out', new TimeoutError('nginx -t'), calm, 'timeout', 'timeout'],
    [
      'the caller cancelled (whatever the step threw)',
      new Error('socket closed'),
      { cancelled: true, timedOut: false },
      'cancelled',
      'cancelled',
    ],
    [
      'the run limit struck (whatever the step threw)',
      new CancelledError('x'),
      { cancelled: false, timedOut: true },
      'timeout',
      'timeout',
    ],
    ['anything else', new Error('EMFILE'), calm, 'environment-error', 'unexpected'],
  ];
  for (const [name, error, interruption, kind, code] of cases) {
    it(name, () => {
      const classified = classifyRunError(error, interruption);
      assert.equal(classified.kind, kind);
      assert.equal(classified.error.code, code);
    });
  }
  it('keeps the first nginx message in a start error', () => assert.match(startError.message, /open\(\) failed/));
});

describe('classifyHandshakeError', () => {
  const error = (message: string, code?: string): Error & { code?: string } =>
    Object.assign(new Error(message), code ? { code } : {});
  const cases: Array<[string, Error & { code?: string }, boolean, string]> = [
    ['refused', error('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED'), false, 'refused'],
    ['reset before an answer', error('socket hang up', 'ECONNRESET'), false, 'reset'],
    ['reset after the upgrade', error('read ECONNRESET', 'ECONNRESET'), true, 'closed-before-echo'],
    ['self-signed certificate', error('self-signed certificate', 'DEPTH_ZERO_SELF_SIGNED_CERT'), false, 'tls'],
    [
      'wrong host name',
      error("Hostname/IP does not match certificate's altnames", 'ERR_TLS_CERT_ALTNAME_INVALID'),
      false,
      'tls',
    ],
    ['unknown host', error('getaddrinfo ENOTFOUND nope.invalid', 'ENOTFOUND'), false, 'dns'],
    ['bad accept key', error('Invalid Sec-WebSocket-Accept header'), false, 'protocol'],
    ['other', error('boom'), false, 'other'],
  ];
  for (const [name, input, upgraded, expected] of cases) {
    it(name, () => {
      const classified = classifyHandshakeError(input, upgraded);
      assert.equal(classified.code, expected);
      assert.equal(classified.systemCode, input.code);
    });
  }
});

describe('small helpers', () => {
  it('firstBackendRequest is null when nothing reached the backend', () => assert.equal(firstBackendRequest([]), null));
  it('retryDelayMs doubles from 2 ms and stays under 25 ms', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 20].map(retryDelayMs), [2, 4, 8, 16, 25, 25, 25]);
  });
});
