// The WebSocket rules over the fixtures in test/fixtures/rules/: every case's findings (code,
// severity, line, the text the range covers, related information) are exactly those its
// `.expected.json` states; then the behaviour the issue asks for, one property at a time:
// evidence levels and their severities, the target nginx version, severity overrides, disable
// comments, uncertainty from unreadable includes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { assessLocations, checkFile } from '../../server/src/core/rules/check';
import type { EvidenceStrength } from '../../server/src/core/rules/evidence';
import { RULES } from '../../server/src/core/rules/registry';
import type { Finding } from '../../server/src/core/rules/types';
import { parseNginxVersion } from '../../server/src/core/rules/version';
import {
  analyzeCase,
  checkCase,
  checkOptionsOf,
  describeFinding,
  ruleCases,
  rulesFixturesDir,
  type RuleCase,
} from '../helpers/rules-fixtures';

const cases = ruleCases();
const ruleCodes = RULES.map((rule) => rule.code);

function caseById(id: string): RuleCase {
  const found = cases.find((testCase) => testCase.id === id);
  if (!found) throw new Error(`no fixture case ${id} under ${rulesFixturesDir}`);
  return found;
}

function codesAndSeverities(findings: readonly Finding[]): string[] {
  return findings.map((finding) => `${finding.code}:${finding.severity}`);
}

describe('rule fixtures', () => {
  it('every rule in RULES has a folder with bad and good cases, and every folder is a rule or a known group', () => {
    for (const code of ruleCodes) {
      const ofRule = cases.filter((testCase) => testCase.group === code);
      assert.ok(
        ofRule.some((testCase) => testCase.name.startsWith('bad')),
        `${code}: no bad case`,
      );
      assert.ok(
        ofRule.some((testCase) => testCase.isGood),
        `${code}: no good case`,
      );
    }
    const groups = new Set(cases.map((testCase) => testCase.group));
    for (const group of groups)
      assert.ok(
        ruleCodes.includes(group) || ['evidence', 'settings', 'fix-all'].includes(group),
        `unknown group ${group}`,
      );
  });

  for (const testCase of cases) {
    it(`${testCase.id}: ${testCase.expectation.about}`, () => {
      const analysis = analyzeCase(testCase);
      const findings = checkCase(testCase, analysis);
      const actual = findings.map((finding) => describeFinding(finding, analysis, testCase.root));
      assert.deepEqual(actual, testCase.expectation.findings);
      for (const [file, parsed] of analysis.tree.files)
        assert.deepEqual(parsed.errors, [], `${path.relative(testCase.root, file)} has parse errors`);
      if (ruleCodes.includes(testCase.group)) {
        const own = findings.filter((finding) => finding.code === testCase.group);
        if (testCase.isGood) assert.equal(own.length, 0, `a good case of ${testCase.group} reports it`);
        else assert.ok(own.length > 0, `a bad case of ${testCase.group} does not report it`);
      }
    });
  }
});

describe('diagnostic messages', () => {
  it('name the consequence and why the location counts as a WebSocket endpoint', () => {
    for (const testCase of cases) {
      const analysis = analyzeCase(testCase);
      for (const finding of checkCase(testCase, analysis)) {
        assert.match(finding.message, /\(WebSocket location: .+\.\)/, `${testCase.id}: ${finding.message}`);
        if (
          [
            'ws-http-version',
            'ws-missing-upgrade',
            'ws-missing-connection',
            'ws-dropped-headers',
            'ws-swapped-headers',
            'ws-connection-not-upgrade',
          ].includes(finding.code)
        ) {
          assert.match(
            finding.message,
            /^(WebSocket upgrade will fail here|If WebSocket traffic goes through here, its upgrade will fail): /,
            `${testCase.id}: ${finding.message}`,
          );
        }
      }
    }
  });
  it('say what nginx -t will do about an undefined variable', () => {
    const testCase = caseById('ws-undefined-variable/bad');
    const [finding] = checkCase(testCase, analyzeCase(testCase));
    assert.match(finding?.message ?? '', /nginx -t fails with 'unknown "connection_upgrade" variable'/);
  });
});

