// Settings change what the editor reports, live: the nginx version the config is for, and the
// severity of each rule. Changed the way the Settings editor does (workspace settings, written to
// the fixture's .vscode/settings.json) and put back after each test.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { codeOf, openInEditor, SEVERITY_NAMES, waitForCodes, waitForDiagnostics } from './workspace';

const APP = 'conf.d/app.conf';
const FINDINGS = ['ws-http-version', 'ws-missing-upgrade', 'ws-missing-connection', 'ws-read-timeout'];

function settings(uri: vscode.Uri): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('nginxWs', uri);
}

suite('Settings', () => {
  let document: vscode.TextDocument;
  const saved = new Map<string, unknown>();

  suiteSetup(async () => {
    document = await openInEditor(APP);
    for (const key of ['nginxVersion', 'severity']) saved.set(key, settings(document.uri).inspect(key)?.workspaceValue);
  });

  setup(async () => {
    await waitForCodes(document.uri, FINDINGS);
  });

  teardown(async () => {
    for (const [key, value] of saved) {
      await settings(document.uri).update(key, value, vscode.ConfigurationTarget.Workspace);
    }
    await waitForCodes(document.uri, FINDINGS);
  });

  test('nginxWs.nginxVersion "1.29.7" (HTTP/1.1 upstream by default) removes ws-http-version', async () => {
    assert.equal(settings(document.uri).get('nginxVersion'), '1.22.1', 'the fixture pins an older nginx');
    await settings(document.uri).update('nginxVersion', '1.29.7', vscode.ConfigurationTarget.Workspace);
    await waitForCodes(document.uri, ['ws-missing-upgrade', 'ws-missing-connection', 'ws-read-timeout']);
  });

  test('nginxWs.severity { "ws-missing-upgrade": "hint" } lowers it to a hint; "off" removes it', async () => {
    const upgradeSeverity = (diagnostics: vscode.Diagnostic[]): string | undefined => {
      const found = diagnostics.find((diagnostic) => codeOf(diagnostic) === 'ws-missing-upgrade');
      return found ? SEVERITY_NAMES[found.severity] : undefined;
    };
    assert.equal(upgradeSeverity(vscode.languages.getDiagnostics(document.uri)), 'warning');

    await settings(document.uri).update(
      'severity',
      { 'ws-missing-upgrade': 'hint' },
      vscode.ConfigurationTarget.Workspace,
    );
    const hinted = await waitForDiagnostics(
      document.uri,
      (diagnostics) => upgradeSeverity(diagnostics) === 'hint',
      'ws-missing-upgrade as a hint',
    );
    // Only that rule changed.
    assert.deepEqual(
      hinted
        .filter((diagnostic) => codeOf(diagnostic) !== 'ws-missing-upgrade')
        .map((diagnostic) => SEVERITY_NAMES[diagnostic.severity]),
      ['warning', 'warning', 'information'],
    );

    await settings(document.uri).update(
      'severity',
      { 'ws-missing-upgrade': 'off' },
      vscode.ConfigurationTarget.Workspace,
    );
    await waitForCodes(document.uri, ['ws-http-version', 'ws-missing-connection', 'ws-read-timeout']);
  });
});
