// nginx-ws installed as the README's CI recipe and the pre-commit hook get it: from the git
// repository, where no build output is committed. npm clones the repository, installs its build
// tools, runs `prepare` and packs it by the .npmignore allow-list (`npx github:nginx-ws/nginx-ws`);
// pre-commit's `language: node` runs `npm install` and `npm pack` in its clone and installs the
// tarball. Both from one repository made of this working tree's files, in a temporary folder:
// - npm installs it into a project, and the installed `nginx-ws` runs the README's demo: `check`
//   finds the example's mistakes, `test` fails the handshake through a real nginx, `check --fix`
//   mends a copy, and `test` succeeds;
// - a real pre-commit runs the hook of .pre-commit-hooks.yaml on a repository of nginx files and
//   others (a redis.conf among them), and fails the commit on the nginx files' errors only.
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { findNginx } from '../helpers/nginx';
import { repoRoot } from '../helpers/paths';

const nginx = findNginx();
const installedHere = (command: string): boolean =>
  spawnSync(command, ['--version'], { encoding: 'utf8' }).status === 0;
const noGit = installedHere('git') ? false : 'git is not installed';

let workDir = '';
/** The git repository of this working tree's files. */
let repository = '';
let installed = '';

function run(command: string, args: readonly string[], cwd: string, timeout = 60_000): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    timeout,
    maxBuffer: 64 * 2 ** 20,
    // The packages the checkout's own `npm ci` put in the cache, not a new download of each.
    env: { ...process.env, npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false' },
  });
  if (result.error) throw result.error;
  return result;
}

function succeed(command: string, args: readonly string[], cwd: string, timeout?: number): string {
  const result = run(command, args, cwd, timeout);
  assert.equal(result.status, 0, `${command} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** What a clone of this working tree, committed, holds: tracked files and new ones git does not ignore. */
function repositoryOfWorkingTree(to: string): void {
  const listed = succeed('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], repoRoot);
  for (const file of listed.split('\0').filter(Boolean)) {
    const from = path.join(repoRoot, file);
    if (!existsSync(from)) continue; // deleted, not yet committed
    mkdirSync(path.dirname(path.join(to, file)), { recursive: true });
    cpSync(from, path.join(to, file));
  }
  succeed('git', ['init', '-q'], to);
  succeed('git', ['add', '-A'], to);
  succeed(
    'git',
    [
      '-c',
      'user.name=nginx-ws test',
      '-c',
      'user.email=test@nginx-ws.invalid',
      '-c',
      'commit.gpgsign=false',
      'commit',
      '-qm',
      'working tree',
    ],
    to,
  );
}

before(() => {
  if (noGit) return;
  workDir = mkdtempSync(path.join(tmpdir(), 'nginx-ws-install-'));
  repository = path.join(workDir, 'repository');
  mkdirSync(repository);
  repositoryOfWorkingTree(repository);
});
after(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe(
  'nginx-ws installed by npm from its git repository',
  { skip: noGit || (!nginx && 'nginx is not installed') },
  () => {
    before(() => {
      const project = path.join(workDir, 'project');
      mkdirSync(project);
      writeFileSync(path.join(project, 'package.json'), '{ "private": true }\n');
      succeed('npm', ['install', '--loglevel=error', `git+file://${repository}`], project, 600_000);
      installed = path.join(project, 'node_modules', 'nginx-ws');
    });

    test('the package holds the command, its documentation and nothing of the sources', () => {
      const files = readdirSync(installed, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => path.relative(installed, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
        .sort();
      const rulePages = readdirSync(path.join(repoRoot, 'docs', 'rules')).map((page) => `docs/rules/${page}`);
      assert.deepEqual(
        files,
        [
          'CHANGELOG.md',
          'LICENSE',
          'README.md',
          ...rulePages,
          'package.json',
          'server/out/cli.js',
          'server/out/nginx-docs.js',
        ].sort(),
      );
      assert.ok(existsSync(path.join(installed, '..', '.bin', 'nginx-ws')), 'npm linked the nginx-ws command');
    });

    test('the installed command runs the README demo: found, failing, fixed, working', () => {
      const bin = path.join(installed, '..', '.bin', 'nginx-ws');
      const example = path.join(workDir, 'vite-hmr');
      cpSync(path.join(repoRoot, 'examples', 'vite-hmr'), example, { recursive: true });
      const site = path.join(example, 'conf.d', 'vite.conf');
      const nginxArgs = ['--nginx', nginx as string];

      const found = run(bin, ['check', '--max-warnings', '0', '--nginx-version', '1.24.0', site], workDir);
      assert.equal(found.status, 1, found.stdout + found.stderr);
      // The example's location proxies with nothing of its own: by nginx's rules, the backend gets
      // HTTP/1.0 (before 1.29.7), no Upgrade (hop-by-hop) and "Connection: close".
      for (const code of ['ws-http-version', 'ws-missing-upgrade', 'ws-missing-connection'])
        assert.match(found.stdout, new RegExp(`conf\\.d/vite\\.conf:\\d+:\\d+: warning: .*\\[${code}\\]`));

      const sarif = JSON.parse(
        succeedOrFindings(bin, ['check', '--format', 'sarif', '--nginx-version', '1.24.0', site]),
      );
      // The rule's description is its page's "What it catches", read from the installed docs/rules.
      const rule = (sarif.runs[0].tool.driver.rules as SarifRule[]).find((entry) => entry.id === 'ws-http-version');
      const page = readFileSync(path.join(repoRoot, 'docs', 'rules', 'ws-http-version.md'), 'utf8');
      const catches = /^## What it catches\n([\s\S]*?)^## /m.exec(page)?.[1]?.trim();
      assert.ok(catches);
      assert.equal(rule?.fullDescription.text, catches);

      const failing = run(bin, ['test', site, '--location', '/__vite_hmr', ...nginxArgs], workDir);
      assert.equal(failing.status, 1, failing.stdout + failing.stderr);
      succeed(bin, ['check', '--fix', '--nginx-version', '1.24.0', site], workDir);
      const working = run(bin, ['test', site, '--location', '/__vite_hmr', ...nginxArgs], workDir);
      assert.equal(working.status, 0, working.stdout + working.stderr);
    });
  },
);