describe('evidence: which locations are WebSocket endpoints, and how sure we are', () => {
  const table: readonly { id: string; strength: EvidenceStrength; severity: string | undefined }[] = [
    { id: 'evidence/configured', strength: 'configured', severity: 'error' },
    { id: 'evidence/declared-setting', strength: 'declared', severity: 'warning' },
    { id: 'evidence/declared-comment', strength: 'declared', severity: 'warning' },
    { id: 'evidence/named-path', strength: 'named', severity: 'warning' },
    { id: 'evidence/named-upstream', strength: 'named', severity: 'warning' },
    { id: 'evidence/hinted', strength: 'hinted', severity: 'information' },
    { id: 'evidence/devserver', strength: 'devserver', severity: 'information' },
    { id: 'evidence/enable-here', strength: 'none', severity: undefined },
  ];
  for (const row of table) {
    it(`${row.id}: ${row.strength} -> ${row.severity ?? 'no finding'}`, () => {
      const testCase = caseById(row.id);
      const analysis = analyzeCase(testCase);
      const [assessment] = assessLocations(analysis, checkOptionsOf(testCase.expectation.options));
      assert.equal(assessment?.evidence.strength, row.strength);
      const missing = checkCase(testCase, analysis).filter((finding) => finding.code !== 'ws-read-timeout');
      if (row.severity === undefined) assert.deepEqual(missing, []);
      else assert.deepEqual([...new Set(missing.map((finding) => finding.severity))], [row.severity]);
      // Weak evidence is worded as a condition, strong evidence as a fact.
      const tentative = row.strength === 'hinted' || row.strength === 'devserver';
      for (const finding of missing) {
        assert.match(
          finding.message,
          tentative
            ? /^If WebSocket traffic goes through here, its upgrade will fail: /
            : /^WebSocket upgrade will fail here: /,
        );
      }
    });
  }

  it('plain proxy_pass locations get no finding at all', () => {
    const testCase = caseById('evidence/good-plain');
    const analysis = analyzeCase(testCase);
    assert.equal(analysis.locations.length, 3);
    assert.deepEqual(
      assessLocations(analysis, checkOptionsOf(undefined)).map((assessment) => assessment.evidence.strength),
      ['none', 'none', 'none'],
    );
    assert.deepEqual(checkCase(testCase, analysis), []);
  });

  it('the path is only declared by a matching nginxWs.webSocketPaths pattern', () => {
    const testCase = caseById('evidence/declared-setting');
    const analysis = analyzeCase(testCase);
    assert.deepEqual(checkFile(analysis, { ...checkOptionsOf(undefined), webSocketPaths: [] }), []);
    assert.deepEqual(checkFile(analysis, { ...checkOptionsOf(undefined), webSocketPaths: ['/other/**'] }), []);
    assert.equal(checkFile(analysis, { ...checkOptionsOf(undefined), webSocketPaths: ['/live/*'] }).length, 4);
  });

  it("a location the caller declares (the one under test) is checked as declared, with the caller's reason", () => {
    const testCase = caseById('evidence/good-plain');
    const analysis = analyzeCase(testCase);
    const first = analysis.locations[0];
    assert.ok(first);
    const options = {
      ...checkOptionsOf(undefined),
      declared: (location: unknown) => (location === first ? 'it is under test' : undefined),
    };
    const evidence = assessLocations(analysis, options).map((assessment) => assessment.evidence);
    assert.deepEqual(
      evidence.map((entry) => entry.strength),
      ['declared', 'none', 'none'],
    );
    assert.equal(evidence[0]?.reason, 'it is under test');
    const findings = checkFile(analysis, options);
    assert.ok(findings.length > 0 && findings.every((finding) => finding.location === first));
    assert.ok(findings.some((finding) => finding.code === 'ws-missing-upgrade' && finding.severity === 'warning'));
  });

  it('without its "# nginx-ws: websocket" comment the location is a plain proxy', () => {
    const testCase = caseById('evidence/declared-comment');
    const text = readFileSync(testCase.file, 'utf8');
    assert.ok(text.includes('# nginx-ws: websocket'));
    const withoutComment = analyzeCase(
      testCase,
      new Map([[testCase.file, text.replace('# nginx-ws: websocket', '# the live feed')]]),
    );
    assert.deepEqual(checkCase(testCase, withoutComment), []);
  });

  it('an unreadable include lowers what seems missing to information, and the message says why', () => {
    const testCase = caseById('evidence/unreadable-include');
    for (const finding of checkCase(testCase, analyzeCase(testCase))) {
      assert.equal(finding.severity, 'information');
      assert.match(
        finding.message,
        /Not certain: "snippets\/websocket-proxy\.conf" could not be read and may set this\./,
      );
    }
  });
});

