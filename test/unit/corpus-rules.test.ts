// The WebSocket rules on the shared corpus of real configs, read in place from ../shared/corpus
// (never copied into the project), against MANIFEST.tsv's expected_linter_verdict for each
// proxying location (1-based loc_line): plain HTTP proxies (category C) get no warning or error,
// broken WebSocket endpoints (B) are found, correct ones (A) get no error. Where we deliberately
// answer otherwise than the manifest, the row is in DELIBERATE_DISAGREEMENTS with the reason.
// The counts are printed as test diagnostics.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { analyzeFile } from '../../server/src/core/model/workspace';
import { checkFile } from '../../server/src/core/rules/check';
import { isComplete } from '../../server/src/core/rules/evidence';
import type { Finding, Severity } from '../../server/src/core/rules/types';
import { parseNginxVersion, type NginxVersion } from '../../server/src/core/rules/version';
import { CorpusFileSystem, INCLUDES, readManifest } from '../helpers/corpus';
import { JailedFileSystem } from '../helpers/fileSystems';
import { confFiles, corpusDir, corpusSkipReason } from '../helpers/paths';

const skip = corpusSkipReason() ?? false;

/** What the manifest's verdict asks of a linter, in testable terms. */
type Demand =
  | { kind: 'no-findings' }
  /** "OK ...": no error (and, for a correct config, no warning either). */
  | { kind: 'ok' }
  /** "OK if includes resolved; otherwise must not report an ERROR (report unknown)". */
  | { kind: 'ok-if-resolved' }
  /** "OK or WARN", "WARN at most": no error. */
  | { kind: 'at-most-warning' }
  | { kind: 'warning' }
  /** "ERROR: ...", "WARN/ERROR": found, at any nginx version. */
  | { kind: 'found'; strictly: 'error' | 'warning-or-error' }
  /** "ERROR on nginx < 1.29.7 ...; not an error on nginx >= 1.29.7"; `alsoAt`: a location the finding may be reported at instead. */
  | { kind: 'error-before-1.29.7'; alsoAt: number | undefined };

function demandOf(verdict: string): Demand {
  if (verdict.startsWith('OK (no findings)')) return { kind: 'no-findings' };
  if (verdict.startsWith('OK if includes resolved')) return { kind: 'ok-if-resolved' };
  if (verdict.startsWith('OK or WARN') || verdict.startsWith('WARN at most')) return { kind: 'at-most-warning' };
  if (verdict.startsWith('OK')) return { kind: 'ok' };
  if (verdict.startsWith('ERROR on nginx < 1.29.7')) return { kind: 'error-before-1.29.7', alsoAt: undefined };
  if (verdict.startsWith('ERROR expected once for this try_files')) {
    const alsoAt = /at @\S+ L(\d+)/.exec(verdict)?.[1];
    if (!/nginx < 1\.29\.7 only/.test(verdict)) throw new Error(`unexpected verdict ${verdict}`);
    return { kind: 'error-before-1.29.7', alsoAt: alsoAt ? Number(alsoAt) : undefined };
  }
  if (verdict.startsWith('ERROR:')) return { kind: 'found', strictly: 'error' };
  if (verdict.startsWith('WARN/ERROR')) return { kind: 'found', strictly: 'warning-or-error' };
  if (verdict.startsWith('WARN')) return { kind: 'warning' };
  throw new Error(`Cannot read the verdict ${JSON.stringify(verdict)}`);
}

/**
 * Rows where our answer differs from the manifest on purpose. `ours` is what we report at that
 * location (the strongest severity, or "none"), checked so that a stale entry is noticed.
 */
const DELIBERATE_DISAGREEMENTS: Record<string, { manifest: string; ours: Severity | 'none'; reason: string }> = {
  '34-authentik-nginx-standalone.conf:21': {
    manifest: 'WARN (WS headers without proxy_http_version 1.1 - latent)',
    ours: 'none',
    reason:
      'the location has no proxy_pass (it is commented out as a placeholder), so nginx proxies nothing there and the rules, which check proxied locations, have nothing to check. The bug is latent until the user writes the proxy_pass; then ws-http-version reports it (the location sets Upgrade and Connection): a warning, as the file is a fragment.',
  },
};

