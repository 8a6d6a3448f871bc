// Mutation test on the shared corpus (issue #10): every correct WebSocket location of
// ../shared/corpus (MANIFEST.tsv category A, ws_endpoint yes), broken one known way at a time
// (test/helpers/mutants.ts), must be flagged as a warning or an error, on that location, by the
// rule that names the mistake; unbroken, it must get no WebSocket warning or error. Verdicts are
// for nginx 1.22.1 (before 1.29.7, proxy_http_version defaults to 1.0), and for 1.29.7 where the
// answer differs: a deleted proxy_http_version is no mistake there.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkFile } from '../../server/src/core/rules/check';
import { effectiveHeader } from '../../server/src/core/rules/headers';
import type { Finding } from '../../server/src/core/rules/types';
import { parseNginxVersion, type NginxVersion } from '../../server/src/core/rules/version';
import {
  analyzeCorpusFile,
  correctLocations,
  EXPECTED_RULE,
  locationAtLine,
  MUTATION_KINDS,
  mutantsOf,
  type MutationKind,
} from '../helpers/mutants';
import { corpusSkipReason } from '../helpers/paths';

const skip = corpusSkipReason() ?? false;
const older = parseNginxVersion('1.22.1');
const newer = parseNginxVersion('1.29.7');

function severe(finding: Finding): boolean {
  return finding.severity === 'error' || finding.severity === 'warning';
}

function findingsAt(
  file: string,
  overlay: ReadonlyMap<string, string>,
  line: number,
  version: NginxVersion | undefined,
): Finding[] {
  const analysis = analyzeCorpusFile(file, overlay);
  return checkFile(analysis, { nginxVersion: version, webSocketPaths: [], severity: {} }).filter(
    (finding) => finding.location.node.directive.range.start.line + 1 === line && finding.file === analysis.file,
  );
}

describe('corpus mutations: each known way to break a correct WebSocket location is caught', { skip }, () => {
  if (skip) return;
  const targets = correctLocations();

  it('the unbroken locations get no WebSocket warning or error', () => {
    assert.ok(targets.length >= 10, `only ${targets.length} correct WebSocket locations in the manifest`);
    for (const target of targets) {
      const line = target.row.line ?? 0;
      for (const version of [older, newer]) {
        const found = findingsAt(target.file, target.base, line, version).filter(severe);
        assert.deepEqual(
          found.map((finding) => `${finding.code}:${finding.severity}`),
          [],
          `${target.file}:${line}`,
        );
      }
    }
  });

  it('every applicable mutant is flagged by the rule that names the mistake, on its location', (context) => {
    const table = new Map<MutationKind, { applicable: number; caught: number; skipped: Map<string, number> }>();
    for (const kind of MUTATION_KINDS) table.set(kind, { applicable: 0, caught: 0, skipped: new Map() });
    const misses: string[] = [];
    for (const target of targets) {
      const line = target.row.line ?? 0;
      for (const mutant of mutantsOf(target)) {
        const entry = table.get(mutant.kind);
        if (!entry) throw new Error(`unknown kind ${mutant.kind}`);
        let reason = mutant.skip;
        if (!reason) {
          // Deleting a line that an enclosing level sets too breaks nothing (facts §3): not a mutant.
          const mutated = locationAtLine(analyzeCorpusFile(target.file, mutant.overlay), line);
          if (!mutated) reason = 'the mutation removed the location';
          else if (mutant.kind === 'delete proxy_http_version' && mutated.proxyHttpVersion?.value === '1.1')
            reason = 'an enclosing level sets proxy_http_version 1.1 too';
          else if (mutant.kind === 'delete Upgrade' && effectiveHeader(mutated, 'upgrade'))
            reason = 'another Upgrade line is in force';
          else if (mutant.kind === 'delete Connection' && effectiveHeader(mutated, 'connection'))
            reason = 'another Connection line is in force';
        }
        if (reason) {
          entry.skipped.set(reason, (entry.skipped.get(reason) ?? 0) + 1);
          continue;
        }
        entry.applicable++;
        const expected = EXPECTED_RULE[mutant.kind];
        const found = findingsAt(target.file, mutant.overlay, line, older);
        if (found.some((finding) => finding.code === expected && severe(finding))) entry.caught++;
        else
          misses.push(
            `${target.file}:${line} ${mutant.kind}: expected ${expected} (warning or error), got ${
              found.map((finding) => `${finding.code}:${finding.severity}`).join(', ') || 'nothing'
            }`,
          );
        if (mutant.kind === 'delete proxy_http_version') {
          // nginx 1.29.7 speaks HTTP/1.1 to upstreams by default (commit 6bb27a631): nothing to report.
          const onNewer = findingsAt(target.file, mutant.overlay, line, newer);
          if (onNewer.some((finding) => finding.code === 'ws-http-version'))
            misses.push(
              `${target.file}:${line} ${mutant.kind}: ws-http-version on nginx 1.29.7, where 1.1 is the default`,
            );
        }
      }
    }
    let applicable = 0;
    let caught = 0;
    context.diagnostic('kind | applicable | caught | skipped (reason × count)');
    for (const [kind, entry] of table) {
      applicable += entry.applicable;
      caught += entry.caught;
      const reasons = [...entry.skipped].map(([why, count]) => `${why} ×${count}`).join('; ');
      context.diagnostic(`${kind} | ${entry.applicable} | ${entry.caught} | ${reasons || '-'}`);
    }
    context.diagnostic(`all | ${applicable} | ${caught}`);
    assert.deepEqual(misses, []);
    assert.equal(caught, applicable);
    assert.ok(applicable >= 80, `only ${applicable} applicable mutants`);
    for (const [kind, entry] of table) assert.ok(entry.applicable > 0, `no applicable mutant of kind ${kind}`);
  });
});