describe('the target nginx version', () => {
  const version = (text: string) => parseNginxVersion(text);

  it('1.29.7 and later suppress only the missing-proxy_http_version finding', () => {
    const testCase = caseById('evidence/named-path');
    const analysis = analyzeCase(testCase);
    const at = (nginxVersion: string | undefined) =>
      codesAndSeverities(
        checkFile(analysis, {
          ...checkOptionsOf(undefined),
          nginxVersion: nginxVersion ? version(nginxVersion) : undefined,
        }),
      );
    const older = [
      'ws-http-version:warning',
      'ws-missing-upgrade:warning',
      'ws-missing-connection:warning',
      'ws-read-timeout:information',
    ];
    const newer = ['ws-missing-upgrade:warning', 'ws-missing-connection:warning', 'ws-read-timeout:information'];
    assert.deepEqual(at(undefined), older, 'unknown version: assumed older than 1.29.7');
    assert.deepEqual(at('1.22.1'), older);
    assert.deepEqual(at('1.29.6'), older);
    assert.deepEqual(at('1.29.7'), newer);
    assert.deepEqual(at('1.30.0'), newer);
    assert.deepEqual(at('1.31.2'), newer);
  });

  it('a config without proxy_http_version is fine for 1.29.7, an error for older nginx', () => {
    const testCase = caseById('ws-http-version/good-nginx-1.29.7');
    const analysis = analyzeCase(testCase);
    for (const older of [undefined, '1.22.1', '1.29.6']) {
      const findings = checkFile(analysis, {
        ...checkOptionsOf(undefined),
        nginxVersion: older ? version(older) : undefined,
      });
      assert.deepEqual(codesAndSeverities(findings), ['ws-http-version:error'], `nginx ${older ?? 'unknown'}`);
    }
    assert.deepEqual(checkFile(analysis, { ...checkOptionsOf(undefined), nginxVersion: version('1.29.7') }), []);
  });

  it('an explicit 1.0 or 2 is reported at every version', () => {
    for (const id of [
      'ws-http-version/bad-explicit-1.0',
      'ws-http-version/bad-explicit-2',
      'ws-http-version/bad-server-level',
    ]) {
      const testCase = caseById(id);
      const analysis = analyzeCase(testCase);
      for (const nginxVersion of [undefined, '1.22.1', '1.29.7', '1.31.0']) {
        const findings = checkFile(analysis, {
          ...checkOptionsOf(undefined),
          nginxVersion: nginxVersion ? version(nginxVersion) : undefined,
        });
        assert.deepEqual(
          codesAndSeverities(findings),
          ['ws-http-version:error'],
          `${id} with nginx ${nginxVersion ?? 'unknown'}`,
        );
      }
    }
  });
});

describe('one mistake, one diagnostic', () => {
  it('a server-level proxy_http_version 1.0 inherited by two WebSocket locations: one diagnostic on each location, pointing at the server line', () => {
    const testCase = caseById('ws-http-version/bad-server-level');
    const text = readFileSync(testCase.file, 'utf8').replace(
      '        location /ws/ {',
      '        location /chat/ws/ {\n            proxy_pass http://127.0.0.1:9001;\n        }\n\n        location /ws/ {',
    );
    const findings = checkCase(testCase, analyzeCase(testCase, new Map([[testCase.file, text]])));
    const versionFindings = findings.filter((finding) => finding.code === 'ws-http-version');
    assert.deepEqual(
      versionFindings.map((finding) => finding.range.start.line + 1),
      [10, 14],
    );
    for (const finding of versionFindings) {
      assert.ok(finding.related.some((related) => related.range.start.line + 1 === 8));
    }
  });
});

