// The quick fixes as VS Code offers them (vscode.executeCodeActionProvider) and applies them
// (workspace.applyEdit): the diagnostics they answer go away, and the fixed location works
// through a real nginx.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  applyEdit,
  codeOf,
  lineOf,
  openInEditor,
  reportText,
  SEVERITY_NAMES,
  testProxy,
  waitForCodes,
  waitForDiagnostics,
  workspaceUri,
} from './workspace';

function codeActions(uri: vscode.Uri, range: vscode.Range, kind: vscode.CodeActionKind): Thenable<vscode.CodeAction[]> {
  return vscode.commands.executeCommand<vscode.CodeAction[]>(
    'vscode.executeCodeActionProvider',
    uri,
    range,
    kind.value,
  );
}

function isErrorOrWarning(diagnostic: vscode.Diagnostic): boolean {
  return (
    diagnostic.severity === vscode.DiagnosticSeverity.Error || diagnostic.severity === vscode.DiagnosticSeverity.Warning
  );
}

suite('Quick fixes', () => {
  test('the preferred quick fix for conf.d/chat.conf adds the Connection line; the error goes and nginx upgrades', async () => {
    const document = await openInEditor('conf.d/chat.conf');
    const [diagnostic] = await waitForCodes(document.uri, ['ws-missing-connection']);
    assert.ok(diagnostic);

    const actions = await codeActions(document.uri, diagnostic.range, vscode.CodeActionKind.QuickFix);
    const titles = actions.map((action) => action.title);
    const preferred = actions.filter((action) => action.isPreferred);
    assert.equal(preferred.length, 1, `one preferred fix among ${JSON.stringify(titles)}`);
    const [fix] = preferred;
    assert.ok(fix);
    assert.equal(fix.title, 'Add "proxy_set_header Connection "upgrade";"');
    assert.deepEqual(fix.kind?.value, vscode.CodeActionKind.QuickFix.value);

    await applyEdit(fix.edit, fix.title);
    await waitForCodes(document.uri, []);
    // Inserted inside the location, indented like its other lines.
    assert.match(
      document.getText(),
      /location \/socket\.io\/ \{\n(?: {8}\S.*\n)* {8}proxy_set_header Connection "upgrade";\n/,
    );

    // The unsaved fix is what the test runs: the client reads open documents, not the disk.
    const report = await testProxy(document.uri, lineOf(document, 'location /socket.io/'));
    assert.equal(report.outcome.kind, 'passed', reportText(report));
  });

  test('source.fixAll.nginx-ws repairs every broken location of fix-all/conf.d/sites.conf, across files', async () => {
    const document = await openInEditor('fix-all/conf.d/sites.conf');
    await waitForDiagnostics(document.uri, (diagnostics) => diagnostics.some(isErrorOrWarning), 'errors and warnings');

    const whole = new vscode.Range(0, 0, document.lineCount, 0);
    const actions = await codeActions(document.uri, whole, vscode.CodeActionKind.SourceFixAll.append('nginx-ws'));
    assert.deepEqual(
      actions.map((action) => [action.title, action.kind?.value]),
      [['Fix all nginx-ws WebSocket problems', 'source.fixAll.nginx-ws']],
    );
    const edit = actions[0]?.edit;
    assert.ok(edit);
    // $connection_upgrade needs the map in the http block, which is in the main config.
    assert.deepEqual(
      edit
        .entries()
        .map(([uri]) => vscode.workspace.asRelativePath(uri))
        .sort(),
      ['fix-all/conf.d/sites.conf', 'fix-all/nginx.conf'],
    );

    await applyEdit(edit, 'Fix all');
    const remaining = await waitForDiagnostics(
      document.uri,
      (diagnostics) => !diagnostics.some(isErrorOrWarning),
      'no error or warning',
    );
    for (const diagnostic of remaining) {
      assert.equal(SEVERITY_NAMES[diagnostic.severity], 'information', `${codeOf(diagnostic)} left is only a note`);
    }
    const main = await vscode.workspace.openTextDocument(workspaceUri('fix-all/nginx.conf'));
    assert.match(main.getText(), /map \$http_upgrade \$connection_upgrade \{/);

    // The location that needed the map in the other file now works through nginx (whose -t
    // would reject the config if the variable were still undefined).
    const report = await testProxy(document.uri, lineOf(document, 'location /chat/ws'));
    assert.equal(report.outcome.kind, 'passed', reportText(report));
  });
});
