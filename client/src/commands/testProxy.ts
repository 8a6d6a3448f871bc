import * as vscode from 'vscode';
import { normalizeSettings, type Settings } from '../../../server/src/core/config/settings';
import { fixAllEdits } from '../../../server/src/core/fixes/fixes';
import type { TextEdit } from '../../../server/src/core/fixes/edits';
import { parseNginxVersion } from '../../../server/src/core/rules/version';
import { NodeFileSystem } from '../../../server/src/node/nodeFileSystem';
import { requestPathFor } from '../../../server/src/proxytest/buildConfig';
import { wsHandshake, type HandshakeResult } from '../../../server/src/proxytest/handshake';
import {
  chooseLocation,
  testLocation,
  type LocationChoice,
  type LocationTestReport,
} from '../../../server/src/proxytest/testLocation';
import { describeRunningServerResult, stageLabel, validateWebSocketUrl } from './format';

/** Settings for `resource`; nginxPath only from user or default scope, never from a workspace. */
export function readSettings(resource: vscode.Uri): Settings {
  const configuration = vscode.workspace.getConfiguration('nginxWs', resource);
  const raw: Record<string, unknown> = {};
  for (const key of [
    'mainConfig',
    'nginxVersion',
    'webSocketPaths',
    'severity',
    'pathMappings',
    'testTimeoutSeconds',
    'codeLens',
    'templateVariables',
  ]) {
    raw[key] = configuration.get(key);
  }
  const nginxPath = configuration.inspect<string>('nginxPath');
  raw.nginxPath = nginxPath?.globalValue ?? nginxPath?.defaultValue;
  return normalizeSettings(raw);
}

function fileSystem(): NodeFileSystem {
  const open = new Map(
    vscode.workspace.textDocuments
      .filter((document) => document.uri.scheme === 'file')
      .map((document) => [document.uri.fsPath, document.getText()]),
  );
  return new NodeFileSystem((file) => open.get(file));
}

async function requireTrust(): Promise<boolean> {
  if (vscode.workspace.isTrusted) return true;
  const choice = await vscode.window.showWarningMessage(
    'nginx-ws: testing a proxy starts nginx on this machine, so it runs only in a trusted workspace.',
    'Manage Workspace Trust',
  );
  if (choice) await vscode.commands.executeCommand('workbench.trust.manage');
  return false;
}

async function documentFor(uri: string | vscode.Uri | undefined): Promise<vscode.TextDocument | undefined> {
  if (uri) return vscode.workspace.openTextDocument(typeof uri === 'string' ? vscode.Uri.parse(uri) : uri);
  return vscode.window.activeTextEditor?.document;
}

interface TestTarget {
  readonly document: vscode.TextDocument;
  /** The location's header as written, to find it again after an edit. */
  readonly label: string | undefined;
  readonly line: number | undefined;
  readonly requestPath?: string;
}

/**
 * Runs the test and resolves with its report (undefined when nothing ran) as soon as the result is
 * known; the notification it shows is not awaited, so callers (and tests) are not held by it.
 */
export async function testProxyCommand(
  output: vscode.LogOutputChannel,
  uri?: string | vscode.Uri,
  line?: number,
): Promise<LocationTestReport | undefined> {
  if (!(await requireTrust())) return undefined;
  const document = await documentFor(uri);
  if (!document || document.uri.scheme !== 'file') {
    void vscode.window.showInformationMessage(
      'nginx-ws: open a saved nginx config file and place the cursor inside a location that has proxy_pass.',
    );
    return undefined;
  }
  const editor = vscode.window.activeTextEditor;
  const cursorLine = line ?? (editor?.document === document ? editor.selection.active.line : undefined);
  return runTest(output, { document, label: undefined, line: cursorLine });
}

async function pickLocation(choices: readonly LocationChoice[]): Promise<LocationChoice | undefined> {
  const picked = await vscode.window.showQuickPick(
    choices.map((choice) => ({
      label: choice.label,
      description: `line ${choice.line + 1}`,
      detail: choice.location.proxyPass?.value,
      choice,
    })),
    { placeHolder: 'Which location should be tested through a real nginx?' },
  );
  return picked?.choice;
}

