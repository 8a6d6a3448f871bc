// The proxy test's config must be the user's nginx for what a WebSocket depends on (issue #11):
// for every proxying location of the shared corpus, the model of the generated test config gives
// the backend the same HTTP version, Upgrade and Connection (evaluated through inherited levels,
// maps and set, for a Chrome and a Firefox handshake and a plain request) as the model of the
// original config. A value the original cannot be known statically (Lua, run-time variables)
// claims nothing either way.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
  CHROME_HANDSHAKE,
  evaluateLocation,
  FIREFOX_HANDSHAKE,
  PLAIN_REQUEST,
  type SentHeader,
} from '../../server/src/core/eval/evaluate';
import { analyzeFile } from '../../server/src/core/model/workspace';
import { proxiedLocations } from '../../server/src/core/rules/check';
import { parseNginxVersion } from '../../server/src/core/rules/version';
import { buildTestConfig } from '../../server/src/proxytest/buildConfig';
import { CorpusFileSystem, INCLUDES } from '../helpers/corpus';
import { MemoryFileSystem } from '../helpers/fileSystems';
import { confFiles, corpusDir, corpusSkipReason } from '../helpers/paths';

const skip = corpusSkipReason() ?? false;
const version = parseNginxVersion('1.22.1');

function shown(header: SentHeader): string | undefined {
  return header.result.known ? JSON.stringify(header.result.value) : undefined;
}

describe('the proxy test config keeps what the backend receives (shared corpus)', { skip }, () => {
  if (skip) return;
  it('every proxying location: same HTTP version, Upgrade and Connection for each request', (t) => {
    const mismatches: string[] = [];
    const excused: string[] = [];
    let compared = 0;
    for (const file of confFiles(corpusDir)) {
      const name = path.basename(file);
      const analysis = analyzeFile(file, new CorpusFileSystem(INCLUDES[name]), { workspaceFolders: [corpusDir] });
      for (const location of proxiedLocations(analysis)) {
        const where = `${name}:${location.node.directive.range.start.line + 1} (${location.kind} ${location.path})`;
        if (location.kind !== 'location') {
          // The test requests its location directly; an `if` is left out and said so in the report.
          excused.push(`${where}: an "if" block's own proxy_pass, which the test leaves out`);
          continue;
        }
        const config = buildTestConfig(analysis, location, {
          backendPort: 9,
          listenPort: 10,
          isolation: { main: [], events: [], http: [] },
          environment: {},
        });
        const testFile = '/nginx-ws-test/nginx.conf';
        const tested = analyzeFile(testFile, new MemoryFileSystem({ [testFile]: config.text }), {
          workspaceFolders: ['/nginx-ws-test'],
        });
        const twin = tested.locations.find(
          (candidate) =>
            candidate.kind === 'location' &&
            candidate.path === location.path &&
            candidate.modifier === location.modifier &&
            candidate.proxyPass !== undefined,
        );
        if (!twin) {
          mismatches.push(`${where}: not found in the test config`);
          continue;
        }
        compared++;
        for (const request of [CHROME_HANDSHAKE, FIREFOX_HANDSHAKE, PLAIN_REQUEST]) {
          const original = evaluateLocation(analysis.model, location, request, version);
          const copy = evaluateLocation(tested.model, twin, request, version);
          if (original.httpVersion !== copy.httpVersion)
            mismatches.push(`${where}, ${request.label}: HTTP/${original.httpVersion} → HTTP/${copy.httpVersion}`);
          for (const header of ['upgrade', 'connection'] as const) {
            const before = shown(original[header]);
            if (before === undefined) continue;
            const after = shown(copy[header]);
            if (before !== after)
              mismatches.push(`${where}, ${request.label}: ${header} ${before} → ${after ?? 'unknown'}`);
          }
        }
      }
    }
    t.diagnostic(`locations compared: ${compared}; excused: ${excused.length}`);
    for (const line of excused) t.diagnostic(`excused: ${line}`);
    assert.ok(compared > 40, `only ${compared} locations compared`);
    assert.deepEqual(mismatches, []);
  });
});