const SEVERITY_RANK: Record<Severity | 'none', number> = { error: 4, warning: 3, information: 2, hint: 1, none: 0 };

function strongest(findings: readonly Finding[]): Severity | 'none' {
  let best: Severity | 'none' = 'none';
  for (const finding of findings) if (SEVERITY_RANK[finding.severity] > SEVERITY_RANK[best]) best = finding.severity;
  return best;
}

function isSevere(severity: Severity | 'none'): boolean {
  return severity === 'error' || severity === 'warning';
}

interface Run {
  /** Findings by the 1-based line of their location. */
  readonly byLocation: Map<number, Finding[]>;
  readonly all: readonly Finding[];
  /**
   * What a contradicted WebSocket intent is reported as (issue #10): an error in a complete config
   * (a main config), a warning in a fragment, whose includer may hold what it lacks.
   */
  readonly errorLevel: Severity;
}

function run(file: string, nginxVersion: NginxVersion | undefined, withIncludes: boolean): Run {
  const name = path.basename(file);
  const fs = new CorpusFileSystem(withIncludes ? INCLUDES[name] : undefined);
  const analysis = analyzeFile(file, fs, { workspaceFolders: [corpusDir] });
  const all = checkFile(analysis, { nginxVersion, webSocketPaths: [], severity: {} });
  const byLocation = new Map<number, Finding[]>();
  for (const finding of all) {
    const line = finding.location.node.directive.range.start.line + 1;
    const list = byLocation.get(line);
    if (list) list.push(finding);
    else byLocation.set(line, [finding]);
  }
  return { byLocation, all, errorLevel: isComplete(analysis) ? 'error' : 'warning' };
}

