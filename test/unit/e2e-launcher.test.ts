// The code launcher's pure helpers: reading test-electron's command line, building the
// workbench URL, routing the workbench's log.
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  buildWorkbenchUrl,
  durationFromEnv,
  parseLaunchArgs,
  parseListeningPort,
  remoteUri,
  routeAutomationLog,
  SUITE_OUTPUT_PREFIX,
  toExitCode,
} from '../e2e/launcher/launch-args';

describe('parseLaunchArgs', () => {
  test('reads the command line runTests builds from launchArgs and its own flags', () => {
    // What @vscode/test-electron 3.1.0 passes for launchArgs [workspace, --user-data-dir=, --extensions-dir=].
    const request = parseLaunchArgs(
      [
        '/runs/1/websocket-proxy',
        '--user-data-dir=/runs/1/user-data',
        '--extensions-dir=/runs/1/extensions',
        '--no-sandbox',
        '--disable-gpu-sandbox',
        '--disable-updates',
        '--skip-welcome',
        '--skip-release-notes',
        '--no-cached-data',
        '--disable-workspace-trust',
        '--extensionTestsPath=/repo/test-results/e2e/build/suite/index.js',
        '--extensionDevelopmentPath=/repo',
      ],
      '/cwd',
    );
    assert.deepEqual(request, {
      extensionDevelopmentPaths: ['/repo'],
      extensionTestsPath: '/repo/test-results/e2e/build/suite/index.js',
      target: { kind: 'folder', path: '/runs/1/websocket-proxy' },
      userDataDir: '/runs/1/user-data',
      extensionsDir: '/runs/1/extensions',
      ignoredFlags: [
        '--no-sandbox',
        '--disable-gpu-sandbox',
        '--disable-updates',
        '--skip-welcome',
        '--skip-release-notes',
        '--no-cached-data',
        '--disable-workspace-trust',
      ],
    });
  });

  test('accepts several development paths, the space-separated form and relative paths', () => {
    const request = parseLaunchArgs(
      [
        '--extensionDevelopmentPath',
        'ext-a',
        '--extensionDevelopmentPath=/abs/ext-b',
        '--extensionTestsPath',
        'out/suite',
      ],
      '/work',
    );
    assert.deepEqual(request.extensionDevelopmentPaths, ['/work/ext-a', '/abs/ext-b']);
    assert.equal(request.extensionTestsPath, '/work/out/suite');
    assert.deepEqual(request.target, { kind: 'none' });
  });

  test('opens a .code-workspace file as a workspace, anything else as a folder', () => {
    assert.deepEqual(parseLaunchArgs(['app.code-workspace'], '/w').target, {
      kind: 'workspace',
      path: '/w/app.code-workspace',
    });
    assert.deepEqual(parseLaunchArgs(['--', '--odd-folder-name'], '/w').target, {
      kind: 'folder',
      path: '/w/--odd-folder-name',
    });
  });

  test('rejects a value flag without a value and more than one folder', () => {
    assert.throws(() => parseLaunchArgs(['--extensionTestsPath'], '/'), /--extensionTestsPath needs a value/);
    assert.throws(() => parseLaunchArgs(['--user-data-dir='], '/'), /--user-data-dir needs a value/);
    assert.throws(() => parseLaunchArgs(['/a', '/b'], '/'), /at most one folder/);
  });
});

