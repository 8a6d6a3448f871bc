// What the suite's tests share: the fixture workspace's files, nginx-ws's diagnostics as plain
// data, and waiting for them to change. Not a test file (no `.e2e.ts`): run.ts bundles it into
// each test that imports it.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { LocationTestReport } from '../../../server/src/proxytest/testLocation';
import { waitUntil } from './wait';

export const EXTENSION_ID = 'nginx-ws.nginx-ws';
export const SOURCE = 'nginx-ws';

/** The fixture workspace (a fresh copy of test/fixtures/e2e-workspaces/websocket-proxy). */
export function workspaceFolder(): vscode.WorkspaceFolder {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the fixture workspace is open');
  return folder;
}

export function workspaceUri(relativePath: string): vscode.Uri {
  return vscode.Uri.joinPath(workspaceFolder().uri, ...relativePath.split('/'));
}

/** Opens a workspace file in an editor (what a person does) and returns its document. */
export async function openInEditor(relativePath: string): Promise<vscode.TextDocument> {
  const document = await vscode.workspace.openTextDocument(workspaceUri(relativePath));
  await vscode.window.showTextDocument(document, { preview: false });
  assert.equal(document.languageId, 'nginx', `${relativePath} opens as an nginx file`);
  return document;
}

/**
 * The range of `text` in the document: where a diagnostic must be. `after` names the block it is
 * in when the text occurs more than once ("location /chat/ws"); the first occurrence after it
 * counts. Without `after` the text must occur once.
 */
export function rangeOf(document: vscode.TextDocument, text: string, after?: string): vscode.Range {
  const content = document.getText();
  let from = 0;
  if (after !== undefined) {
    from = content.indexOf(after);
    assert.ok(from >= 0, `"${after}" is in ${document.uri.path}`);
  }
  const offset = content.indexOf(text, from);
  assert.ok(offset >= 0, `"${text}" is in ${document.uri.path}${after ? ` after "${after}"` : ''}`);
  if (after === undefined) {
    assert.equal(content.indexOf(text, offset + 1), -1, `"${text}" is in ${document.uri.path} only once`);
  }
  return new vscode.Range(document.positionAt(offset), document.positionAt(offset + text.length));
}

/** The 0-based line of the only occurrence of `text`. */
export function lineOf(document: vscode.TextDocument, text: string): number {
  return rangeOf(document, text).start.line;
}

export function codeOf(diagnostic: vscode.Diagnostic): string {
  const code = diagnostic.code;
  return typeof code === 'object' ? String(code.value) : String(code ?? '');
}

export const SEVERITY_NAMES: Record<vscode.DiagnosticSeverity, string> = {
  [vscode.DiagnosticSeverity.Error]: 'error',
  [vscode.DiagnosticSeverity.Warning]: 'warning',
  [vscode.DiagnosticSeverity.Information]: 'information',
  [vscode.DiagnosticSeverity.Hint]: 'hint',
};

/** A diagnostic as comparable data: code, severity name, `line:character-line:character`. */
export interface DiagnosticSummary {
  code: string;
  severity: string;
  range: string;
}

export function formatRange(range: vscode.Range): string {
  return `${range.start.line}:${range.start.character}-${range.end.line}:${range.end.character}`;
}

export function summarize(diagnostic: vscode.Diagnostic): DiagnosticSummary {
  return {
    code: codeOf(diagnostic),
    severity: SEVERITY_NAMES[diagnostic.severity],
    range: formatRange(diagnostic.range),
  };
}

/** Where a diagnostic is expected: its code, severity name and range in the document. */
export interface ExpectedDiagnostic {
  code: string;
  severity: string;
  range: vscode.Range;
}

function byPositionThenCode(
  a: { code: string; range: vscode.Range },
  b: { code: string; range: vscode.Range },
): number {
  return a.range.start.compareTo(b.range.start) || a.code.localeCompare(b.code);
}

/** The file's diagnostics as summaries in a stable order (by position, then code). */
export function sortedSummaries(diagnostics: readonly vscode.Diagnostic[]): DiagnosticSummary[] {
  return diagnostics
    .map((diagnostic) => ({ diagnostic, code: codeOf(diagnostic), range: diagnostic.range }))
    .sort(byPositionThenCode)
    .map((entry) => summarize(entry.diagnostic));
}

/** Expectations as summaries in the same order, to compare with sortedSummaries. */
export function expectedSummaries(expected: readonly ExpectedDiagnostic[]): DiagnosticSummary[] {
  return [...expected]
    .sort(byPositionThenCode)
    .map((entry) => ({ code: entry.code, severity: entry.severity, range: formatRange(entry.range) }));
}

export function diagnosticsOf(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri);
}

export function codesOf(uri: vscode.Uri): string[] {
  return diagnosticsOf(uri).map(codeOf).sort();
}

function describeDiagnostics(uri: vscode.Uri): string {
  const found = diagnosticsOf(uri).map(summarize);
  return found.length ? JSON.stringify(found) : 'no diagnostics';
}

/**
 * Resolves with the file's diagnostics once `condition` holds for them, checked whenever
 * VS Code's diagnostics change. On timeout the error lists what the file had instead.
 */
export async function waitForDiagnostics(
  uri: vscode.Uri,
  condition: (diagnostics: vscode.Diagnostic[]) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<vscode.Diagnostic[]> {
  await waitUntil(
    () => condition(diagnosticsOf(uri)),
    { what: `${what} in ${vscode.workspace.asRelativePath(uri)}`, found: () => describeDiagnostics(uri), timeoutMs },
    [vscode.languages.onDidChangeDiagnostics],
  );
  return diagnosticsOf(uri);
}

/** Waits until the file's diagnostic codes are exactly `codes` (in any order). */
export function waitForCodes(
  uri: vscode.Uri,
  codes: readonly string[],
  timeoutMs?: number,
): Promise<vscode.Diagnostic[]> {
  const wanted = [...codes].sort();
  return waitForDiagnostics(
    uri,
    (diagnostics) => JSON.stringify(diagnostics.map(codeOf).sort()) === JSON.stringify(wanted),
    `exactly the codes [${wanted.join(', ')}]`,
    timeoutMs,
  );
}

/** Runs "Test WebSocket proxy" on the location at `line`, as the CodeLens does, and returns its report. */
export async function testProxy(uri: vscode.Uri | string, line: number): Promise<LocationTestReport> {
  const report = await vscode.commands.executeCommand<LocationTestReport | undefined>('nginxWs.testProxy', uri, line);
  assert.ok(report, 'nginxWs.testProxy ran a test (the workspace is trusted and the line is in a proxied location)');
  return report;
}

/** The report's story, for assertion messages. */
export function reportText(report: LocationTestReport): string {
  return report.details.join('\n');
}

/** Applies a workspace edit the way a code action does, failing when VS Code refuses it. */
export async function applyEdit(edit: vscode.WorkspaceEdit | undefined, what: string): Promise<void> {
  assert.ok(edit, `${what} carries an edit`);
  assert.equal(await vscode.workspace.applyEdit(edit), true, `${what} applies`);
}