describe('the rules on the shared corpus, against MANIFEST.tsv', { skip }, () => {
  if (skip) return;
  const rows = readManifest();
  const files = confFiles(corpusDir);
  const older = parseNginxVersion('1.22.1');
  const newer = parseNginxVersion('1.29.7');
  const runs = new Map<string, { unknown: Run; older: Run; newer: Run; resolved: Run | undefined }>();
  for (const file of files) {
    const name = path.basename(file);
    runs.set(name, {
      unknown: run(file, undefined, false),
      older: run(file, older, false),
      newer: run(file, newer, false),
      resolved: INCLUDES[name] ? run(file, undefined, true) : undefined,
    });
  }
  const runsOf = (name: string) => {
    const found = runs.get(name);
    if (!found) throw new Error(`MANIFEST.tsv names ${name}, which is not in the corpus`);
    return found;
  };

  it('every corpus config has manifest rows and every manifest row a corpus config', () => {
    assert.deepEqual([...new Set(rows.map((row) => row.file))].sort(), [...runs.keys()].sort());
  });

  it('an unknown nginx version is treated as an older one', () => {
    for (const [name, { unknown, older: olderRun }] of runs) {
      const summary = (list: readonly Finding[]) =>
        list.map((finding) => `${finding.code}:${finding.severity}@${finding.range.start.line}`);
      assert.deepEqual(summary(unknown.all), summary(olderRun.all), name);
    }
  });

  it('category C (plain HTTP proxies) files get no warning or error', () => {
    for (const name of new Set(rows.filter((row) => row.category === 'C').map((row) => row.file))) {
      const { older: olderRun, newer: newerRun } = runsOf(name);
      for (const findings of [olderRun.all, newerRun.all]) {
        assert.deepEqual(
          findings
            .filter((finding) => isSevere(finding.severity))
            .map((finding) => `${finding.code}@${finding.range.start.line + 1}`),
          [],
          name,
        );
      }
    }
  });

  it('category A (working WebSocket proxies) files get no error', () => {
    for (const name of new Set(rows.filter((row) => row.category === 'A').map((row) => row.file))) {
      const { older: olderRun, resolved } = runsOf(name);
      for (const findings of [olderRun.all, resolved?.all ?? []]) {
        assert.deepEqual(
          findings
            .filter((finding) => finding.severity === 'error')
            .map((finding) => `${finding.code}@${finding.range.start.line + 1}`),
          [],
          name,
        );
      }
    }
  });

  it('every warning or error is on a location the manifest reads', () => {
    for (const [name, fileRuns] of runs) {
      const known = new Set(rows.filter((row) => row.file === name).map((row) => row.line));
      for (const findings of [fileRuns.older.all, fileRuns.newer.all, fileRuns.resolved?.all ?? []]) {
        for (const finding of findings) {
          if (!isSevere(finding.severity)) continue;
          const line = finding.location.node.directive.range.start.line + 1;
          assert.ok(
            known.has(line),
            `${name}: ${finding.code} on location line ${line}, which MANIFEST.tsv does not list`,
          );
        }
      }
    }
  });

  it('each location meets its expected_linter_verdict, or is a listed, deliberate disagreement', (context) => {
    const failures: string[] = [];
    const disagreements = new Map<string, Severity | 'none'>();
    let brokenEndpoints = 0;
    let brokenFound = 0;
    let plainProxies = 0;
    let plainSilent = 0;
    let correctEndpoints = 0;
    let correctWithoutError = 0;
    for (const row of rows) {
      const key = `${row.file}:${row.line ?? '-'}`;
      const demand = demandOf(row.verdict);
      const { older: olderRun, newer: newerRun, resolved } = runsOf(row.file);
      const at = (which: Run, line: number | undefined = row.line) =>
        line === undefined ? which.all : (which.byLocation.get(line) ?? []);
      const olderSeverity = strongest(at(olderRun));
      const newerSeverity = strongest(at(newerRun));
      const fail = (why: string) => failures.push(`${key} (${row.location}): ${why}; manifest: ${row.verdict}`);
      let met: boolean;
      switch (demand.kind) {
        case 'no-findings':
          met = olderRun.all.length === 0 && newerRun.all.length === 0;
          break;
        case 'ok':
          met = !isSevere(olderSeverity) && !isSevere(newerSeverity);
          break;
        case 'ok-if-resolved':
          met = olderSeverity !== 'error' && (resolved === undefined || !isSevere(strongest(at(resolved))));
          break;
        case 'at-most-warning':
          met = olderSeverity !== 'error' && newerSeverity !== 'error';
          break;
        case 'warning':
          met = olderSeverity === 'warning' && newerSeverity === 'warning';
          break;
        case 'found':
          met =
            demand.strictly === 'error'
              ? olderSeverity === olderRun.errorLevel && newerSeverity === newerRun.errorLevel
              : isSevere(olderSeverity) && isSevere(newerSeverity);
          break;
        case 'error-before-1.29.7': {
          const lines = [row.line, demand.alsoAt];
          const olderHere = lines
            .flatMap((line) => at(olderRun, line))
            .filter((finding) => finding.code === 'ws-http-version');
          const newerHere = lines.flatMap((line) => at(newerRun, line));
          met =
            strongest(olderHere) === olderRun.errorLevel &&
            !newerHere.some((finding) => SEVERITY_RANK[finding.severity] >= SEVERITY_RANK[newerRun.errorLevel]);
          break;
        }
      }
      const deliberate = DELIBERATE_DISAGREEMENTS[key];
      if (!met) {
        if (deliberate && deliberate.ours === olderSeverity) disagreements.set(key, olderSeverity);
        else
          fail(
            `we report ${olderSeverity} (nginx 1.22.1) / ${newerSeverity} (nginx 1.29.7): ${
              at(olderRun)
                .map((finding) => finding.code)
                .join(', ') || 'nothing'
            }`,
          );
      } else if (deliberate) {
        fail('listed as a deliberate disagreement but meets the verdict: remove it from the table');
      }

      // The counts of the summary.
      const wsEndpoint = row.wsEndpoint.startsWith('yes');
      // A row whose finding may be reported at another location (try_files -> @proxy) is counted there.
      const countedElsewhere = demand.kind === 'error-before-1.29.7' && demand.alsoAt !== undefined;
      if (
        row.category === 'B' &&
        ['found', 'warning', 'error-before-1.29.7'].includes(demand.kind) &&
        !countedElsewhere
      ) {
        brokenEndpoints++;
        if (isSevere(olderSeverity)) brokenFound++;
      }
      if (row.wsEndpoint === 'no') {
        plainProxies++;
        if (!isSevere(olderSeverity) && !isSevere(newerSeverity)) plainSilent++;
      }
      if (wsEndpoint && (row.category === 'A' || row.category === 'big')) {
        correctEndpoints++;
        if (olderSeverity !== 'error') correctWithoutError++;
      }
    }
    for (const key of Object.keys(DELIBERATE_DISAGREEMENTS)) {
      if (!rows.some((row) => `${row.file}:${row.line ?? '-'}` === key))
        failures.push(`${key}: listed as a deliberate disagreement, but MANIFEST.tsv has no such row`);
    }
    // A severity disagreement the verdict tolerates ("found" accepts a warning for ERROR: ...) is still a disagreement.
    for (const row of rows) {
      const key = `${row.file}:${row.line ?? '-'}`;
      const demand = demandOf(row.verdict);
      if (demand.kind !== 'found' || demand.strictly !== 'error') continue;
      const olderRun = runsOf(row.file).older;
      const severity = strongest(olderRun.byLocation.get(row.line ?? -1) ?? []);
      if (severity !== olderRun.errorLevel && !disagreements.has(key))
        failures.push(`${key}: the manifest says ERROR, we say ${severity}, and the table does not say why`);
    }
    assert.deepEqual(failures, []);
    assert.equal(disagreements.size, Object.keys(DELIBERATE_DISAGREEMENTS).length);

    context.diagnostic(`corpus: ${files.length} configs, ${rows.length} manifest rows`);
    context.diagnostic(
      `real WebSocket misconfigurations (category B rows that ask for a finding) found as warning or error: ${brokenFound} of ${brokenEndpoints}`,
    );
    context.diagnostic(
      `plain HTTP proxies (ws_endpoint "no") with no warning or error: ${plainSilent} of ${plainProxies}`,
    );
    context.diagnostic(
      `working WebSocket endpoints (A and big) with no error: ${correctWithoutError} of ${correctEndpoints}`,
    );
    context.diagnostic(`deliberate disagreements with the manifest: ${disagreements.size}`);
    for (const [key, ours] of disagreements) {
      const entry = DELIBERATE_DISAGREEMENTS[key];
      context.diagnostic(`  ${key}: manifest ${entry?.manifest ?? ''}, ours ${ours}: ${entry?.reason ?? ''}`);
    }
  });

  it('34-authentik: once its placeholder proxy_pass is written, the latent bug is found (a warning: the file is a fragment)', () => {
    const file = path.join(corpusDir, '34-authentik-nginx-standalone.conf');
    const text = readFileSync(file, 'utf8');
    const placeholder = '# proxy_pass http://localhost:5000;';
    assert.ok(text.includes(placeholder));
    const fs = new JailedFileSystem(corpusDir, (candidate) =>
      candidate === file ? text.replace(placeholder, 'proxy_pass http://localhost:5000;') : undefined,
    );
    const findings = checkFile(analyzeFile(file, fs, { workspaceFolders: [corpusDir] }), {
      nginxVersion: older,
      webSocketPaths: [],
      severity: {},
    });
    assert.deepEqual(
      findings
        .filter((finding) => finding.location.node.directive.range.start.line + 1 === 21)
        .map((finding) => `${finding.code}:${finding.severity}`),
      // A server block on its own: an error in a complete config, a warning in a fragment (issue #10).
      ['ws-http-version:warning', 'ws-read-timeout:information'],
    );
  });

  it('with the include files of includes/ resolved, their locations get no warning or error', () => {
    for (const [name] of Object.entries(INCLUDES)) {
      const { resolved } = runsOf(name);
      assert.ok(resolved);
      assert.deepEqual(
        resolved.all.filter((finding) => isSevere(finding.severity)).map((finding) => finding.code),
        [],
        name,
      );
    }
  });

  it('without them, what cannot be known is information, saying which include could not be read', () => {
    for (const [name] of Object.entries(INCLUDES)) {
      const { older: olderRun } = runsOf(name);
      const uncertain = olderRun.all.filter((finding) => /Not certain: /.test(finding.message));
      assert.ok(uncertain.length > 0, `${name}: no uncertain finding`);
      for (const finding of uncertain) assert.equal(finding.severity, 'information', `${name}: ${finding.code}`);
    }
  });
});
