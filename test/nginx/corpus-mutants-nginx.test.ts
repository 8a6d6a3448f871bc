// A sample of the corpus mutants (test/helpers/mutants.ts) on a real nginx (Debian's 1.22.1)
// with a real ws backend, through the proxy test's own machinery (the test config built from the
// location, nginx started, a handshake sent): the unbroken locations pass the handshake, and
// every mutant of theirs, which the mutation test expects a rule to flag, fails it. So the
// verdicts written from nginx's rules are nginx's own.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testableLocations, testLocation } from '../../server/src/proxytest/testLocation';
import { corpusSkipReason } from '../helpers/paths';
import { analyzeCorpusFile, correctLocations, mutantsOf } from '../helpers/mutants';
import { findNginx } from '../helpers/nginx';

const nginx = findNginx();
const skip =
  corpusSkipReason() ??
  (nginx ? false : 'nginx is not installed (apt-get install nginx); the corpus mutants on nginx skipped');

/** One location with the map idiom in a whole config, one with the literal in a fragment. */
const SAMPLE = ['01-mastodon-dist-nginx.conf', '05-socketio-cluster-nginx.conf'];

async function handshake(file: string, overlay: ReadonlyMap<string, string>, line: number) {
  const analysis = analyzeCorpusFile(file, overlay);
  const choice = testableLocations(analysis).find((entry) => entry.line + 1 === line);
  assert.ok(choice, `${file}:${line} is not a testable location`);
  return testLocation({
    choice,
    analysis,
    nginxPath: nginx ?? 'nginx',
    timeoutMs: 15_000,
    webSocketPaths: [],
    severity: {},
  });
}

describe('corpus mutants on a real nginx: unbroken passes, every mutant fails the handshake', { skip }, () => {
  if (skip) return;
  const targets = correctLocations().filter((target) => SAMPLE.includes(target.file));

  it('the sample is there', () => assert.equal(targets.length, SAMPLE.length));

  for (const target of targets) {
    const line = target.row.line ?? 0;
    it(`${target.file}:${line} unbroken: the handshake passes`, async () => {
      const report = await handshake(target.file, target.base, line);
      assert.equal(report.outcome.kind, 'passed', report.details.join('\n'));
    });
    for (const mutant of mutantsOf(target)) {
      if (mutant.skip) continue;
      it(`${target.file}:${line} ${mutant.kind}: the handshake fails`, async () => {
        const report = await handshake(target.file, mutant.overlay, line);
        // A deleted map makes nginx -t refuse the config: a config error, which is no upgrade either.
        const expected = mutant.kind === 'map deleted' ? 'config-error' : 'failed';
        assert.equal(report.outcome.kind, expected, report.details.join('\n'));
      });
    }
  }
});
