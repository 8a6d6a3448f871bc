// The shared corpus: real configs written by other people, read in place from ../shared/corpus
// (never copied into the project). Every file parses without throwing and with exact ranges;
// files nginx would accept give no parse error; the few that nginx would reject are listed below
// with the reason, decided by reading them. Then the engine's effective proxy_http_version,
// Upgrade and Connection of each location are compared with the hand-made MANIFEST.tsv.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ParseErrorCode } from '../../server/src/core/parser/ast';
import { parse } from '../../server/src/core/parser/parser';
import { buildConfigModel, type LocationModel, type Setting } from '../../server/src/core/model/effective';
import { buildConfigTree } from '../../server/src/core/model/tree';
import { JailedFileSystem } from '../helpers/fileSystems';
import { confFilesDeep, corpusDir, corpusSkipReason } from '../helpers/paths';
import { rangeViolations } from '../helpers/syntax';

const skip = corpusSkipReason() ?? false;

/**
 * Files nginx would reject as they are published, with every parse error we give (code and
 * 1-based line of the range start). Each was decided by reading the file; none is a blanket skip.
 */
const EXPECTED_PARSE_ERRORS: Record<string, { why: string; errors: [ParseErrorCode, number][] }> = {
  '07-channels-deploying.conf': {
    why: 'a documentation extract whose elided parts are written "..." (L4, L6, L10, L24): nginx reads "..." as a directive with no ";"',
    errors: [
      ['missing-semicolon', 4],
      ['missing-semicolon', 6],
      ['missing-semicolon', 10],
      ['missing-semicolon', 24],
    ],
  },
  '15-onlyoffice-proxy-https.conf': {
    why: 'published as a template: "{{SSL_CERTIFICATE_PATH}}" and "{{SSL_KEY_PATH}}" (L54, L55); nginx reads "{" as a block start and rejects the line',
    errors: [
      ['template-placeholder', 54],
      ['template-placeholder', 55],
    ],
  },
  '43-netdata-behind-nginx.conf': {
    why: 'an extract from Markdown that starts inside an upstream block (its "}" at L3 closes nothing) and ends with the closing "```" fence (L25)',
    errors: [
      ['unexpected-close-brace', 3],
      ['missing-semicolon', 25],
    ],
  },
};

/** Where a corpus file's relative includes resolve: the includes/ folder that holds its include files. */
const INCLUDE_BASE: Record<string, string> = {
  // include /config/nginx/proxy.conf (SWAG's path) is re-rooted to includes/17-swag/proxy.conf.
  '17-swag-jellyfin-subdomain.conf': 'includes/17-swag',
  // include proxy.conf, auth_request.conf, ... relative to Frigate's conf folder.
  '45-frigate-nginx-big.conf': 'includes/45-frigate',
};

const files = confFilesDeep(corpusDir);

test(
  'corpus: every config parses without throwing, with exact ranges, and with exactly the expected parse errors',
  { skip },
  () => {
    assert.ok(files.length >= 35, `found ${files.length} files`);
    for (const file of files) {
      const name = path.relative(corpusDir, file);
      const parsed = parse(readFileSync(file, 'utf8'), file);
      assert.deepEqual(rangeViolations(parsed), [], name);
      const expected = EXPECTED_PARSE_ERRORS[name]?.errors ?? [];
      assert.deepEqual(
        parsed.errors.map((error) => [error.code, error.range.start.line + 1]),
        expected,
        `${name}: ${EXPECTED_PARSE_ERRORS[name]?.why ?? 'nginx accepts its syntax'}; errors: ${JSON.stringify(parsed.errors.map((error) => error.message))}`,
      );
    }
  },
);

test('corpus: every file in the expected-error table exists', { skip }, () => {
  for (const name of Object.keys(EXPECTED_PARSE_ERRORS)) assert.ok(existsSync(path.join(corpusDir, name)), name);
});

// ---------------------------------------------------------------------------------------------
// MANIFEST.tsv: the effective proxy_http_version, Upgrade and Connection of each proxying location.

interface ManifestRow {
  readonly file: string;
  /** 1-based line of the location. */
  readonly locationLine: number;
  readonly location: string;
  readonly httpVersion: string;
  readonly upgrade: string;
  readonly connection: string;
}

function readManifest(): ManifestRow[] {
  const [header, ...lines] = readFileSync(path.join(corpusDir, 'MANIFEST.tsv'), 'utf8').trimEnd().split('\n');
  const columns = (header ?? '').split('\t');
  const column = (cells: string[], name: string): string => cells[columns.indexOf(name)] ?? '';
  return lines
    .map((line) => line.split('\t'))
    .filter((cells) => /^\d+$/.test(column(cells, 'loc_line')))
    .map((cells) => ({
      file: column(cells, 'file'),
      locationLine: Number(column(cells, 'loc_line')),
      location: column(cells, 'location'),
      httpVersion: column(cells, 'eff_proxy_http_version'),
      upgrade: column(cells, 'eff_Upgrade'),
      connection: column(cells, 'eff_Connection'),
    }));
}

