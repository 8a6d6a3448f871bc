// "Test WebSocket proxy" on the shared corpus (issue #11), with a real nginx and a real ws backend:
// every WebSocket location MANIFEST.tsv labels correct gets 101 and the echo; every one labelled
// broken fails, and the report names the labelled cause. Locations that cannot be tested here are
// listed with the reason, never skipped in silence. Bounded concurrency keeps it to seconds.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { chooseLocation, testLocation, type LocationTestReport } from '../../server/src/proxytest/testLocation';
import { CorpusFileSystem, INCLUDES, readManifest, type ManifestRow } from '../helpers/corpus';
import { findNginx } from '../helpers/nginx';
import { corpusDir, corpusSkipReason } from '../helpers/paths';

const nginx = findNginx();
const skip = corpusSkipReason() ?? (nginx ? false : 'nginx is not installed');

/** Rows that cannot be tested by themselves here, and why. */
const NOT_TESTABLE: Record<string, string> = {
  '07-channels-deploying.conf:7':
    'no proxy_pass of its own: try_files hands over to @proxy_to_app, tested as its own row',
  '24-phoenix-ansible-proxy.conf:14': 'no proxy_pass of its own: try_files hands over to @proxy, tested as its own row',
  '17-swag-jellyfin-subdomain.conf:36':
    'its $connection_upgrade map is in the SWAG base image nginx.conf, which the corpus does not hold: the test (rightly) stops at nginx -t with unknown "connection_upgrade" variable',
  '47-jitsi-meet-example.conf:204':
    'no proxy_pass of its own: it rewrites to /xmpp-websocket, the location of row 126, tested as its own row',
  '34-authentik-nginx-standalone.conf:21':
    'its proxy_pass is a commented-out documentation placeholder: nothing is proxied',
};

/** The rule codes that name each cause the manifest gives (its missing_nginx_lt_1.29.7 column). */
function expectedCodes(missing: string): string[] {
  const codes: string[] = [];
  if (/proxy_http_version/.test(missing)) codes.push('ws-http-version');
  if (/\bUpgrade\b/.test(missing)) codes.push('ws-missing-upgrade');
  if (/keep-alive/.test(missing)) codes.push('ws-connection-not-upgrade');
  else if (/\bConnection\b/.test(missing)) codes.push('ws-missing-connection');
  return codes;
}

async function pool<T, R>(items: readonly T[], size: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await run(items[index] as T);
      }
    }),
  );
  return results;
}

describe('Test WebSocket proxy on the shared corpus, against MANIFEST.tsv', { skip }, () => {
  if (skip) return;
  it('correct locations pass with the echo; broken ones fail with the labelled cause', async (t) => {
    const rows = readManifest().filter(
      (row) => row.wsEndpoint.startsWith('yes') && row.line !== undefined && row.category !== 'C',
    );
    const table: string[] = [];
    const failures: string[] = [];
    const tempDirs: string[] = [];
    await pool(rows, 2, async (row: ManifestRow) => {
      const key = `${row.file}:${row.line ?? ''}`;
      const excuse = NOT_TESTABLE[key];
      if (excuse) {
        table.push(`${key}\t${row.location}\t${row.category}\tnot tested\t${excuse}`);
        return;
      }
      const file = path.join(corpusDir, row.file);
      const { analysis, choice } = chooseLocation(
        file,
        new CorpusFileSystem(INCLUDES[row.file]),
        { workspaceFolders: [corpusDir] },
        { line: (row.line ?? 1) - 1 },
      );
      if (!choice) {
        failures.push(`${key}: no testable location at that line`);
        return;
      }
      const report: LocationTestReport = await testLocation({
        choice,
        analysis,
        nginxPath: nginx ?? 'nginx',
        timeoutMs: 20_000,
        webSocketPaths: [],
        severity: {},
        onProgress: (event) => {
          if (event.type === 'temp-dir') tempDirs.push(event.path);
        },
      });
      const broken = !/^none/.test(row.missingBefore1297);
      const codes = report.findings
        .filter((finding) => finding.severity !== 'information' || broken)
        .map((finding) => finding.code);
      const verdict = report.outcome.kind;
      table.push(
        `${key}\t${row.location}\t${broken ? 'broken' : 'correct'}\t${verdict}\t${report.outcome.handshake?.status ?? '-'} ${codes.join(',') || '-'}`,
      );
      if (!broken) {
        if (verdict !== 'passed' || report.outcome.handshake?.echo?.received !== report.outcome.handshake?.echo?.sent)
          failures.push(`${key}: labelled correct, but ${verdict}:\n${report.details.join('\n')}`);
      } else {
        const missing = expectedCodes(row.missingBefore1297).filter((code) => !codes.includes(code));
        if (verdict !== 'failed' || missing.length)
          failures.push(
            `${key}: labelled broken (${row.missingBefore1297}); ${verdict}, causes named: ${codes.join(', ') || 'none'}; missing ${missing.join(', ')}`,
          );
      }
    });
    for (const line of table.sort()) t.diagnostic(line);
    assert.deepEqual(failures, []);
    // Nothing left behind: every run's private folder is gone, and no nginx runs in one.
    assert.ok(tempDirs.length > 20);
    assert.deepEqual(
      tempDirs.filter((dir) => existsSync(dir)),
      [],
    );
    const running = readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .filter((entry) => {
        try {
          const commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
          return tempDirs.some((dir) => commandLine.includes(dir));
        } catch {
          return false;
        }
      });
    assert.deepEqual(running, [], 'no process runs in one of the test folders');
  });
});
