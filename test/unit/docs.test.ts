// The rule pages in docs/rules/: every rule in RULES has its page and its row in the README's
// table (with its default severity and title), and each page's examples do what they say: the
// bad example produces a finding of that rule, the good example none. The examples are parsed
// from the fenced nginx blocks under "## Bad example" and "## Good example" and wrapped in
// `http { server { ... } }` as far as they need it.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { analyzeFile } from '../../server/src/core/model/workspace';
import { checkFile } from '../../server/src/core/rules/check';
import { RULES, ruleDocPath } from '../../server/src/core/rules/registry';
import type { Finding } from '../../server/src/core/rules/types';
import { MemoryFileSystem } from '../helpers/fileSystems';
import { repoRoot } from '../helpers/paths';
import { exampleUnder } from '../helpers/ruleDocs';

const docsDir = path.join(repoRoot, 'docs', 'rules');

/** A complete config around an example: bare location lines go into a server, a server into http. */
function completeConfig(example: string): string {
  if (/^\s*http\s*\{/m.test(example)) return `events {}\n${example}`;
  if (/^\s*server\s*\{/m.test(example)) return `events {}\nhttp {\n${example}}\n`;
  return `events {}\nhttp {\nserver {\nlisten 8080;\n${example}}\n}\n`;
}

function findingsOf(example: string): Finding[] {
  const file = '/docs-example/nginx.conf';
  const analysis = analyzeFile(file, new MemoryFileSystem({ [file]: completeConfig(example) }), {
    workspaceFolders: ['/docs-example'],
  });
  assert.deepEqual(analysis.parsed.errors, [], 'the example parses');
  return checkFile(analysis, { nginxVersion: undefined, webSocketPaths: [], severity: {} });
}

describe('rule documentation', () => {
  const readme = readFileSync(path.join(docsDir, 'README.md'), 'utf8');
  const tableRows = readme.split('\n').filter((line) => /^\| `ws-/.test(line));

  it('the README table lists exactly the rules in RULES, in their order, with default severity, title and link', () => {
    assert.deepEqual(
      tableRows.map((row) => /^\| `([^`]+)`/.exec(row)?.[1]),
      RULES.map((rule) => rule.code),
    );
    for (const rule of RULES) {
      const row = tableRows.find((candidate) => candidate.startsWith(`| \`${rule.code}\` |`));
      assert.equal(
        row,
        `| \`${rule.code}\` | ${rule.defaultSeverity} | ${rule.title} | [${rule.code}](${rule.code}.md) |`,
      );
    }
  });

  for (const rule of RULES) {
    describe(rule.code, () => {
      const file = path.join(repoRoot, ruleDocPath(rule.code));
      const page = existsSync(file) ? readFileSync(file, 'utf8') : '';

      it('has its page, titled with its code and title, with every section', () => {
        assert.ok(page, `${ruleDocPath(rule.code)} is missing`);
        assert.equal(page.split('\n')[0], `# ${rule.code}: ${rule.title}`);
        for (const heading of [
          'What it catches',
          'Why',
          'Bad example',
          'Good example',
          'Quick fixes',
          'Changing the severity or silencing it',
        ]) {
          assert.match(page, new RegExp(`^## ${heading}$`, 'm'), `section "${heading}"`);
        }
        assert.match(page, new RegExp(`"nginxWs\\.severity": \\{ "${rule.code}": `), 'says how to change its severity');
        assert.match(
          page,
          new RegExp(`# nginx-ws-disable-next-line ${rule.code}\\n`),
          'says how to silence it on a line',
        );
      });

      it('its bad example produces a finding of this rule', () => {
        const example = exampleUnder(page, 'Bad example');
        assert.ok(example, 'no fenced nginx block under "## Bad example"');
        const codes = findingsOf(example).map((finding) => finding.code);
        assert.ok(codes.includes(rule.code), `found only: ${codes.join(', ') || 'nothing'}`);
      });

      it('its good example produces no finding of this rule, and no error or warning', () => {
        const example = exampleUnder(page, 'Good example');
        assert.ok(example, 'no fenced nginx block under "## Good example"');
        const findings = findingsOf(example);
        assert.deepEqual(
          findings.filter((finding) => finding.code === rule.code).map((finding) => finding.message),
          [],
        );
        assert.deepEqual(
          findings
            .filter((finding) => finding.severity === 'error' || finding.severity === 'warning')
            .map((finding) => finding.code),
          [],
        );
      });
    });
  }
});