const SITE_WITH_UPGRADE_ONLY = (port: number): string => `server {
    listen 127.0.0.1:${port};
    location /ws/ {
        proxy_pass http://127.0.0.1:3000;
        proxy_set_header Upgrade $http_upgrade;
    }
}
`;

describe(
  'the pre-commit hook',
  { skip: noGit || (!installedHere('pre-commit') && 'pre-commit is not installed') },
  () => {
    test('checks the nginx files a commit holds, and fails it on their errors', () => {
      const project = path.join(workDir, 'hooked');
      const write = (file: string, text: string): void => {
        mkdirSync(path.dirname(path.join(project, file)), { recursive: true });
        writeFileSync(path.join(project, file), text);
      };
      // A whole config: a location with an Upgrade line is explicit intent, so its missing
      // proxy_http_version and Connection are errors (facts: hop-by-hop headers, HTTP/1.0 default).
      write('nginx.conf', 'events {}\nhttp {\n    include conf.d/*.conf;\n    include sites-enabled/*;\n}\n');
      write('conf.d/api.conf', SITE_WITH_UPGRADE_ONLY(8081));
      // Included through sites-enabled/*, which a repository does not hold (symlinks on the server):
      // read from sites-available (nginxWs.pathMappings' default), and so part of the whole config.
      write('sites-available/app', SITE_WITH_UPGRADE_ONLY(8082));
      // Not nginx files: the hook's `files` pattern leaves them out (as nginx text they would be errors).
      write('app.js', 'const server = http.createServer();\nserver.listen(3000);\n');
      write('docs/setup.md', '# Set-up\n\nRun the server.\n');
      // Named like nginx files, and passed to the hook, but another format: nginx-ws leaves it out.
      write('redis/redis.conf', 'bind 127.0.0.1\nport 6379\nappendonly yes\n');
      write(
        '.pre-commit-config.yaml',
        `repos:\n  - repo: ${repository}\n    rev: ${succeed('git', ['rev-parse', 'HEAD'], repository).trim()}\n    hooks:\n      - id: nginx-ws\n        args: [--nginx-version, 1.24.0]\n`,
      );
      succeed('git', ['init', '-q'], project);
      succeed('git', ['add', '-A'], project);
      const result = spawnSync('pre-commit', ['run', '--all-files', '--color', 'never'], {
        cwd: project,
        encoding: 'utf8',
        timeout: 600_000,
        env: {
          ...process.env,
          PRE_COMMIT_HOME: path.join(workDir, 'pre-commit-home'),
          npm_config_prefer_offline: 'true',
        },
      });
      const output = result.stdout + result.stderr;
      assert.equal(result.status, 1, output);
      assert.match(output, /nginx-ws \(nginx WebSocket proxy check\)\.+Failed/);
      const reported = new Set(
        [...output.matchAll(/^(\S+):\d+:\d+: error: .*\[(ws-[a-z-]+)\]$/gm)].map((m) => `${m[1]} ${m[2]}`),
      );
      const expected = ['conf.d/api.conf', 'sites-available/app'].flatMap((file) => [
        `${file} ws-http-version`,
        `${file} ws-missing-connection`,
      ]);
      assert.deepEqual([...reported].sort(), expected.sort(), output);
      assert.doesNotMatch(output, /app\.js|setup\.md/);
      assert.match(output, /left out 1 file\(s\) that do not read as nginx configuration: redis\/redis\.conf/);
    });
  },
);

interface SarifRule {
  readonly id: string;
  readonly fullDescription: { readonly text: string };
}

/** `check`'s report, whose exit code is 1 when it has errors. */
function succeedOrFindings(bin: string, args: readonly string[]): string {
  const result = run(bin, args, workDir);
  assert.ok(result.status === 0 || result.status === 1, result.stderr);
  return result.stdout;
}