describe('buildWorkbenchUrl', () => {
  test('opens the folder and passes the test payload as vscode-remote URIs', () => {
    const url = new URL(
      buildWorkbenchUrl({
        host: '127.0.0.1',
        port: 4321,
        target: { kind: 'folder', path: '/runs/1/websocket-proxy' },
        extensionDevelopmentPaths: ['/repo'],
        extensionTestsPath: '/repo/out/suite/index.js',
      }),
    );
    assert.equal(url.origin, 'http://127.0.0.1:4321');
    assert.equal(url.searchParams.get('folder'), '/runs/1/websocket-proxy');
    assert.deepEqual(JSON.parse(url.searchParams.get('payload') ?? ''), [
      ['extensionDevelopmentPath', 'vscode-remote://127.0.0.1:4321/repo'],
      ['extensionTestsPath', 'vscode-remote://127.0.0.1:4321/repo/out/suite/index.js'],
      ['skipWelcome', 'true'],
      ['skipReleaseNotes', 'true'],
    ]);
  });

  test('percent-encodes spaces and never uses + (the workbench decodes with decodeURIComponent)', () => {
    const raw = buildWorkbenchUrl({
      host: '127.0.0.1',
      port: 1,
      target: { kind: 'workspace', path: '/my work/app.code-workspace' },
      extensionDevelopmentPaths: ['/my repo'],
      extensionTestsPath: undefined,
    });
    assert.ok(!raw.includes('+'), raw);
    const query = new URL(raw).search.slice(1).split('&');
    assert.equal(decodeURIComponent(query[0] ?? ''), 'workspace=/my work/app.code-workspace');
    const payload = JSON.parse(decodeURIComponent((query[1] ?? '').replace(/^payload=/, ''))) as [string, string][];
    assert.deepEqual(payload[0], ['extensionDevelopmentPath', 'vscode-remote://127.0.0.1:1/my%20repo']);
    assert.equal(payload.length, 3, 'no extensionTestsPath entry when there are no tests');
  });

  test('opens an empty window when there is no folder', () => {
    const url = new URL(
      buildWorkbenchUrl({
        host: 'h',
        port: 2,
        target: { kind: 'none' },
        extensionDevelopmentPaths: [],
        extensionTestsPath: undefined,
      }),
    );
    assert.equal(url.searchParams.get('ew'), 'true');
    assert.equal(url.searchParams.get('folder'), null);
  });

  test('remoteUri refuses relative paths', () => {
    assert.throws(() => remoteUri('h', 1, 'relative/path'), /absolute path/);
  });
});

describe('routeAutomationLog', () => {
  test('formats console arguments and sends the suite output to stdout without its prefix', () => {
    assert.deepEqual(routeAutomationLog('info', [`${SUITE_OUTPUT_PREFIX}    ✔ %s (%dms)`, 'opens', 12]), {
      route: 'test-output',
      text: '    ✔ opens (12ms)',
    });
  });

  test('shows unexpected workbench errors and keeps expected offline noise in the log only', () => {
    assert.equal(routeAutomationLog('error', ['Activating extension failed: boom']).route, 'error');
    assert.equal(routeAutomationLog('error', ['getaddrinfo ENOTFOUND open-vsx.org: Failed']).route, 'log-only');
    assert.equal(
      routeAutomationLog('error', ["Timed out waiting for authentication provider 'github' to register."]).route,
      'log-only',
    );
    assert.equal(routeAutomationLog('info', ['Creating a socket...']).route, 'log-only');
  });

  test('describes non-string arguments as JSON', () => {
    assert.equal(routeAutomationLog('error', [{ name: 'TypeError' }]).text, '{"name":"TypeError"}');
    assert.equal(routeAutomationLog('info', 'not an array').text, 'not an array');
  });
});

describe('small parsers', () => {
  test('parseListeningPort reads the server line and nothing else', () => {
    assert.equal(parseListeningPort('Extension host agent listening on 44893'), 44893);
    assert.equal(parseListeningPort('Server bound to 127.0.0.1:44893 (IPv4)'), undefined);
    assert.equal(parseListeningPort('listening on 0'), undefined);
  });

  test('toExitCode keeps valid exit codes and turns anything else into a failure', () => {
    assert.equal(toExitCode(0), 0);
    assert.equal(toExitCode(3), 3);
    assert.equal(toExitCode(-1), 1);
    assert.equal(toExitCode('0'), 1);
    assert.equal(toExitCode(undefined), 1);
  });

  test('durationFromEnv falls back when unset and rejects nonsense', () => {
    assert.equal(durationFromEnv(undefined, 500), 500);
    assert.equal(durationFromEnv('  ', 500), 500);
    assert.equal(durationFromEnv('1200', 500), 1200);
    assert.throws(() => durationFromEnv('soon', 500), /positive number/);
    assert.throws(() => durationFromEnv('-5', 500), /positive number/);
  });
});