describe('severity settings and disable comments', () => {
  it('without overrides the same file gets the evidence severities', () => {
    const testCase = caseById('settings/severity-override');
    assert.deepEqual(codesAndSeverities(checkCase(testCase, analyzeCase(testCase), {})), [
      'ws-http-version:warning',
      'ws-missing-upgrade:warning',
      'ws-missing-connection:warning',
      'ws-read-timeout:information',
    ]);
  });

  it('an override can raise a severity as well as lower it', () => {
    const testCase = caseById('evidence/named-path');
    const findings = checkCase(testCase, analyzeCase(testCase), {
      severity: { 'ws-missing-upgrade': 'error', 'ws-read-timeout': 'hint' },
    });
    assert.deepEqual(codesAndSeverities(findings), [
      'ws-http-version:warning',
      'ws-missing-upgrade:error',
      'ws-missing-connection:warning',
      'ws-read-timeout:hint',
    ]);
  });

  it('"off" for every rule silences everything', () => {
    const testCase = caseById('fix-all/several-broken');
    const severity = Object.fromEntries(ruleCodes.map((code) => [code, 'off' as const]));
    assert.deepEqual(checkCase(testCase, analyzeCase(testCase), { severity }), []);
  });

  it('each disable comment silences what it names on the next line, and only that', () => {
    const testCase = caseById('settings/disable-next-line');
    const text = readFileSync(testCase.file, 'utf8');
    // Same lines, comments neutralised: what the comments silenced shows.
    const uncommented = text.replace(/# nginx-ws-disable-next-line.*$/gm, '#');
    const all = checkCase(testCase, analyzeCase(testCase, new Map([[testCase.file, uncommented]])));
    const described = all.map((finding) => `${finding.code}@${finding.range.start.line + 1}`);
    assert.deepEqual(described, [
      'ws-http-version@11',
      'ws-read-timeout@11',
      'ws-connection-not-upgrade@22',
      'ws-http-version@27',
      'ws-missing-upgrade@27',
      'ws-missing-connection@27',
      'ws-read-timeout@27',
      'ws-missing-upgrade@32',
      'ws-read-timeout@32',
    ]);
    const kept = checkCase(testCase, analyzeCase(testCase)).map(
      (finding) => `${finding.code}@${finding.range.start.line + 1}`,
    );
    assert.deepEqual(kept, ['ws-read-timeout@32']);
  });
});

describe('related information', () => {
  it('points from the local line in conf.d to the dropped lines in the main config', () => {
    const testCase = caseById('ws-dropped-headers/bad-included');
    const analysis = analyzeCase(testCase);
    assert.equal(analysis.mainConfig, path.join(testCase.root, 'nginx.conf'));
    const [finding] = checkCase(testCase, analysis);
    assert.ok(finding);
    assert.equal(finding.file, path.join(testCase.root, 'conf.d', 'live.conf'));
    assert.deepEqual(
      finding.related
        .filter((entry) => entry.message.startsWith('dropped'))
        .map((entry) => path.relative(testCase.root, entry.file)),
      ['nginx.conf', 'nginx.conf'],
    );
  });

  it('points at the line at fault when it is in an included file', () => {
    // A location whose Connection "" comes from a snippet: the diagnostic is on the location, the
    // related entry on the snippet's line.
    const testCase = caseById('ws-dropped-headers/bad-included');
    const snippet = path.join(testCase.root, 'conf.d', 'live.conf');
    const main = path.join(testCase.root, 'nginx.conf');
    const mainText = readFileSync(main, 'utf8').replace(
      'proxy_set_header Connection "upgrade";',
      'proxy_set_header Connection "";',
    );
    const liveText = readFileSync(snippet, 'utf8').replace('        proxy_set_header Host $host;\n', '');
    const analysis = analyzeCase(
      testCase,
      new Map([
        [main, mainText],
        [snippet, liveText],
      ]),
    );
    const finding = checkCase(testCase, analysis).find((candidate) => candidate.code === 'ws-connection-not-upgrade');
    assert.ok(finding, 'Connection "" inherited from nginx.conf is reported');
    assert.equal(finding.file, snippet);
    assert.equal(finding.range.start.line + 1, 7, 'on the location line of conf.d/live.conf');
    const [first] = finding.related;
    assert.equal(first?.file, main);
    assert.equal(first?.range.start.line + 1, 7);
  });
});
