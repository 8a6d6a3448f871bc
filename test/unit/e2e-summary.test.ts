// The end-to-end runner's pure parts: the closing summary, the suite's results file, the
// activation time read from the extension's log, and what the .vscodeignore allow-list lets in.
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseActivationMs } from '../e2e/support/activation';
import { formatSummary, parseSuiteResults, singleTestPart, suitePart } from '../e2e/support/summary';
import { allowListedTopLevel } from '../e2e/ui/package-vsix';

describe('e2e summary', () => {
  test('ends with "e2e: N passed, M failed" over all parts, listing each failure', () => {
    const lines = formatSummary([
      suitePart({ passed: ['a', 'b'], failed: ['c: boom'] }, new Error('1 end-to-end test failed.')),
      singleTestPart('UI walk', undefined),
    ]);
    assert.deepEqual(lines, [
      'extension-host suite: 2 passed, 1 failed',
      '  ✘ c: boom',
      'UI walk: 1 passed, 0 failed',
      'e2e: 3 passed, 1 failed',
    ]);
  });

  test('a suite that never wrote its results, or failed after passing, still counts as failed', () => {
    assert.deepEqual(suitePart(undefined, new Error('Timed out after 180 s\nmore')).failed, [
      'the suite did not finish: Timed out after 180 s',
    ]);
    assert.deepEqual(suitePart({ passed: ['a'], failed: [] }, new Error('exit code 1')).failed, [
      'VS Code failed after the tests: exit code 1',
    ]);
    assert.deepEqual(suitePart({ passed: ['a'], failed: [] }, undefined), {
      name: 'extension-host suite',
      passed: ['a'],
      failed: [],
    });
  });

  test('a failed UI walk is one failure named with its first error line', () => {
    assert.deepEqual(singleTestPart('UI walk', new Error('locator.waitFor: Timeout\nCall log')), {
      name: 'UI walk',
      passed: [],
      failed: ['UI walk: locator.waitFor: Timeout'],
    });
  });

  test('parseSuiteResults reads what suite/index.ts writes, and nothing else', () => {
    assert.deepEqual(parseSuiteResults('{"passed":["x"],"failed":[]}'), { passed: ['x'], failed: [] });
    assert.equal(parseSuiteResults(undefined), undefined);
    assert.equal(parseSuiteResults('{"passed":3}'), undefined);
    assert.equal(parseSuiteResults('not json'), undefined);
  });
});

describe('activation time', () => {
  test('is the first "language server started in N ms" of the output channel log', () => {
    const log = [
      '2026-11-25 01:38:44.452 [info] nginx-ws language server started in 668 ms.',
      '2026-11-25 01:38:44.663 [info] Target nginx 1.22.1, from nginx -v.',
    ].join('\n');
    assert.equal(parseActivationMs(log), 668);
    assert.equal(parseActivationMs('[error] The language server failed to start'), undefined);
  });
});

describe('allowListedTopLevel', () => {
  test('names the top-level entries that negated patterns let in, except the built client and server', () => {
    const vscodeignore = [
      '# comment',
      '**',
      '!package.json',
      '!README.md',
      '!images/*.png',
      '!/docs/rules/*.md',
      '!client/out/extension.js',
      '!server/out/server.js',
      '!**/*.md',
    ].join('\n');
    assert.deepEqual(allowListedTopLevel(vscodeignore), [
      '.vscodeignore',
      'README.md',
      'docs',
      'images',
      'package.json',
    ]);
  });
});
