// The editing features as VS Code shows them (issue #12): the completion list in a location
// (vscode.executeCompletionItemProvider), hover text (vscode.executeHoverProvider), and a Format
// Document round trip (editor.action.formatDocument on the active editor), and the quick fix of a
// misspelt directive (nginx -t: unknown directive "proxy_pas"). Expected results come
// from nginx's documentation: `proxy_pass` is valid in a location, `listen` and `server_name`
// are not; `proxy_http_version` defaults to 1.1 since 1.29.7.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { applyEdit, codeOf, openInEditor, rangeOf, waitForDiagnostics } from './workspace';

/** Puts the document back as it is on disk, so that the next test starts from the fixture. */
async function revert(document: vscode.TextDocument): Promise<void> {
  await vscode.window.showTextDocument(document, { preview: false });
  await vscode.commands.executeCommand('workbench.action.files.revert');
  assert.equal(document.isDirty, false, `${document.uri.path} is back as on disk`);
}

function hoverText(hovers: readonly vscode.Hover[]): string {
  return hovers
    .flatMap((hover) => hover.contents)
    .map((content) => (typeof content === 'string' ? content : content.value))
    .join('\n');
}

suite('Editing features', () => {
  test('completion in a location lists what nginx allows there, with a snippet on the first argument', async () => {
    const document = await openInEditor('editing/conf.d/site.conf');
    const after = rangeOf(document, 'proxy_set_header Connection $connection_upgrade;').end;
    const edit = new vscode.WorkspaceEdit();
    edit.insert(document.uri, after, '\n        prox');
    assert.ok(await vscode.workspace.applyEdit(edit));
    try {
      const position = new vscode.Position(after.line + 1, '        prox'.length);
      const list = await vscode.commands.executeCommand<vscode.CompletionList>(
        'vscode.executeCompletionItemProvider',
        document.uri,
        position,
      );
      const labels = list.items.map((item) => (typeof item.label === 'string' ? item.label : item.label.label));
      for (const name of ['proxy_pass', 'proxy_set_header', 'proxy_read_timeout'])
        assert.ok(labels.includes(name), `${name} offered in a location`);
      for (const name of ['listen', 'server_name', 'upstream'])
        assert.ok(!labels.includes(name), `${name} not offered in a location`);
      const pass = list.items.find((item) => item.label === 'proxy_pass');
      const insert = pass?.insertText;
      assert.ok(insert instanceof vscode.SnippetString, 'proxy_pass inserts a snippet');
      assert.equal(insert.value, 'proxy_pass ${1:URL};');
    } finally {
      await revert(document);
    }
  });

  test('hover on proxy_http_version shows its syntax, the 1.29.7 default change and its nginx.org page', async () => {
    const document = await openInEditor('editing/conf.d/site.conf');
    const name = rangeOf(document, 'proxy_http_version');
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      document.uri,
      name.start.translate(0, 3),
    );
    const text = hoverText(hovers);
    assert.match(text, /proxy_http_version 1\.0 \| 1\.1 \| 2;/);
    assert.match(text, /Since 1\.29\.7, version 1\.1 is used by default/);
    assert.match(text, /nginx\.org\/en\/docs\/http\/ngx_http_proxy_module\.html#proxy_http_version/);
    const variable = rangeOf(document, '$connection_upgrade');
    const defined = hoverText(
      await vscode.commands.executeCommand<vscode.Hover[]>(
        'vscode.executeHoverProvider',
        document.uri,
        variable.start.translate(0, 3),
      ),
    );
    assert.match(defined, /map \$http_upgrade \$connection_upgrade/, 'the map that defines it, from nginx.conf');
  });

  test('Format Document lays out a messy file by depth, keeps the comment, and a second format changes nothing', async () => {
    const document = await openInEditor('editing/conf.d/messy.conf');
    try {
      const editor = await vscode.window.showTextDocument(document, { preview: false });
      editor.options = { tabSize: 4, insertSpaces: true };
      await vscode.commands.executeCommand('editor.action.formatDocument');
      const expected =
        'server {\n    listen 8301;\n    server_name messy.example.test;\n    location / {\n        return 204; # nothing here\n    }\n}\n';
      assert.equal(document.getText(), expected);
      const again = await vscode.commands.executeCommand<vscode.TextEdit[]>(
        'vscode.executeFormatDocumentProvider',
        document.uri,
        { tabSize: 4, insertSpaces: true },
      );
      assert.deepEqual(again ?? [], [], 'formatting is idempotent');
    } finally {
      await revert(document);
    }
  });

  test('a misspelt proxy_pass is an error whose preferred quick fix changes it back', async () => {
    const document = await openInEditor('editing/conf.d/site.conf');
    try {
      const name = rangeOf(document, 'proxy_pass');
      const edit = new vscode.WorkspaceEdit();
      edit.replace(document.uri, name, 'proxy_pas');
      await applyEdit(edit, 'the typo');
      const onTypo = (d: vscode.Diagnostic): boolean =>
        codeOf(d) === 'nginx-unknown-directive' && d.range.start.line === name.start.line;
      const typo = (await waitForDiagnostics(document.uri, (list) => list.some(onTypo), 'the unknown directive')).find(
        onTypo,
      );
      assert.ok(typo);
      assert.equal(typo.message, 'unknown directive "proxy_pas": did you mean "proxy_pass"?');
      assert.equal(typo.severity, vscode.DiagnosticSeverity.Error);
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
        'vscode.executeCodeActionProvider',
        document.uri,
        typo.range,
        vscode.CodeActionKind.QuickFix.value,
      );
      const fix = actions.find((action) => action.isPreferred && action.title === 'Change to proxy_pass');
      assert.ok(fix, `the preferred fix among ${JSON.stringify(actions.map((a) => a.title))}`);
      await applyEdit(fix.edit, fix.title);
      await waitForDiagnostics(
        document.uri,
        (diagnostics) => !diagnostics.some((d) => codeOf(d) === 'nginx-unknown-directive'),
        'no unknown directive',
      );
      assert.match(document.getText(), /^ {8}proxy_pass http:\/\/editor_app;$/m);
    } finally {
      await revert(document);
    }
  });
});
