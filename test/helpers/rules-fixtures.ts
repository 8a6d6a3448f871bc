// The rule fixtures under test/fixtures/rules/ as data: each case is a config (one file, or a
// folder holding nginx.conf and the files it includes), what the rules must find in it
// (`<name>.expected.json`), and, when a fix applies, the text expected after it
// (`<name>.fixed.conf`, or the folder `<name>.fixed/`). See test/fixtures/rules/README.md.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { SeverityName } from '../../server/src/core/config/settings';
import { applyEdits } from '../../server/src/core/fixes/apply';
import type { TextEdit } from '../../server/src/core/fixes/edits';
import { enableWebSocketFix, fixAllEdits, fixesFor, type CodeFix } from '../../server/src/core/fixes/fixes';
import { analyzeFile, type FileAnalysis } from '../../server/src/core/model/workspace';
import { checkFile, type CheckOptions } from '../../server/src/core/rules/check';
import type { Finding, Severity } from '../../server/src/core/rules/types';
import { parseNginxVersion, type NginxVersion } from '../../server/src/core/rules/version';
import { JailedFileSystem } from './fileSystems';
import { fixturePath } from './paths';

export const rulesFixturesDir = fixturePath('rules');

/** A finding as the fixtures state it: 1-based lines, file paths relative to the case. */
export interface ExpectedFinding {
  readonly code: string;
  readonly severity: Severity;
  readonly line: number;
  /** The text the diagnostic's range covers. */
  readonly text: string;
  readonly related?: readonly { readonly file: string; readonly line: number; readonly message: string }[];
}

/** Which fix the `.fixed` text is the result of. */
export interface FixSelection {
  /** The finding's code; with `line` when the code occurs more than once. */
  readonly code?: string;
  readonly line?: number;
  /** The fix's title; without it, the one fix marked preferred. */
  readonly title?: string;
  /** Fix all: `fixAllEdits` over every finding of the file. */
  readonly all?: boolean;
  /** "Enable WebSocket proxying here" on the location whose `location` line is this (1-based). */
  readonly enableAt?: number;
}

export interface CaseOptions {
  readonly nginxVersion?: string;
  readonly webSocketPaths?: readonly string[];
  readonly severity?: Readonly<Record<string, SeverityName>>;
}

export interface Expectation {
  readonly about: string;
  /** For a folder case: the file to analyse, relative to the folder. */
  readonly analyze?: string;
  readonly options?: CaseOptions;
  /** Every finding, in the order checkFile reports them. */
  readonly findings: readonly ExpectedFinding[];
  readonly fix?: FixSelection;
}

export interface RuleCase {
  /** The folder under test/fixtures/rules: a rule code, or `evidence`, `settings`, `fix-all`. */
  readonly group: string;
  /** `bad`, `good-included`, ... */
  readonly name: string;
  readonly id: string;
  readonly kind: 'file' | 'tree';
  readonly isGood: boolean;
  /** The workspace folder of the case; related-information paths are relative to it. */
  readonly root: string;
  /** The file analysed. */
  readonly file: string;
  /** Every config file of the case. */
  readonly files: readonly string[];
  readonly expectation: Expectation;
  /** `<name>.fixed.conf` or `<name>.fixed/`, when there is one. */
  readonly fixed: string | undefined;
}

/** Every file under a folder, recursively, sorted. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

function readExpectation(file: string, isGood: boolean, id: string): Expectation {
  if (!existsSync(file)) {
    if (isGood) return { about: 'a good example: no finding', findings: [] };
    throw new Error(`${id}: a bad case needs ${path.basename(file)}`);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as Expectation;
}

/** The rule fixture cases, group by group, in name order. */
export function ruleCases(): RuleCase[] {
  const cases: RuleCase[] = [];
  for (const group of readdirSync(rulesFixturesDir).sort()) {
    const groupDir = path.join(rulesFixturesDir, group);
    if (!statSync(groupDir).isDirectory()) continue;
    for (const entry of readdirSync(groupDir).sort()) {
      const entryPath = path.join(groupDir, entry);
      const isTree = statSync(entryPath).isDirectory() && !entry.endsWith('.fixed');
      const isFile = entry.endsWith('.conf') && !entry.endsWith('.fixed.conf');
      if (!isTree && !isFile) continue;
      const name = isTree ? entry : entry.slice(0, -'.conf'.length);
      const id = `${group}/${name}`;
      const isGood = name.startsWith('good');
      const expectation = readExpectation(path.join(groupDir, `${name}.expected.json`), isGood, id);
      const fixedPath = path.join(groupDir, isTree ? `${name}.fixed` : `${name}.fixed.conf`);
      if (isTree) {
        cases.push({
          group,
          name,
          id,
          kind: 'tree',
          isGood,
          root: entryPath,
          file: path.join(entryPath, expectation.analyze ?? 'nginx.conf'),
          files: filesUnder(entryPath).filter((file) => file.endsWith('.conf')),
          expectation,
          fixed: existsSync(fixedPath) ? fixedPath : undefined,
        });
      } else {
        cases.push({
          group,
          name,
          id,
          kind: 'file',
          isGood,
          root: groupDir,
          file: entryPath,
          files: [entryPath],
          expectation,
          fixed: existsSync(fixedPath) ? fixedPath : undefined,
        });
      }
    }
  }
  return cases;
}

