import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isolationDirectives, quoteNginxString } from '../../server/src/proxytest/isolation';
import {
  isBareName,
  nginxArguments,
  nginxCandidates,
  nginxInstallHint,
  NginxNotFoundError,
} from '../../server/src/proxytest/nginx';

describe('nginxCandidates', () => {
  it('looks a bare name up on PATH, then where distributions put nginx off PATH', () => {
    const candidates = nginxCandidates('nginx', { platform: 'linux', pathVariable: '/home/u/bin:/usr/bin' });
    assert.deepEqual(candidates.slice(0, 3), ['/home/u/bin/nginx', '/usr/bin/nginx', '/usr/sbin/nginx']);
    assert.ok(candidates.includes('/usr/local/nginx/sbin/nginx'));
    assert.equal(new Set(candidates).size, candidates.length, 'no duplicates (/usr/bin is on PATH and in the list)');
  });
  it('uses a path with a folder as given', () => {
    assert.deepEqual(nginxCandidates('./bin/nginx', { platform: 'linux', pathVariable: '/usr/bin' }), ['./bin/nginx']);
    assert.deepEqual(nginxCandidates('/opt/nginx/sbin/nginx', { platform: 'darwin', pathVariable: '' }), [
      '/opt/nginx/sbin/nginx',
    ]);
  });
  it('treats an empty setting as "nginx"', () => {
    assert.equal(nginxCandidates(' ', { platform: 'darwin', pathVariable: '' })[0], '/opt/homebrew/bin/nginx');
  });
  it('adds .exe on Windows, splits PATH on ";" and takes either slash as a folder', () => {
    assert.deepEqual(nginxCandidates('nginx', { platform: 'win32', pathVariable: 'C:\\tools;D:\\bin' }), [
      'C:\\tools\\nginx.exe',
      'D:\\bin\\nginx.exe',
      'C:\\nginx\\nginx.exe',
    ]);
    assert.deepEqual(nginxCandidates('C:/nginx-1.26/nginx', { platform: 'win32', pathVariable: '' }), [
      'C:/nginx-1.26/nginx.exe',
    ]);
    assert.equal(isBareName('C:\\nginx\\nginx.exe', 'win32'), false);
    assert.equal(isBareName('nginx.exe', 'win32'), true);
  });
});

describe('the nginx-not-found message', () => {
  it('says what to install on each platform', () => {
    assert.match(nginxInstallHint('linux'), /sudo apt-get install nginx/);
    assert.match(nginxInstallHint('linux'), /sudo dnf install nginx/);
    assert.match(nginxInstallHint('darwin'), /brew install nginx/);
    assert.match(nginxInstallHint('win32'), /nginx\.org/);
  });
  it('names the setting and where it looked', () => {
    const error = new NginxNotFoundError('nginx', ['/usr/bin/nginx'], 'linux');
    assert.equal(error.code, 'nginx-not-found');
    assert.match(error.message, /"nginxWs\.nginxPath"/);
    assert.match(error.message, /looked on PATH and in \/usr\/sbin/);
    assert.match(error.message, /apt-get install nginx/);
    const explicit = new NginxNotFoundError('/opt/nope/nginx', ['/opt/nope/nginx'], 'darwin');
    assert.match(explicit.message, /^nginx was not found at "\/opt\/nope\/nginx"\. Install it with Homebrew/);
  });
});

describe('nginxArguments', () => {
  const where = { prefixDir: '/tmp/p', configFile: '/tmp/p/nginx.conf' };
  it('checks quietly, with the start-up log on stderr from 1.19.5', () => {
    assert.deepEqual(nginxArguments('check', { ...where, version: '1.22.1' }), [
      '-t',
      '-q',
      '-e',
      'stderr',
      '-p',
      '/tmp/p',
      '-c',
      '/tmp/p/nginx.conf',
    ]);
  });
  it('runs in the foreground with daemon off as one argument', () => {
    assert.deepEqual(nginxArguments('run', { ...where, version: '1.22.1' }), [
      '-e',
      'stderr',
      '-p',
      '/tmp/p',
      '-c',
      '/tmp/p/nginx.conf',
      '-g',
      'daemon off;',
    ]);
  });
  it('leaves out -e before 1.19.5, which does not know it', () => {
    assert.deepEqual(nginxArguments('run', { ...where, version: '1.18.0' }), [
      '-p',
      '/tmp/p',
      '-c',
      '/tmp/p/nginx.conf',
      '-g',
      'daemon off;',
    ]);
  });
});

describe('isolationDirectives', () => {
  it('puts pid, logs, lock file and every temp path in the temp dir, without a user directive', () => {
    const directives = isolationDirectives({ tempDir: '/tmp/nginx-ws-test-x', platform: 'linux' });
    assert.deepEqual(directives.main, [
      'pid "/tmp/nginx-ws-test-x/nginx.pid";',
      'error_log "/tmp/nginx-ws-test-x/error.log" warn;',
      'lock_file "/tmp/nginx-ws-test-x/nginx.lock";',
      'worker_processes 1;',
    ]);
    assert.deepEqual(directives.http, [
      'access_log "/tmp/nginx-ws-test-x/access.log";',
      'client_body_temp_path "/tmp/nginx-ws-test-x/client_body_temp";',
      'proxy_temp_path "/tmp/nginx-ws-test-x/proxy_temp";',
      'fastcgi_temp_path "/tmp/nginx-ws-test-x/fastcgi_temp";',
      'uwsgi_temp_path "/tmp/nginx-ws-test-x/uwsgi_temp";',
      'scgi_temp_path "/tmp/nginx-ws-test-x/scgi_temp";',
    ]);
    assert.ok(![...directives.main, ...directives.events, ...directives.http].some((line) => line.startsWith('user ')));
  });
  it('skips the temp path of a module the build left out', () => {
    const directives = isolationDirectives({
      tempDir: '/t',
      platform: 'linux',
      configureArguments: ['--without-http_uwsgi_module', '--without-http_scgi_module'],
    });
    assert.ok(!directives.http.some((line) => /uwsgi|scgi/.test(line)));
    assert.ok(directives.http.some((line) => line.startsWith('fastcgi_temp_path')));
  });
  it('quotes Windows paths and paths with spaces', () => {
    const directives = isolationDirectives({ tempDir: 'C:\\Users\\A B\\Temp\\nginx-ws-test-1', platform: 'win32' });
    assert.equal(directives.main[0], 'pid "C:\\\\Users\\\\A B\\\\Temp\\\\nginx-ws-test-1\\\\nginx.pid";');
  });
});

describe('quoteNginxString', () => {
  it('escapes backslashes and double quotes', () => {
    assert.equal(quoteNginxString('/tmp/a b'), '"/tmp/a b"');
    assert.equal(quoteNginxString('a"b\\c'), '"a\\"b\\\\c"');
  });
});