/** What a manifest cell claims, in a form the engine's answer can be compared with. */
type Claim =
  | { kind: 'unset' }
  /** Set in the corpus file itself, at a 1-based line. */
  | { kind: 'here'; value: string; line: number }
  /** Set in an included file. */
  | { kind: 'included'; value: string }
  /** The manifest describes the location reached by try_files or rewrite, not this one. */
  | { kind: 'elsewhere' };

function readClaim(cell: string): Claim {
  if (/^(unset|not set)\b/.test(cell) && !/^unset in @/.test(cell)) return { kind: 'unset' };
  if (/^unset in @/.test(cell) || /\((?:in )?@\S+ L\d+\)$/.test(cell) || /\(target L\d+\)$/.test(cell))
    return { kind: 'elsewhere' };
  const value = (raw: string): string => (raw === '"" (empty)' ? '' : raw.replace(/^"(.*)"$/, '$1'));
  const here = /^(.*) \(L(\d+)(?:, inherited)?\)$/.exec(cell);
  if (here) return { kind: 'here', value: value(here[1] as string), line: Number(here[2]) };
  const included = /^(.*) \(via include .+\)$/.exec(cell);
  if (included) return { kind: 'included', value: value(included[1] as string) };
  throw new Error(`Cannot read the manifest cell ${JSON.stringify(cell)}`);
}

/** The engine's answer in the same form. */
function engineClaim(setting: { value: string; file: string; line: number } | undefined, corpusFile: string): Claim {
  if (!setting) return { kind: 'unset' };
  return setting.file === corpusFile
    ? { kind: 'here', value: setting.value, line: setting.line }
    : { kind: 'included', value: setting.value };
}

function fromSetting(setting: Setting | undefined): { value: string; file: string; line: number } | undefined {
  return (
    setting && { value: setting.value, file: setting.node.file, line: setting.node.directive.range.start.line + 1 }
  );
}

function fromHeader(location: LocationModel, key: string): { value: string; file: string; line: number } | undefined {
  const line = location.headers.lines.find((header) => header.key === key);
  return (
    line && { value: line.value?.value ?? '', file: line.node.file, line: line.node.directive.range.start.line + 1 }
  );
}

/**
 * Rows whose readings describe another location, reached by an internal redirect (try_files to a
 * named location, or rewrite), not what this location inherits: the engine models each location
 * on its own, so these are not comparable. Listed so that a new such row is noticed.
 */
const REACHED_ELSEWHERE = new Set([
  '07-channels-deploying.conf:7',
  '24-phoenix-ansible-proxy.conf:14',
  '47-jitsi-meet-example.conf:204',
]);

/**
 * Cells where the manifest and the engine disagree and the engine is right (checked against the
 * file and nginx's rules). Empty: the readings agree everywhere they are comparable.
 */
const MANIFEST_ERRATA: Record<string, string> = {};

test('corpus: the engine agrees with MANIFEST.tsv on proxy_http_version, Upgrade and Connection', { skip }, () => {
  const rows = readManifest();
  assert.ok(rows.length >= 80, `manifest rows with a location line: ${rows.length}`);
  const models = new Map<string, ReturnType<typeof buildConfigModel>>();
  const disagreements: string[] = [];
  const elsewhere: string[] = [];
  let compared = 0;
  for (const row of rows) {
    const file = path.join(corpusDir, row.file);
    let model = models.get(row.file);
    if (!model) {
      const tree = buildConfigTree(file, new JailedFileSystem(corpusDir), {
        baseDir: path.join(corpusDir, INCLUDE_BASE[row.file] ?? ''),
      });
      model = buildConfigModel(tree);
      models.set(row.file, model);
    }
    const key = `${row.file}:${row.locationLine}`;
    const location = model.locations.find(
      (candidate) => candidate.node.file === file && candidate.node.directive.range.start.line + 1 === row.locationLine,
    );
    assert.ok(location, `${key}: no location "${row.location}" on that line`);
    const pairs: [string, string, Claim][] = [
      ['proxy_http_version', row.httpVersion, engineClaim(fromSetting(location.proxyHttpVersion), file)],
      ['Upgrade', row.upgrade, engineClaim(fromHeader(location, 'upgrade'), file)],
      ['Connection', row.connection, engineClaim(fromHeader(location, 'connection'), file)],
    ];
    for (const [what, cell, engine] of pairs) {
      const claim = readClaim(cell);
      if (claim.kind === 'elsewhere') {
        if (!elsewhere.includes(key)) elsewhere.push(key);
        continue;
      }
      compared++;
      if (MANIFEST_ERRATA[`${key} ${what}`]) continue;
      if (JSON.stringify(claim) !== JSON.stringify(engine)) {
        disagreements.push(
          `${key} (${row.location}) ${what}: manifest ${JSON.stringify(cell)}, engine ${JSON.stringify(engine)}`,
        );
      }
    }
  }
  assert.deepEqual(disagreements, []);
  assert.deepEqual(new Set(elsewhere), REACHED_ELSEWHERE);
  assert.ok(compared >= 240, `cells compared: ${compared}`);
});
