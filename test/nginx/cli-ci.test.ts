// nginx-ws check as CI runs it (issue #13): SARIF validated against the SARIF 2.1.0 schema,
// GitHub workflow annotations, --max-warnings, directories with --exclude, standard input, and an
// `nginx -T` dump made by a real nginx, whose findings land on the original files and lines. The
// same findings in every format. Run on the bundled server/out/cli.js, over the shared corpus
// where it is beside the repository.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Ajv from 'ajv-draft-04';
import { findNginx } from '../helpers/nginx';
import { corpusDir, corpusSkipReason } from '../helpers/paths';

const root = path.join(__dirname, '..', '..');
const cli = path.join(root, 'server', 'out', 'cli.js');
const schemaFile = path.join(
  root,
  'node_modules',
  '@microsoft',
  'jest-sarif',
  'lib',
  'schemas',
  'sarif-2.1.0-rtm.5.json',
);
let workDir = '';

function nginxWs(
  args: readonly string[],
  options: { cwd?: string; input?: string } = {},
): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    cwd: options.cwd ?? workDir,
    input: options.input,
    timeout: 60_000,
    maxBuffer: 64 * 2 ** 20,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const SITE = `server {
    listen 8080;

    location /ws/ {
        proxy_pass http://127.0.0.1:9000;
        proxy_set_header Upgrade $http_upgrade;
    }

    location /live/ {
        proxy_pass http://127.0.0.1:9001;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection close;
    }
}
`;

/** A small whole config: main file plus conf.d, and an excluded folder holding a broken copy. */
function writeConfig(dir: string): void {
  mkdirSync(path.join(dir, 'conf.d'), { recursive: true });
  mkdirSync(path.join(dir, 'old'), { recursive: true });
  writeFileSync(path.join(dir, 'nginx.conf'), 'events {}\n\nhttp {\n    include conf.d/*.conf;\n}\n');
  writeFileSync(path.join(dir, 'conf.d', 'site.conf'), SITE);
  writeFileSync(path.join(dir, 'old', 'site.conf'), SITE);
}

before(() => {
  assert.ok(existsSync(cli), `${cli} is missing: run npm run build first`);
  workDir = mkdtempSync(path.join(tmpdir(), 'nginx-ws-cli-ci-'));
  writeConfig(workDir);
});
after(() => rmSync(workDir, { recursive: true, force: true }));

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
  relatedLocations?: unknown[];
  fixes?: unknown[];
  partialFingerprints: Record<string, string>;
}

function validateSarif(text: string): { results: SarifResult[]; rules: { id: string; helpUri?: string }[] } {
  const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as object;
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  const validate = ajv.compile(schema);
  const log = JSON.parse(text) as { runs: { results: SarifResult[]; tool: { driver: { rules: { id: string }[] } } }[] };
  assert.ok(validate(log), JSON.stringify(validate.errors?.slice(0, 5), null, 2));
  const [run] = log.runs;
  assert.ok(run);
  return { results: run.results, rules: run.tool.driver.rules };
}

