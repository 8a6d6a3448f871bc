// Quick fixes over the fixtures in test/fixtures/rules/: the fix each case names, applied to the
// text, gives exactly its `.fixed` text; the result parses clean and the finding is gone. Then
// the properties of the fixes themselves: one preferred fix per finding, the map idiom (placed
// in the main config's http block, reused when an equivalent map exists, '' for keepalive
// upstreams), fix-all merging, "Enable WebSocket proxying here".
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { applyEdits } from '../../server/src/core/fixes/apply';
import type { TextEdit } from '../../server/src/core/fixes/edits';
import {
  connectionMapLines,
  enableWebSocketFix,
  fixAllEdits,
  fixesFor,
  missingWebSocketLines,
} from '../../server/src/core/fixes/fixes';
import {
  evaluateLocation,
  HANDSHAKES,
  handshakeWorks,
  hasUpgradeToken,
  type UpstreamRequest,
} from '../../server/src/core/eval/evaluate';
import type { LocationModel } from '../../server/src/core/model/effective';
import type { FileAnalysis } from '../../server/src/core/model/workspace';
import type { Finding } from '../../server/src/core/rules/types';
import { parseNginxVersion } from '../../server/src/core/rules/version';
import {
  analyzeCase,
  applyToFiles,
  checkCase,
  expectedFixedText,
  filesUnder,
  ruleCases,
  selectedFixEdits,
  type RuleCase,
} from '../helpers/rules-fixtures';

const cases = ruleCases();
const withFix = cases.filter((testCase) => testCase.expectation.fix);

function caseById(id: string): RuleCase {
  const found = cases.find((testCase) => testCase.id === id);
  if (!found) throw new Error(`no fixture case ${id}`);
  return found;
}

/** Applies the case's fix; returns the edits and the new text of every file they touched. */
function applyCaseFix(testCase: RuleCase): { title: string; edits: readonly TextEdit[]; changed: Map<string, string> } {
  const analysis = analyzeCase(testCase);
  const { title, edits } = selectedFixEdits(testCase, analysis, checkCase(testCase, analysis));
  return { title, edits, changed: applyToFiles(analysis, edits) };
}

function severe(severity: string): boolean {
  return severity === 'error' || severity === 'warning';
}

describe("each case's fix gives exactly its .fixed text", () => {
  it('a case names a fix if and only if it has a .fixed text, and every bad case of a rule has one', () => {
    for (const testCase of cases) {
      if (testCase.expectation.fix) assert.ok(testCase.fixed, `${testCase.id} names a fix but has no .fixed text`);
      if (testCase.fixed) assert.ok(testCase.expectation.fix, `${testCase.id} has a .fixed text but names no fix`);
      if (testCase.group.startsWith('ws-') && !testCase.isGood)
        assert.ok(testCase.expectation.fix, `${testCase.id} names no fix`);
    }
  });

  for (const testCase of withFix) {
    it(`${testCase.id}`, () => {
      const { title, changed } = applyCaseFix(testCase);
      assert.ok(changed.size > 0, `${title}: no edit`);
      for (const file of testCase.files) {
        const after = changed.get(file) ?? readFileSync(file, 'utf8');
        assert.equal(after, expectedFixedText(testCase, file), `${title}: ${path.relative(testCase.root, file)}`);
      }
      if (testCase.kind === 'tree' && testCase.fixed) {
        const fixedFiles = filesUnder(testCase.fixed).map((file) => path.relative(testCase.fixed as string, file));
        assert.deepEqual(
          fixedFiles,
          testCase.files.map((file) => path.relative(testCase.root, file)),
          'the .fixed folder holds the same files',
        );
      }
    });

    it(`${testCase.id}: after the fix the file parses clean and the finding is gone`, () => {
      const { changed } = applyCaseFix(testCase);
      const analysis = analyzeCase(testCase, changed);
      for (const [file, parsed] of analysis.tree.files)
        assert.deepEqual(parsed.errors, [], `${path.relative(testCase.root, file)} has parse errors`);
      const selection = testCase.expectation.fix;
      const after = checkCase(testCase, analysis);
      const remaining = after.filter(
        (finding) =>
          severe(finding.severity) &&
          (selection?.all || selection?.enableAt !== undefined || finding.code === selection?.code),
      );
      assert.deepEqual(
        remaining.map((finding) => `${finding.code}@${finding.range.start.line + 1}: ${finding.message}`),
        [],
      );
      if (selection?.code === 'ws-read-timeout') {
        assert.ok(!after.some((finding) => finding.code === 'ws-read-timeout'), 'the information is gone too');
      }
    });
  }

  it('keeps CRLF line endings and tab indentation', () => {
    const testCase = caseById('ws-missing-upgrade/bad-crlf-tabs');
    const text = applyCaseFix(testCase).changed.get(testCase.file) ?? '';
    assert.doesNotMatch(text, /[^\r]\n/, 'every line ends in CRLF');
    assert.match(text, /\r\n\t\t\tproxy_set_header Upgrade \$http_upgrade;\r\n/);
  });
});

