// The extension is packaged right: an nginx file in a conf.d folder gets the `nginx` language
// (package.json contributes it with the `**/conf.d/**/*.conf` pattern) and opening it activates
// the extension (activation event `onLanguage:nginx`).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { waitUntil } from './wait';

const EXTENSION_ID = 'nginx-ws.nginx-ws';

suite('Activation', () => {
  test('conf.d/app.conf opens with languageId nginx and activates nginx-ws', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the fixture workspace is open');
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is loaded from --extensionDevelopmentPath`);
    // This file sorts first, so nothing has opened an nginx file yet: activation below is
    // caused by the document, not by a startup activation event.
    assert.equal(extension.isActive, false, 'not active before an nginx file is opened');

    const document = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder.uri, 'conf.d', 'app.conf'));
    await vscode.window.showTextDocument(document);

    assert.equal(document.languageId, 'nginx');
    await waitUntil(() => extension.isActive, { what: `${EXTENSION_ID} to activate` });
  });
});
