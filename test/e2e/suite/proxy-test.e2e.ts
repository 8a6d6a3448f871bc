// "Test WebSocket proxy" in VS Code, against the real nginx of the machine: the CodeLens above
// each proxied location runs it; a correct location passes (101 and the echo), a broken one
// fails with the backend's answer and the rules that explain it.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { parseNginxVersion, defaultsToHttp11 } from '../../../server/src/core/rules/version';
import type { LocationTestReport } from '../../../server/src/proxytest/testLocation';
import { lineOf, openInEditor, reportText, testProxy } from './workspace';

const APP = 'conf.d/app.conf';

function codeLenses(uri: vscode.Uri): Thenable<vscode.CodeLens[]> {
  return vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
}

suite('CodeLens and Test WebSocket proxy (real nginx)', () => {
  suiteSetup(() => {
    // Testing starts nginx: the command refuses in an untrusted workspace. The launcher starts
    // the VS Code server with --disable-workspace-trust.
    assert.equal(vscode.workspace.isTrusted, true, 'the workspace is trusted');
  });

  test('a "Test WebSocket proxy" CodeLens sits on each proxied location of conf.d/app.conf', async () => {
    const document = await openInEditor(APP);
    const lenses = await codeLenses(document.uri);
    assert.deepEqual(
      lenses.map((lens) => [
        lens.range.start.line,
        lens.command?.title,
        lens.command?.command,
        lens.command?.arguments,
      ]),
      ['location / {', 'location /ws/ {', 'location /live/ws {'].map((header) => {
        const line = lineOf(document, header);
        return [line, 'Test WebSocket proxy', 'nginxWs.testProxy', [document.uri.toString(), line]];
      }),
    );
    // None on the upstream block or the server: they do not proxy.
  });

  test('the CodeLens on /live/ws runs the test: it passes with 101 Switching Protocols and the echo', async () => {
    const document = await openInEditor(APP);
    const lens = (await codeLenses(document.uri)).find(
      (candidate) => candidate.range.start.line === lineOf(document, 'location /live/ws {'),
    );
    assert.ok(lens?.command, 'a CodeLens on /live/ws');
    const report = await vscode.commands.executeCommand<LocationTestReport | undefined>(
      lens.command.command,
      ...(lens.command.arguments ?? []),
    );
    assert.ok(report, 'the lens ran a test');
    assert.equal(report.outcome.kind, 'passed', reportText(report));
    assert.equal(report.location.label, 'location /live/ws');
    assert.equal(report.outcome.handshake?.status, 101, reportText(report));
    const echo = report.outcome.handshake?.echo;
    assert.ok(echo && echo.received === echo.sent, `the echo came back: ${reportText(report)}`);
    assert.deepEqual(report.findings, []);
    assert.match(report.summary, /WebSocket works through nginx — 101 Switching Protocols/);
  });

  test('/ws/ fails through nginx: the backend never sees an upgrade, and the rules say why', async () => {
    const document = await openInEditor(APP);
    const report = await testProxy(document.uri, lineOf(document, 'location /ws/ {') + 1);
    assert.equal(report.outcome.kind, 'failed', reportText(report));
    assert.equal(report.location.label, 'location /ws/');
    assert.notEqual(report.outcome.handshake?.status, 101, reportText(report));

    const nginxVersion = parseNginxVersion(report.outcome.nginxVersion ?? '');
    const oldNginx = !defaultsToHttp11(nginxVersion);
    const saw = report.outcome.backendSaw;
    assert.ok(saw, `the request reached the backend: ${reportText(report)}`);
    assert.equal(saw.upgrade, null, 'nginx dropped the Upgrade header');
    if (oldNginx) assert.equal(saw.httpVersion, '1.0', `nginx ${report.outcome.nginxVersion} spoke HTTP/1.0`);

    // The findings for the nginx that ran, explained in the notification's one line.
    const causes = report.findings
      .filter((finding) => finding.severity !== 'information')
      .map((finding) => finding.code);
    assert.deepEqual(causes, [...(oldNginx ? ['ws-http-version'] : []), 'ws-missing-upgrade', 'ws-missing-connection']);
    assert.match(report.summary, new RegExp(`cause: ${causes.join(', ')}\\.$`));
  });
});