describe('fixes for one finding', () => {
  it('offer at most one preferred fix, and one for every error or warning that has a fix', () => {
    for (const testCase of cases) {
      const analysis = analyzeCase(testCase);
      for (const finding of checkCase(testCase, analysis)) {
        const fixes = fixesFor(finding, analysis, undefined);
        const preferred = fixes.filter((fix) => fix.isPreferred);
        const where = `${testCase.id} ${finding.code}@${finding.range.start.line + 1}`;
        assert.ok(preferred.length <= 1, `${where}: ${preferred.length} preferred fixes`);
        if (severe(finding.severity) && finding.data.kind !== 'none')
          assert.equal(preferred.length, 1, `${where}: no preferred fix`);
        for (const fix of fixes) assert.ok(fix.edits.length > 0, `${where}: "${fix.title}" has no edit`);
      }
    }
  });

  it('never introduce an error or warning that was not there (every fix offered, on every case)', () => {
    // The classic way to break this: declaring one proxy_set_header in a location that inherited
    // its lines drops them all (ws-missing-connection/bad-inherited-headers).
    for (const testCase of cases) {
      const analysis = analyzeCase(testCase);
      const findings = checkCase(testCase, analysis);
      const keys = (list: typeof findings) =>
        new Set(list.map((finding) => `${finding.code} in ${finding.location.path}`));
      const severeKeys = (list: typeof findings) => keys(list.filter((finding) => severe(finding.severity)));
      // At any severity: applying one of three fixes to a dev-server location (information) makes
      // it "configured", and what is still missing rightly becomes an error.
      const before = keys(findings);
      for (const finding of findings) {
        for (const fix of fixesFor(finding, analysis, undefined)) {
          const after = severeKeys(checkCase(testCase, analyzeCase(testCase, applyToFiles(analysis, fix.edits))));
          const introduced = [...after].filter((key) => !before.has(key));
          assert.deepEqual(introduced, [], `${testCase.id}: "${fix.title}" for ${finding.code}`);
        }
      }
    }
  });

  it('are computed from the text alone: a fresh analysis gives the same fixes', () => {
    for (const testCase of withFix) {
      const first = analyzeCase(testCase);
      const second = analyzeCase(testCase);
      const fixesOf = (analysis: typeof first) =>
        checkCase(testCase, analysis).map((finding) => fixesFor(finding, analysis, undefined));
      assert.deepEqual(fixesOf(first), fixesOf(second), testCase.id);
    }
  });

  it('a missing Connection offers the literal "upgrade" first, then the map idiom', () => {
    const testCase = caseById('ws-missing-connection/bad');
    const analysis = analyzeCase(testCase);
    const [finding] = checkCase(testCase, analysis);
    assert.ok(finding);
    assert.deepEqual(
      fixesFor(finding, analysis, undefined).map((fix) => [fix.title, fix.isPreferred]),
      [
        ['Add "proxy_set_header Connection "upgrade";"', true],
        [
          'Add "proxy_set_header Connection $connection_upgrade;" and the map from the nginx docs to the http block',
          false,
        ],
      ],
    );
  });
});