describe('nginx-ws check for CI', () => {
  test('--format sarif is valid SARIF 2.1.0, with rules, relative URIs, regions, related locations, fixes, fingerprints', () => {
    const result = nginxWs(['check', '--format', 'sarif', '--nginx-version', '1.22.1', 'conf.d/site.conf']);
    assert.equal(result.status, 1, result.stderr);
    const { results, rules } = validateSarif(result.stdout);
    assert.ok(
      rules.some((rule) => rule.id === 'ws-missing-connection' && rule.helpUri?.endsWith('ws-missing-connection.md')),
    );
    const missing = results.find((entry) => entry.ruleId === 'ws-missing-connection');
    assert.ok(missing, JSON.stringify(results.map((entry) => entry.ruleId)));
    assert.equal(rules[missing.ruleIndex]?.id, 'ws-missing-connection');
    assert.equal(missing.level, 'error');
    assert.equal(missing.locations[0]?.physicalLocation.artifactLocation.uri, 'conf.d/site.conf');
    assert.equal(missing.locations[0]?.physicalLocation.region.startLine, 4);
    assert.ok(missing.fixes?.length, 'the quick fix is in the result');
    const close = results.find((entry) => entry.ruleId === 'ws-connection-not-upgrade');
    assert.equal(close?.locations[0]?.physicalLocation.region.startLine, 13);
  });

  test('fingerprints stay when lines are added above a finding', () => {
    const sarifOf = (base: string) =>
      validateSarif(
        nginxWs([
          'check',
          '--format',
          'sarif',
          '--nginx-version',
          '1.22.1',
          '--base',
          base,
          path.join(base, 'conf.d', 'site.conf'),
        ]).stdout,
      ).results;
    const moved = path.join(workDir, 'moved');
    mkdirSync(path.join(moved, 'conf.d'), { recursive: true });
    writeFileSync(path.join(moved, 'conf.d', 'site.conf'), `# a comment\n# and another\n${SITE}`);
    const before = sarifOf(workDir);
    const after = sarifOf(moved);
    const line = (results: SarifResult[]) => results[0]?.locations[0]?.physicalLocation.region.startLine ?? 0;
    assert.equal(line(after), line(before) + 2);
    const prints = (results: SarifResult[]) =>
      results.map((entry) => `${entry.ruleId} ${entry.partialFingerprints['nginxWs/v1'] ?? ''}`);
    assert.deepEqual(prints(after), prints(before));
    assert.equal(new Set(prints(before)).size, before.length, 'each result its own fingerprint');
  });

  test('--format github prints one escaped workflow command per finding', () => {
    const result = nginxWs(['check', '--format', 'github', '--nginx-version', '1.22.1', 'conf.d/site.conf']);
    assert.equal(result.status, 1);
    const lines = result.stdout.trim().split('\n');
    assert.ok(lines.length > 0);
    for (const line of lines)
      assert.match(
        line,
        /^::(error|warning|notice) file=conf\.d\/site\.conf,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=nginx-ws [a-z-]+::[^\n]+$/,
      );
    assert.ok(
      lines.some((line) => line.startsWith('::error ') && line.includes('title=nginx-ws ws-missing-connection')),
    );
  });

  test('text, JSON, SARIF and GitHub output carry the same findings', () => {
    const args = ['check', '--nginx-version', '1.22.1', 'conf.d/site.conf'];
    const json = JSON.parse(nginxWs([...args, '--format', 'json']).stdout) as {
      code: string;
      line: number;
      severity: string;
    }[];
    const key = (code: string, line: number, severity: string) => `${code}@${line}:${severity}`;
    const fromJson = json.map((entry) => key(entry.code, entry.line, entry.severity)).sort();
    const text = nginxWs([...args, '--format', 'text'])
      .stdout.trim()
      .split('\n')
      .slice(0, -1);
    const fromText = text
      .map((line) => /^[^:]+:(\d+):\d+: (\w+): .* \[([a-z-]+)\]$/.exec(line))
      .map((match) => key(match?.[3] ?? '', Number(match?.[1]), match?.[2] ?? ''))
      .sort();
    const sarifLevel: Record<string, string> = { error: 'error', warning: 'warning', note: 'information' };
    const fromSarif = validateSarif(nginxWs([...args, '--format', 'sarif']).stdout)
      .results.map((entry) =>
        key(entry.ruleId, entry.locations[0]?.physicalLocation.region.startLine ?? 0, sarifLevel[entry.level] ?? ''),
      )
      .sort();
    const githubLevel: Record<string, string> = { error: 'error', warning: 'warning', notice: 'information' };
    const fromGithub = nginxWs([...args, '--format', 'github'])
      .stdout.trim()
      .split('\n')
      .map((line) => /^::(\w+) .*line=(\d+),.*title=nginx-ws ([a-z-]+)::/.exec(line))
      .map((match) => key(match?.[3] ?? '', Number(match?.[2]), githubLevel[match?.[1] ?? ''] ?? ''))
      .sort();
    assert.ok(fromJson.length >= 3, fromJson.join(' '));
    assert.deepEqual(fromText, fromJson);
    assert.deepEqual(fromSarif, fromJson);
    assert.deepEqual(fromGithub, fromJson);
  });

  test('--max-warnings: exit 1 only when warnings exceed N; errors always; a bad N is a usage error', () => {
    const fragment = path.join(workDir, 'fragment');
    mkdirSync(fragment, { recursive: true });
    // A WebSocket-named path with nothing set: warnings only.
    writeFileSync(
      path.join(fragment, 'named.conf'),
      'server {\n    listen 80;\n    location /socket.io/ {\n        proxy_pass http://127.0.0.1:9000;\n    }\n}\n',
    );
    const args = ['check', '--nginx-version', '1.22.1', path.join(fragment, 'named.conf')];
    assert.equal(nginxWs(args).status, 0);
    assert.equal(nginxWs([...args, '--max-warnings', '10']).status, 0);
    assert.equal(nginxWs([...args, '--max-warnings', '0']).status, 1);
    assert.equal(nginxWs(['check', '--max-warnings', '10', 'conf.d/site.conf']).status, 1);
    assert.equal(nginxWs([...args, '--max-warnings', 'many']).status, 2);
  });

  test('a directory: its nginx.conf with its includes, each finding once; --exclude leaves a folder out', () => {
    const all = JSON.parse(nginxWs(['check', '--format', 'json', '--nginx-version', '1.22.1', '.']).stdout) as {
      file: string;
    }[];
    const files = [...new Set(all.map((entry) => path.relative(workDir, entry.file)))].sort();
    assert.ok(
      files.includes(path.join('conf.d', 'site.conf')) && files.includes(path.join('old', 'site.conf')),
      files.join(' '),
    );
    const keys = all.map((entry) => JSON.stringify(entry));
    assert.equal(new Set(keys).size, keys.length, 'no finding twice');
    const excluded = JSON.parse(
      nginxWs(['check', '--format', 'json', '--nginx-version', '1.22.1', '--exclude', 'old/', '.']).stdout,
    ) as { file: string }[];
    assert.ok(!excluded.some((entry) => entry.file.includes(`${path.sep}old${path.sep}`)));
    assert.ok(excluded.some((entry) => entry.file.endsWith(path.join('conf.d', 'site.conf'))));
  });

  test('files of other formats named .conf are left out of a directory, and of named files with --ignore-unknown', () => {
    const dir = mkdtempSync(path.join(workDir, 'formats-'));
    const write = (file: string, text: string): void => {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    };
    write('deploy/redis.conf', 'bind 127.0.0.1\nport 6379\nappendonly yes\n');
    write('deploy/supervisord.conf', '[supervisord]\nnodaemon=true\n\n[program:app]\ncommand=node server.js\n');
    write(
      'apache/sites-available/000-default.conf',
      '<VirtualHost *:80>\n\tDocumentRoot /var/www/html\n</VirtualHost>\n',
    );
    // An nginx fragment no nginx.conf includes: it reads as nginx, and its finding is reported.
    write('deploy/site.conf', SITE);
    const relative = (file: string): string => path.relative(dir, file).split(path.sep).join('/');
    const reportedFiles = (stdout: string): string[] =>
      [...new Set((JSON.parse(stdout) as { file: string }[]).map((entry) => relative(entry.file)))].sort();
    const leftOut = /left out 3 file\(s\) that do not read as nginx configuration: (.*) \(/;

    const walked = nginxWs(['check', '--format', 'json', '--nginx-version', '1.22.1', '.'], { cwd: dir });
    assert.deepEqual(reportedFiles(walked.stdout), ['deploy/site.conf']);
    assert.deepEqual(leftOut.exec(walked.stderr)?.[1]?.split(', ').sort(), [
      'apache/sites-available/000-default.conf',
      'deploy/redis.conf',
      'deploy/supervisord.conf',
    ]);

    const files = [
      'apache/sites-available/000-default.conf',
      'deploy/redis.conf',
      'deploy/site.conf',
      'deploy/supervisord.conf',
    ];
    const ignoring = nginxWs(['check', '--format', 'json', '--ignore-unknown', '--nginx-version', '1.22.1', ...files], {
      cwd: dir,
    });
    assert.deepEqual(reportedFiles(ignoring.stdout), ['deploy/site.conf']);
    assert.match(ignoring.stderr, leftOut);
    // Named without it, a file is checked as nginx, as asked.
    const named = nginxWs(['check', '--format', 'json', '--nginx-version', '1.22.1', 'deploy/redis.conf'], {
      cwd: dir,
    });
    assert.equal(named.status, 1);
    assert.deepEqual(reportedFiles(named.stdout), ['deploy/redis.conf']);
    assert.equal(named.stderr, '');
  });

  test('a site enabled by a symlink, as Debian does: each finding once, at the file that holds the text when it is found or named', () => {
    const dir = mkdtempSync(path.join(workDir, 'symlinked-'));
    mkdirSync(path.join(dir, 'sites-available'));
    mkdirSync(path.join(dir, 'sites-enabled'));
    writeFileSync(path.join(dir, 'nginx.conf'), 'events {}\nhttp {\n    include sites-enabled/*;\n}\n');
    writeFileSync(path.join(dir, 'sites-available', 'app'), SITE);
    symlinkSync(path.join('..', 'sites-available', 'app'), path.join(dir, 'sites-enabled', 'app'));
    const findingsOf = (args: string[]): string[] =>
      (
        JSON.parse(
          nginxWs(['check', '--format', 'json', '--nginx-version', '1.22.1', ...args], { cwd: dir }).stdout,
        ) as {
          file: string;
          line: number;
          code: string;
        }[]
      ).map((entry) => `${path.relative(dir, entry.file)}:${entry.line} ${entry.code}`);
    const once = findingsOf(['.']);
    assert.ok(once.length > 0);
    assert.equal(new Set(once).size, once.length, once.join('\n'));
    // The folder has both paths: the findings go to sites-available/app, which a pull request changes.
    assert.ok(
      once.every((finding) => finding.startsWith(`${path.join('sites-available', 'app')}:`)),
      once.join('\n'),
    );
    assert.deepEqual(findingsOf(['sites-available/app']), once, 'named, the file gets its findings, not its symlink');
    assert.deepEqual(findingsOf(['sites-available/app', 'sites-enabled/app']), once);
    assert.deepEqual(
      findingsOf(['sites-enabled/app']),
      once.map((finding) => finding.replace(path.join('sites-available', 'app'), path.join('sites-enabled', 'app'))),
      'named by the symlink, at the symlink',
    );
    // --fix writes the site through its own path, and the check after it reads what was written.
    const fixed = nginxWs(['check', '--fix', '--nginx-version', '1.22.1', '.'], { cwd: dir });
    assert.equal(fixed.status, 0, fixed.stdout + fixed.stderr);
    assert.match(fixed.stderr, /^nginx-ws: fixed sites-available\/app$/m);
    assert.doesNotMatch(fixed.stdout, /: (error|warning): /);
    assert.match(
      readFileSync(path.join(dir, 'sites-available', 'app'), 'utf8'),
      /proxy_set_header Connection "upgrade";/,
    );
  });

  test('- reads standard input (a fragment: no main config around it, so warnings)', () => {
    const result = nginxWs(['check', '--nginx-version', '1.22.1', '--max-warnings', '0', '-'], { input: SITE });
    assert.equal(result.status, 1);
    assert.match(result.stdout, /^<stdin>:4:5: warning: .*\[ws-missing-connection\]$/m);
  });

  test('an nginx -T dump of a real nginx: findings at the original files and lines, the version from the dump', (t) => {
    const nginx = findNginx();
    if (!nginx) return t.skip('nginx not installed');
    const prefix = mkdtempSync(path.join(tmpdir(), 'nginx-ws-dump-'));
    try {
      mkdirSync(path.join(prefix, 'logs'));
      const dump = spawnSync(
        nginx,
        [
          '-T',
          '-q',
          '-p',
          `${prefix}/`,
          '-c',
          path.join(workDir, 'nginx.conf'),
          '-g',
          `pid ${prefix}/nginx.pid; error_log stderr;`,
        ],
        { encoding: 'utf8' },
      );
      assert.equal(dump.status, 0, dump.stderr);
      const version = spawnSync(nginx, ['-v'], { encoding: 'utf8' }).stderr;
      const input = `${version}${dump.stdout}`;
      const result = nginxWs(['check', '--format', 'json', '-'], { cwd: prefix, input });
      const findings = JSON.parse(result.stdout) as { file: string; line: number; code: string }[];
      const site = path.join(workDir, 'conf.d', 'site.conf');
      assert.ok(
        findings.some((entry) => entry.file === site && entry.line === 4 && entry.code === 'ws-missing-connection'),
        result.stdout,
      );
      assert.ok(
        findings.some(
          (entry) => entry.file === site && entry.line === 13 && entry.code === 'ws-connection-not-upgrade',
        ),
      );
      // nginx 1.22.1 (from the dump's version line) needs proxy_http_version 1.1.
      assert.ok(findings.some((entry) => entry.file === site && entry.code === 'ws-http-version'));
      assert.ok(!findings.some((entry) => entry.file.includes(`${path.sep}old${path.sep}`)), 'only what nginx loaded');
    } finally {
      rmSync(prefix, { recursive: true, force: true });
    }
  });

  test(
    'the shared corpus: every format, the same number of findings; SARIF valid',
    { skip: corpusSkipReason() ?? false },
    () => {
      const copy = path.join(workDir, 'corpus');
      cpSync(corpusDir, copy, { recursive: true });
      const args = ['check', '--nginx-version', '1.22.1', '--exclude', 'includes/', '.'];
      const json = JSON.parse(nginxWs([...args, '--format', 'json'], { cwd: copy }).stdout) as unknown[];
      const sarif = validateSarif(nginxWs([...args, '--format', 'sarif'], { cwd: copy }).stdout);
      const github = nginxWs([...args, '--format', 'github'], { cwd: copy })
        .stdout.trim()
        .split('\n')
        .filter(Boolean);
      assert.ok(json.length > 10);
      assert.equal(sarif.results.length, json.length);
      assert.equal(github.length, json.length);
    },
  );
});
