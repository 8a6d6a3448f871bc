/**
 * SARIF 2.1.0 for GitHub code scanning (docs.github.com, "SARIF support for code scanning"): the
 * tool with every rule it may report, results with repository-relative locations, related
 * locations, fixes, and fingerprints that do not move when lines above a finding are added.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { RULES } from '../core/rules/registry';
import type { Severity } from '../core/rules/types';
import type { CliEdit, CliFinding } from './format';

const INFORMATION_URI = 'https://github.com/nginx-ws/nginx-ws';
const DOCS_URI = `${INFORMATION_URI}/blob/main/docs/rules/`;

/** What the CLI reports besides the WebSocket rules: what nginx -t would also refuse or miss. */
const OTHER_CODES: Record<string, { title: string; level: Severity }> = {
  'file-unreadable': { title: 'The file cannot be read', level: 'error' },
  'include-unreadable': { title: 'An include cannot be followed', level: 'information' },
  'missing-semicolon': { title: 'A directive is not terminated by ";"', level: 'error' },
  'unclosed-block': { title: 'A block is not closed by "}"', level: 'error' },
  'unexpected-character': { title: 'A character nginx does not expect here', level: 'error' },
  'unterminated-string': { title: 'A quoted string is not closed', level: 'error' },
  'unterminated-lua-block': { title: 'A *_by_lua_block body is not closed', level: 'error' },
  'template-placeholder': { title: 'A template placeholder nginx cannot read', level: 'error' },
};

type SarifLevel = 'error' | 'warning' | 'note';

function levelOf(severity: Severity): SarifLevel {
  return severity === 'error' ? 'error' : severity === 'warning' ? 'warning' : 'note';
}

/** Sections of a rule's page in docs/rules: "What it catches" and "Quick fixes". */
function docSections(docsDir: string | undefined, code: string): { catches?: string; fixes?: string } {
  if (!docsDir) return {};
  let text: string;
  try {
    text = readFileSync(path.join(docsDir, `${code}.md`), 'utf8');
  } catch {
    return {};
  }
  const section = (title: string): string | undefined => {
    const match = new RegExp(`^## ${title}\\n([\\s\\S]*?)(?=^## |(?![\\s\\S]))`, 'm').exec(text);
    return match?.[1]?.trim() || undefined;
  };
  return { catches: section('What it catches'), fixes: section('Quick fixes') };
}

interface RuleDescriptor {
  readonly id: string;
  readonly name: string;
  readonly shortDescription: { readonly text: string };
  readonly fullDescription: { readonly text: string };
  readonly help: { readonly text: string; readonly markdown: string };
  readonly helpUri?: string;
  readonly defaultConfiguration: { readonly level: SarifLevel };
}

function ruleName(code: string): string {
  return code
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** Every rule the tool knows, WebSocket rules first, then any other code the findings carry. */
export function sarifRules(findings: readonly CliFinding[], docsDir: string | undefined): RuleDescriptor[] {
  const rules: RuleDescriptor[] = RULES.map((rule) => {
    const doc = docSections(docsDir, rule.code);
    const full = doc.catches ?? rule.title;
    const help = doc.fixes ?? `See ${DOCS_URI}${rule.code}.md`;
    return {
      id: rule.code,
      name: ruleName(rule.code),
      shortDescription: { text: rule.title },
      fullDescription: { text: full },
      help: { text: help, markdown: help },
      helpUri: `${DOCS_URI}${rule.code}.md`,
      defaultConfiguration: { level: levelOf(rule.defaultSeverity) },
    };
  });
  const known = new Set(rules.map((rule) => rule.id));
  const extra = new Set([...Object.keys(OTHER_CODES), ...findings.map((finding) => finding.code)]);
  for (const code of extra) {
    if (known.has(code)) continue;
    known.add(code);
    const other = OTHER_CODES[code] ?? { title: code, level: 'warning' as Severity };
    rules.push({
      id: code,
      name: ruleName(code),
      shortDescription: { text: other.title },
      fullDescription: { text: other.title },
      help: { text: other.title, markdown: other.title },
      defaultConfiguration: { level: levelOf(other.level) },
    });
  }
  return rules;
}

/** A path as SARIF wants it: relative to the base, with forward slashes, percent-encoded. */
function artifactUri(file: string, base: string): { uri: string; uriBaseId?: string } {
  const relative = path.relative(base, file);
  if (relative && !relative.startsWith('..') && !path.isAbsolute(relative))
    return { uri: relative.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' };
  return { uri: `file://${file.split(path.sep).map(encodeURIComponent).join('/')}` };
}

function region(range: { line: number; column: number; endLine: number; endColumn: number }) {
  return { startLine: range.line, startColumn: range.column, endLine: range.endLine, endColumn: range.endColumn };
}

/**
 * Stable across commits: the rule, the file, and the text of the finding's line without its
 * indentation, plus a counter for identical lines; not the line number, which moves.
 */
function fingerprint(finding: CliFinding, base: string, lineText: string, seen: Map<string, number>): string {
  const key = `${finding.code}\0${path.relative(base, finding.file)}\0${lineText.trim()}`;
  const count = seen.get(key) ?? 0;
  seen.set(key, count + 1);
  return `${createHash('sha256').update(`${key}\0${count}`).digest('hex').slice(0, 32)}:${count + 1}`;
}

function fixOf(edits: readonly CliEdit[], description: string, base: string) {
  const byFile = new Map<string, CliEdit[]>();
  for (const edit of edits) byFile.set(edit.file, [...(byFile.get(edit.file) ?? []), edit]);
  return {
    description: { text: description },
    artifactChanges: [...byFile].map(([file, fileEdits]) => ({
      artifactLocation: artifactUri(file, base),
      replacements: fileEdits.map((edit) => ({
        deletedRegion: region(edit),
        insertedContent: { text: edit.newText },
      })),
    })),
  };
}

export interface SarifOptions {
  readonly version: string;
  /** Where artifact URIs are relative to: the working directory or --base. */
  readonly base: string;
  /** docs/rules of the installed tool, for rule descriptions; undefined: titles only. */
  readonly docsDir: string | undefined;
  /** A line's text, for fingerprints. */
  readonly lineText: (file: string, line: number) => string;
}

export function formatFindingsSarif(findings: readonly CliFinding[], options: SarifOptions): string {
  const rules = sarifRules(findings, options.docsDir);
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const seen = new Map<string, number>();
  const results = findings.map((finding) => ({
    ruleId: finding.code,
    ruleIndex: ruleIndex.get(finding.code) ?? 0,
    level: levelOf(finding.severity),
    message: { text: finding.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: artifactUri(finding.file, options.base),
          region: region(finding),
        },
      },
    ],
    ...(finding.related?.length
      ? {
          relatedLocations: finding.related.map((related, index) => ({
            id: index,
            message: { text: related.message },
            physicalLocation: { artifactLocation: artifactUri(related.file, options.base), region: region(related) },
          })),
        }
      : {}),
    ...(finding.fix ? { fixes: [fixOf(finding.fix.edits, finding.fix.description, options.base)] } : {}),
    partialFingerprints: {
      'nginxWs/v1': fingerprint(finding, options.base, options.lineText(finding.file, finding.line), seen),
    },
  }));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'nginx-ws',
            version: options.version,
            informationUri: INFORMATION_URI,
            rules,
          },
        },
        originalUriBaseIds: {
          '%SRCROOT%': { uri: `file://${options.base.split(path.sep).map(encodeURIComponent).join('/')}/` },
        },
        results,
      },
    ],
  };
  return JSON.stringify(log, null, 2);
}