describe('the map idiom', () => {
  it("goes into http {} of the main config when the location is in a conf.d file, with '' for a keepalive upstream", () => {
    const testCase = caseById('ws-missing-connection/bad-map-idiom');
    const { edits } = applyCaseFix(testCase);
    const main = path.join(testCase.root, 'nginx.conf');
    const site = path.join(testCase.root, 'conf.d', 'app.conf');
    assert.deepEqual(
      edits.map((edit) => edit.file),
      [main, site],
    );
    assert.match(edits[0]?.newText ?? '', /''\s+'';/);
    assert.doesNotMatch(edits[0]?.newText ?? '', /close/);
  });

  it('without keepalive maps the empty case to close', () => {
    assert.deepEqual(connectionMapLines(false), [
      'map $http_upgrade $connection_upgrade {',
      '    default upgrade;',
      "    ''      close;",
      '}',
    ]);
    assert.deepEqual(connectionMapLines(true, '\t'), [
      'map $http_upgrade $connection_upgrade {',
      '\tdefault upgrade;',
      "\t''      '';",
      '}',
    ]);
  });

  it('reuses an equivalent map under another name instead of adding a second one', () => {
    const testCase = caseById('ws-missing-connection/bad-map-existing');
    const { edits, changed } = applyCaseFix(testCase);
    assert.equal(edits.length, 1, 'only the proxy_set_header line');
    const text = changed.get(testCase.file) ?? '';
    assert.equal(text.match(/^\s*map /gm)?.length, 1);
    assert.match(text, /proxy_set_header Connection \$proxy_connection;/);
  });

  it('is added once by fix-all however many locations need it', () => {
    const testCase = caseById('fix-all/several-broken');
    const text = applyCaseFix(testCase).changed.get(testCase.file) ?? '';
    assert.equal(text.match(/map \$http_upgrade \$connection_upgrade/g)?.length, 1);
  });

  it('goes at the top of a file read in http context when there is no http block to put it in', () => {
    const testCase = caseById('ws-undefined-variable/bad-fragment');
    const { edits } = applyCaseFix(testCase);
    assert.equal(edits.length, 1);
    assert.equal(edits[0]?.file, testCase.file);
    assert.match(edits[0]?.newText ?? '', /^map \$http_upgrade \$connection_upgrade \{\n/);
  });
});

describe('fix all', () => {
  it("merges each location's insertions into one edit and no two edits overlap", () => {
    const testCase = caseById('fix-all/several-broken');
    const analysis = analyzeCase(testCase);
    const edits = fixAllEdits(checkCase(testCase, analysis), analysis, undefined);
    const starts = edits.map((edit) => `${edit.range.start.line}:${edit.range.start.character}`);
    assert.equal(new Set(starts).size, edits.length, 'one edit per position');
    const sorted = [...edits].sort(
      (a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character,
    );
    for (let index = 1; index < sorted.length; index++) {
      const previous = sorted[index - 1] as TextEdit;
      const current = sorted[index] as TextEdit;
      const before =
        previous.range.end.line < current.range.start.line ||
        (previous.range.end.line === current.range.start.line &&
          previous.range.end.character <= current.range.start.character);
      assert.ok(before, `edits overlap: ${JSON.stringify(previous.range)} and ${JSON.stringify(current.range)}`);
    }
    // The /socket.io/ location misses three lines: one insertion carries all three.
    const socketIo = edits.filter(
      (edit) => edit.newText.includes('proxy_http_version 1.1;') && edit.newText.includes('Upgrade'),
    );
    assert.equal(socketIo.length, 1);
  });

  it('leaves nothing for a second pass', () => {
    const testCase = caseById('fix-all/several-broken');
    const { changed } = applyCaseFix(testCase);
    const analysis = analyzeCase(testCase, changed);
    const findings = checkCase(testCase, analysis);
    assert.deepEqual(
      findings.filter((finding) => severe(finding.severity)),
      [],
    );
    assert.deepEqual(fixAllEdits(findings, analysis, undefined), []);
  });

  it('leaves information-level findings alone (dev servers, hints, uncertain locations)', () => {
    for (const id of ['evidence/devserver', 'evidence/hinted', 'evidence/unreadable-include', 'ws-read-timeout/bad']) {
      const testCase = caseById(id);
      const analysis = analyzeCase(testCase);
      assert.deepEqual(fixAllEdits(checkCase(testCase, analysis), analysis, undefined), [], id);
    }
  });

  it('repairs both halves of fully swapped headers in one pass', () => {
    const testCase = caseById('ws-swapped-headers/bad-both');
    const analysis = analyzeCase(testCase);
    const edits = fixAllEdits(checkCase(testCase, analysis), analysis, undefined);
    const after = analyzeCase(testCase, new Map([[testCase.file, applyEdits(analysis.parsed.text, edits)]]));
    assert.deepEqual(
      checkCase(testCase, after).map((finding) => finding.code),
      [],
    );
  });
});

describe('"Enable WebSocket proxying here"', () => {
  it('is not offered where nothing is missing', () => {
    for (const id of ['ws-http-version/good', 'ws-missing-connection/good', 'ws-dropped-headers/good']) {
      const testCase = caseById(id);
      const analysis = analyzeCase(testCase);
      const [location] = analysis.locations;
      assert.ok(location);
      assert.equal(enableWebSocketFix(analysis, location, undefined), undefined, id);
    }
  });

  it('leaves out proxy_http_version for nginx 1.29.7 and later', () => {
    const testCase = caseById('evidence/enable-here');
    const analysis = analyzeCase(testCase);
    const [location] = analysis.locations;
    assert.ok(location);
    assert.deepEqual(missingWebSocketLines(location, parseNginxVersion('1.29.7')), [
      'proxy_set_header Upgrade $http_upgrade;',
      'proxy_set_header Connection "upgrade";',
    ]);
    assert.deepEqual(missingWebSocketLines(location, parseNginxVersion('1.22.1')), [
      'proxy_http_version 1.1;',
      'proxy_set_header Upgrade $http_upgrade;',
      'proxy_set_header Connection "upgrade";',
    ]);
  });

  it('keeps the inherited proxy_set_header lines of a location that had none of its own', () => {
    // A plain location under a server that sets X-Forwarded-For: enabling adds the two WebSocket
    // lines, which would stop X-Forwarded-For being inherited, so that line is declared again too.
    const testCase = caseById('evidence/good-plain');
    const text = readFileSync(testCase.file, 'utf8').replace(
      'listen 8080;',
      'listen 8080;\n        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    );
    const analysis = analyzeCase(testCase, new Map([[testCase.file, text]]));
    const root = analysis.locations.find((location) => location.path === '/');
    assert.ok(root);
    assert.deepEqual(missingWebSocketLines(root, undefined), [
      'proxy_http_version 1.1;',
      'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
      'proxy_set_header Upgrade $http_upgrade;',
      'proxy_set_header Connection "upgrade";',
    ]);
    // /api/ declares its own lines: the server's are already not inherited there, nothing to keep.
    const api = analysis.locations.find((location) => location.path === '/api/');
    assert.ok(api);
    assert.deepEqual(missingWebSocketLines(api, undefined), [
      'proxy_http_version 1.1;',
      'proxy_set_header Upgrade $http_upgrade;',
      'proxy_set_header Connection "upgrade";',
    ]);
  });
});

describe('every fix makes the evaluation come out right (what the backend receives after it)', () => {
  const version = (testCase: RuleCase) => parseNginxVersion(testCase.expectation.options?.nginxVersion ?? '');

  /** The same location in the fixed analysis: by file, path and rank among its namesakes (lines move). */
  function sameLocation(before: LocationModel, beforeAll: readonly LocationModel[], after: FileAnalysis) {
    const rank = (list: readonly LocationModel[], location: LocationModel) =>
      list.filter((other) => other.node.file === location.node.file && other.path === location.path).indexOf(location);
    const wanted = rank(beforeAll, before);
    const found = after.model.locations.filter(
      (other) => other.node.file === before.node.file && other.path === before.path,
    )[wanted];
    assert.ok(found, `location ${before.path} is gone after the fix`);
    return found;
  }

  /** What the finding's fix must mend, from nginx's rules: each handshake's version, Upgrade or Connection. */
  function mended(finding: Finding, sent: UpstreamRequest): string | undefined {
    const upgrade = sent.upgrade.result;
    const connection = sent.connection.result;
    const upgradeOk = upgrade.known && upgrade.value.toLowerCase() === 'websocket';
    const connectionOk = connection.known && hasUpgradeToken(connection.value);
    const says = `${sent.request.label}: HTTP/${sent.httpVersion}, Upgrade ${upgrade.known ? `"${upgrade.value}"` : 'unknown'}, Connection ${connection.known ? `"${connection.value}"` : 'unknown'}`;
    const replacesUpgrade = finding.data.kind === 'replace-value' && finding.data.newValue === '$http_upgrade';
    switch (finding.code) {
      case 'ws-http-version':
        return sent.httpVersion === '1.1' ? undefined : says;
      case 'ws-missing-upgrade':
        return upgradeOk ? undefined : says;
      case 'ws-missing-connection':
      case 'ws-connection-not-upgrade':
        return connectionOk ? undefined : says;
      case 'ws-swapped-headers':
      case 'ws-undefined-variable':
        return (replacesUpgrade ? upgradeOk : connectionOk) ? undefined : says;
      case 'ws-dropped-headers':
        return upgradeOk && connectionOk ? undefined : says;
      default:
        return undefined;
    }
  }

  it('the preferred fix of every error or warning mends what its rule names, for Chrome and Firefox', (context) => {
    let checked = 0;
    for (const testCase of cases) {
      const analysis = analyzeCase(testCase);
      for (const finding of checkCase(testCase, analysis)) {
        if (!severe(finding.severity) || finding.code === 'ws-read-timeout') continue;
        const preferred = fixesFor(finding, analysis, version(testCase)).find((fix) => fix.isPreferred);
        if (!preferred) continue;
        const fixed = analyzeCase(testCase, applyToFiles(analysis, preferred.edits));
        const location = sameLocation(finding.location, analysis.model.locations, fixed);
        for (const request of HANDSHAKES) {
          const wrong = mended(finding, evaluateLocation(fixed.model, location, request, version(testCase)));
          assert.equal(wrong, undefined, `${testCase.id} ${finding.code}: after "${preferred.title}", ${wrong ?? ''}`);
        }
        checked++;
      }
    }
    context.diagnostic(`preferred fixes evaluated: ${checked}`);
    assert.ok(checked > 20, `only ${checked} fixes checked`);
  });

  it('after fix-all, both handshakes reach the backend as HTTP/1.1 with Upgrade: websocket and an upgrade token', () => {
    for (const testCase of cases) {
      const analysis = analyzeCase(testCase);
      const findings = checkCase(testCase, analysis).filter((finding) => severe(finding.severity));
      if (!findings.length) continue;
      const fixed = analyzeCase(testCase, applyToFiles(analysis, fixAllEdits(findings, analysis, version(testCase))));
      for (const location of new Set(findings.map((finding) => finding.location))) {
        const after = sameLocation(location, analysis.model.locations, fixed);
        for (const request of HANDSHAKES) {
          const sent = evaluateLocation(fixed.model, after, request, version(testCase));
          assert.equal(handshakeWorks(sent), true, `${testCase.id} ${location.path}: ${request.label}`);
        }
      }
    }
  });
});
