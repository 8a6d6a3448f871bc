// A real `nginx -t` accepts every good rule fixture and every text a quick fix produced
// (test/fixtures/rules/**/good*, *.fixed.conf, *.fixed/): a fix must leave a config that loads.
// And it rejects the one bad fixture whose rule says so (an undefined $connection_upgrade).
//
// Each check runs on a copy in its own temporary prefix: nginx resolves relative includes against
// the directory of the -c file, and the copy gets the isolation directives (pid, error log, temp
// paths inside the temporary folder) so that nothing touches /etc/nginx or a running nginx.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from '../../server/src/core/parser/parser';
import { isolationDirectives, quoteNginxString } from '../../server/src/proxytest/isolation';
import { findNginx, readNginxFirstError } from '../helpers/nginx';
import { filesUnder, ruleCases, type RuleCase } from '../helpers/rules-fixtures';

const nginx = findNginx();
const skip = nginx ? false : 'nginx is not installed (apt-get install nginx); nginx -t on the fixed fixtures skipped';

interface NginxVerdict {
  readonly ok: boolean;
  readonly output: string;
  readonly message: string | undefined;
  /** The files nginx read, relative to the copy's config folder (from `nginx -T`'s dump). */
  readonly filesRead: readonly string[];
}

/**
 * Puts the http-level isolation directives right after `http {` on the same line, so that the
 * line numbers nginx reports are those of the fixture.
 */
function isolate(mainText: string, tempDir: string): string {
  const http = parse(mainText).directives.find((directive) => directive.name === 'http' && directive.block);
  if (!http?.block) throw new Error('the main config has no http block');
  const at = http.block.openOffset + 1;
  return `${mainText.slice(0, at)} ${isolationDirectives({ tempDir }).http.join(' ')}${mainText.slice(at)}`;
}

/**
 * `nginx -T` (test, then dump the configuration) on `mainFile` inside `tempDir`, a copy. The dump
 * names every file read: a glob include that matched nothing would pass the test unnoticed.
 */
function nginxCheck(tempDir: string, mainFile: string, configDir: string): NginxVerdict {
  writeFileSync(mainFile, isolate(readFileSync(mainFile, 'utf8'), tempDir));
  const main = isolationDirectives({ tempDir }).main.join(' ');
  const result = spawnSync(
    nginx as string,
    ['-T', '-q', '-e', 'stderr', '-p', tempDir + path.sep, '-c', mainFile, '-g', main],
    { encoding: 'utf8', timeout: 30_000 },
  );
  if (result.error) throw result.error;
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  const filesRead = [...output.matchAll(/^# configuration file (.+):$/gm)].map((match) =>
    path.relative(configDir, match[1] as string),
  );
  return {
    ok: result.status === 0,
    output,
    message: readNginxFirstError(output)?.message ?? unlocatedEmergency(output),
    filesRead,
  };
}

/** Errors found after parsing (an unknown variable) carry no "in FILE:LINE". */
function unlocatedEmergency(output: string): string | undefined {
  return /\[emerg\] (?:\d+#\d+: )?(.*?)\s*$/m.exec(output)?.[1];
}

/**
 * Copies a case (or its fixed text) into a fresh temporary folder and checks it. A folder without
 * nginx.conf (a conf.d file on its own) gets a main config that includes it in http, as Debian's does.
 */
function checkCopy(source: string, kind: RuleCase['kind']): NginxVerdict {
  const tempDir = mkdtempSync(path.join(tmpdir(), 'nginx-ws-fixes-'));
  try {
    const configDir = path.join(tempDir, 'config');
    let mainFile = path.join(configDir, 'nginx.conf');
    if (kind === 'file') {
      cpSync(source, mainFile);
    } else {
      cpSync(source, configDir, { recursive: true });
      if (!existsSync(mainFile)) {
        mainFile = path.join(tempDir, 'wrapper.conf');
        writeFileSync(
          mainFile,
          `events {}\nhttp {\n    include ${quoteNginxString(path.join(configDir, 'conf.d', '*.conf'))};\n}\n`,
        );
      }
    }
    const verdict = nginxCheck(tempDir, mainFile, configDir);
    if (kind === 'tree' && verdict.ok) {
      const expected = filesUnder(source)
        .filter((file) => file.endsWith('.conf'))
        .map((file) => path.relative(source, file));
      assert.deepEqual(
        verdict.filesRead.filter((file) => !file.startsWith('..')).sort(),
        expected,
        'nginx read every file of the case',
      );
    }
    return verdict;
  } finally {
    rmSync(tempDir, { recursive: true, force: true });
  }
}

const cases = ruleCases();

describe('nginx -t accepts the good fixtures', () => {
  for (const testCase of cases.filter((candidate) => candidate.isGood)) {
    it(testCase.id, { skip }, () => {
      const verdict = checkCopy(testCase.kind === 'file' ? testCase.file : testCase.root, testCase.kind);
      assert.ok(verdict.ok, `nginx -t failed:\n${verdict.output}`);
    });
  }
});

describe('nginx -t accepts every fixed text', () => {
  for (const testCase of cases.filter((candidate) => candidate.fixed)) {
    it(`${testCase.id} after "${JSON.stringify(testCase.expectation.fix)}"`, { skip }, () => {
      const verdict = checkCopy(testCase.fixed as string, testCase.kind);
      assert.ok(verdict.ok, `nginx -t failed:\n${verdict.output}`);
    });
  }
});

describe('nginx -t agrees with the rules about a config that does not load', () => {
  it('ws-undefined-variable/bad: unknown "connection_upgrade" variable', { skip }, () => {
    const testCase = cases.find((candidate) => candidate.id === 'ws-undefined-variable/bad');
    assert.ok(testCase);
    const verdict = checkCopy(testCase.file, 'file');
    assert.equal(verdict.ok, false);
    assert.equal(verdict.message, 'unknown "connection_upgrade" variable');
  });
});