async function runTest(output: vscode.LogOutputChannel, target: TestTarget): Promise<LocationTestReport | undefined> {
  const started = Date.now();
  const settings = readSettings(target.document.uri);
  const workspaceFolders = (vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.fsPath);
  const { analysis, choices, choice } = chooseLocation(
    target.document.uri.fsPath,
    fileSystem(),
    { mainConfig: settings.mainConfig, workspaceFolders, pathMappings: settings.pathMappings },
    target.label !== undefined ? { locationPath: target.label } : { line: target.line },
  );
  if (!choices.length) {
    void vscode.window.showInformationMessage(
      'nginx-ws: no location in this file has proxy_pass, so there is nothing to test.',
    );
    return undefined;
  }
  const chosen = choice ?? (await pickLocation(choices));
  if (!chosen) return undefined;
  let requestPath = target.requestPath;
  if (!requestPath && requestPathFor(chosen.location) === undefined) {
    requestPath = await vscode.window.showInputBox({
      title: `A request path that ${chosen.label} matches`,
      prompt: 'nginx-ws could not derive one from the regular expression.',
      value: '/',
      validateInput: (value) => (value.startsWith('/') ? undefined : 'The path must start with "/".'),
    });
    if (!requestPath) return undefined;
  }

  const report = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Testing ${chosen.label} through nginx`,
      cancellable: true,
    },
    (progress, token) => {
      const controller = new AbortController();
      const subscription = token.onCancellationRequested(() => controller.abort());
      return testLocation({
        choice: chosen,
        analysis,
        nginxPath: settings.nginxPath,
        timeoutMs: settings.testTimeoutSeconds * 1000,
        signal: controller.signal,
        requestPath,
        webSocketPaths: settings.webSocketPaths,
        severity: settings.severity,
        templateValues: settings.templateVariables,
        onProgress: (event) => {
          if (event.type === 'stage') progress.report({ message: stageLabel(event.stage) });
        },
      }).finally(() => subscription.dispose());
    },
  );
  output.info(`Test WebSocket proxy finished in ${Date.now() - started} ms (command start to result).`);
  for (const detail of report.details) output.appendLine(detail);
  void showResult(output, report, { ...target, label: chosen.label, requestPath }, analysis).catch((error: unknown) =>
    output.error(`Showing the proxy test result failed: ${error instanceof Error ? error.message : String(error)}`),
  );
  return report;
}

async function showResult(
  output: vscode.LogOutputChannel,
  report: LocationTestReport,
  target: TestTarget,
  analysis: Parameters<typeof fixAllEdits>[1],
): Promise<void> {
  const kind = report.outcome.kind;
  const fixes =
    kind === 'failed' || kind === 'config-error'
      ? fixAllEdits(
          report.findings,
          analysis,
          report.outcome.nginxVersion ? parseNginxVersion(report.outcome.nginxVersion) : undefined,
        )
      : [];
  const actions = [
    ...(fixes.length ? ['Apply Fix and Test Again'] : []),
    'Show Details',
    ...(kind === 'environment-error' ? ['Open Settings'] : []),
  ];
  const show =
    kind === 'passed'
      ? vscode.window.showInformationMessage
      : kind === 'cancelled' || kind === 'timeout'
        ? vscode.window.showWarningMessage
        : vscode.window.showErrorMessage;
  const choice = await show(`nginx-ws: ${report.summary}`, ...actions);
  if (choice === 'Show Details') output.show(true);
  if (choice === 'Open Settings')
    await vscode.commands.executeCommand('workbench.action.openSettings', 'nginxWs.nginxPath');
  if (choice === 'Apply Fix and Test Again') {
    const applied = await vscode.workspace.applyEdit(toWorkspaceEdit(fixes));
    if (!applied) {
      void vscode.window.showErrorMessage(
        'nginx-ws: the fix could not be applied (the file changed?). Nothing was written.',
      );
      return;
    }
    await runTest(output, target);
  }
}

export function toWorkspaceEdit(edits: readonly TextEdit[]): vscode.WorkspaceEdit {
  const workspaceEdit = new vscode.WorkspaceEdit();
  for (const edit of edits) {
    const range = new vscode.Range(
      edit.range.start.line,
      edit.range.start.character,
      edit.range.end.line,
      edit.range.end.character,
    );
    workspaceEdit.replace(vscode.Uri.file(edit.file), range, edit.newText);
  }
  return workspaceEdit;
}

export async function testRunningServerCommand(
  output: vscode.LogOutputChannel,
  urlArgument?: string,
): Promise<HandshakeResult | undefined> {
  if (!(await requireTrust())) return undefined;
  const url =
    urlArgument ??
    (await vscode.window.showInputBox({
      title: 'Test a running WebSocket proxy',
      prompt: 'The ws:// or wss:// URL of the proxied WebSocket endpoint',
      placeHolder: 'wss://example.com/ws',
      validateInput: validateWebSocketUrl,
    }));
  if (!url) return undefined;
  const invalid = validateWebSocketUrl(url);
  if (invalid) {
    void vscode.window.showErrorMessage(`nginx-ws: ${invalid}`);
    return undefined;
  }
  const settings = vscode.window.activeTextEditor
    ? readSettings(vscode.window.activeTextEditor.document.uri)
    : normalizeSettings({});
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `WebSocket handshake with ${url}`, cancellable: true },
    (_progress, token) => {
      const controller = new AbortController();
      const subscription = token.onCancellationRequested(() => controller.abort());
      return wsHandshake(url, { timeoutMs: settings.testTimeoutSeconds * 1000, signal: controller.signal }).finally(
        () => subscription.dispose(),
      );
    },
  );
  const lines = describeRunningServerResult(result);
  for (const line of lines) output.appendLine(line);
  const passed = result.upgraded && !result.error;
  const show = passed ? vscode.window.showInformationMessage : vscode.window.showErrorMessage;
  void show(`nginx-ws: ${lines[0] ?? ''}`, 'Show Details').then((choice) => {
    if (choice) output.show(true);
  });
  return result;
}