export function versionOf(options: CaseOptions | undefined): NginxVersion | undefined {
  return options?.nginxVersion ? parseNginxVersion(options.nginxVersion) : undefined;
}

export function checkOptionsOf(options: CaseOptions | undefined): CheckOptions {
  return {
    nginxVersion: versionOf(options),
    webSocketPaths: options?.webSocketPaths ?? [],
    severity: options?.severity ?? {},
  };
}

/**
 * Analyses the case's file as the language server would, with `overlay` texts (edited files)
 * laid over the disk the way unsaved editor buffers are.
 */
export function analyzeCase(testCase: RuleCase, overlay: ReadonlyMap<string, string> = new Map()): FileAnalysis {
  // Jailed to the case's folder: nothing outside the fixtures (no real /etc/nginx) can take part.
  const fs = new JailedFileSystem(testCase.root, (file) => overlay.get(file));
  return analyzeFile(testCase.file, fs, { workspaceFolders: [testCase.root] });
}

export function checkCase(
  testCase: RuleCase,
  analysis: FileAnalysis,
  options: CaseOptions | undefined = testCase.expectation.options,
): Finding[] {
  return checkFile(analysis, checkOptionsOf(options));
}

/** A finding in the fixtures' terms, for deepEqual against the expectation. */
export function describeFinding(finding: Finding, analysis: FileAnalysis, root: string): ExpectedFinding {
  const parsed = analysis.tree.files.get(finding.file);
  const start = parsed?.source.lineStarts[finding.range.start.line] ?? 0;
  const end = parsed?.source.lineStarts[finding.range.end.line] ?? 0;
  const text = parsed?.text.slice(start + finding.range.start.character, end + finding.range.end.character) ?? '';
  const described: ExpectedFinding = {
    code: finding.code,
    severity: finding.severity,
    line: finding.range.start.line + 1,
    text,
  };
  if (!finding.related.length) return described;
  return {
    ...described,
    related: finding.related.map((entry) => ({
      file: path.relative(root, entry.file),
      line: entry.range.start.line + 1,
      message: entry.message,
    })),
  };
}

/** The text a case file must have after the fix: from `<name>.fixed.conf` or `<name>.fixed/<same path>`. */
export function expectedFixedText(testCase: RuleCase, file: string): string {
  if (!testCase.fixed) throw new Error(`${testCase.id} has no fixed text`);
  if (testCase.kind === 'file') return readFileSync(testCase.fixed, 'utf8');
  return readFileSync(path.join(testCase.fixed, path.relative(testCase.root, file)), 'utf8');
}

/** The edits of the fix a case names, and a description of it for messages. */
export function selectedFixEdits(
  testCase: RuleCase,
  analysis: FileAnalysis,
  findings: readonly Finding[],
): { title: string; edits: readonly TextEdit[] } {
  const selection = testCase.expectation.fix;
  if (!selection) throw new Error(`${testCase.id} names no fix`);
  const version = versionOf(testCase.expectation.options);
  if (selection.all) return { title: 'fix all', edits: fixAllEdits(findings, analysis, version) };
  if (selection.enableAt !== undefined) {
    const location = analysis.locations.find(
      (candidate) => candidate.node.directive.range.start.line + 1 === selection.enableAt,
    );
    if (!location) throw new Error(`${testCase.id}: no location on line ${selection.enableAt}`);
    const fix = enableWebSocketFix(analysis, location, version);
    if (!fix)
      throw new Error(`${testCase.id}: "Enable WebSocket proxying here" is not offered on line ${selection.enableAt}`);
    return fix;
  }
  const matching = findings.filter(
    (finding) =>
      finding.code === selection.code &&
      (selection.line === undefined || finding.range.start.line + 1 === selection.line),
  );
  if (matching.length !== 1)
    throw new Error(`${testCase.id}: ${matching.length} findings match the fix selection ${JSON.stringify(selection)}`);
  const fixes = fixesFor(matching[0] as Finding, analysis, version);
  const chosen =
    selection.title === undefined
      ? fixes.filter((fix) => fix.isPreferred)
      : fixes.filter((fix) => fix.title === selection.title);
  if (chosen.length !== 1) {
    throw new Error(
      `${testCase.id}: ${chosen.length} fixes match ${selection.title ?? '"preferred"'}; offered: ${JSON.stringify(fixes.map((fix) => [fix.title, fix.isPreferred]))}`,
    );
  }
  return chosen[0] as CodeFix;
}

/** Applies edits to the files they name; returns the new text of every file an edit touched. */
export function applyToFiles(analysis: FileAnalysis, edits: readonly TextEdit[]): Map<string, string> {
  const result = new Map<string, string>();
  for (const file of new Set(edits.map((edit) => edit.file))) {
    const parsed = analysis.tree.files.get(file);
    if (!parsed) throw new Error(`an edit names ${file}, which the analysis did not read`);
    result.set(
      file,
      applyEdits(
        parsed.text,
        edits.filter((edit) => edit.file === file),
      ),
    );
  }
  return result;
}
