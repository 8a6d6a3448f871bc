// A location in conf.d inherits its WebSocket lines from the main config that includes it, or
// gets them from a snippet it includes. When that other file changes, on disk while it is closed
// or in an unsaved editor buffer, the location's diagnostics follow without touching its file.
import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import {
  applyEdit,
  codeOf,
  expectedSummaries,
  openInEditor,
  rangeOf,
  SEVERITY_NAMES,
  sortedSummaries,
  waitForCodes,
  workspaceUri,
} from './workspace';

const LIVE = 'inherited/conf.d/live.conf';
const MAIN = 'inherited/nginx.conf';
const SNIPPET = 'inherited/snippets/chat-headers.conf';

function isOpen(uri: vscode.Uri): boolean {
  return vscode.workspace.textDocuments.some((document) => document.uri.toString() === uri.toString());
}

/** Rewrites a file on disk behind VS Code's back (as git or another editor would) and returns a way back. */
function rewriteOnDisk(uri: vscode.Uri, change: (text: string) => string): () => void {
  assert.equal(isOpen(uri), false, `${vscode.workspace.asRelativePath(uri)} is not open in VS Code`);
  const original = readFileSync(uri.fsPath, 'utf8');
  const changed = change(original);
  assert.notEqual(changed, original, 'the change changes the file');
  writeFileSync(uri.fsPath, changed);
  return () => writeFileSync(uri.fsPath, original);
}

/** The whole line holding `text`, newline included: what deleting a directive removes. */
function lineRange(document: vscode.TextDocument, text: string): vscode.Range {
  const line = rangeOf(document, text).start.line;
  return new vscode.Range(line, 0, line + 1, 0);
}

suite('Inheritance across files', () => {
  // Only the /ws/ read timeout (a note) while both other files give the locations what they need.
  const healthy = ['ws-read-timeout'];

  test('the main config loses its Upgrade line on disk (closed): conf.d/live.conf reports it, then clears', async () => {
    const live = await openInEditor(LIVE);
    await waitForCodes(live.uri, healthy);

    const restore = rewriteOnDisk(workspaceUri(MAIN), (text) =>
      text.replace('    proxy_set_header Upgrade $http_upgrade;\n', ''),
    );
    try {
      const diagnostics = await waitForCodes(live.uri, ['ws-missing-upgrade', ...healthy]);
      // Still inherits Connection "upgrade", so /ws/ certainly carries WebSockets: an error.
      assert.deepEqual(
        sortedSummaries(diagnostics).filter((summary) => summary.code === 'ws-missing-upgrade'),
        expectedSummaries([{ code: 'ws-missing-upgrade', severity: 'error', range: rangeOf(live, 'location /ws/') }]),
      );
    } finally {
      restore();
    }
    await waitForCodes(live.uri, healthy);
  });

  test('the included snippet loses its Connection line on disk (closed): /chat/ reports the dropped header', async () => {
    const live = await openInEditor(LIVE);
    await waitForCodes(live.uri, healthy);

    const snippet = workspaceUri(SNIPPET);
    const restore = rewriteOnDisk(snippet, (text) => text.replace('proxy_set_header Connection "upgrade";\n', ''));
    try {
      const diagnostics = await waitForCodes(live.uri, ['ws-dropped-headers', ...healthy]);
      const dropped = diagnostics.find((diagnostic) => codeOf(diagnostic) === 'ws-dropped-headers');
      assert.ok(dropped);
      assert.equal(SEVERITY_NAMES[dropped.severity], 'error');
      // Shown on the location (the line at fault is in another file), pointing to that file and
      // to the main config's Connection line that no longer reaches the backend.
      assert.deepEqual(dropped.range, rangeOf(live, 'location /chat/'));
      const relatedFiles = (dropped.relatedInformation ?? []).map((entry) =>
        vscode.workspace.asRelativePath(entry.location.uri),
      );
      assert.ok(
        relatedFiles.includes(SNIPPET),
        `related information points to the snippet: ${JSON.stringify(relatedFiles)}`,
      );
      assert.ok(
        (dropped.relatedInformation ?? []).some(
          (entry) =>
            entry.message === 'dropped: Connection' && vscode.workspace.asRelativePath(entry.location.uri) === MAIN,
        ),
        'related information points to the dropped Connection line in nginx.conf',
      );
    } finally {
      restore();
    }
    await waitForCodes(live.uri, healthy);
  });

  test('the main config loses proxy_http_version in an unsaved edit: both locations report it, then clear', async () => {
    const live = await openInEditor(LIVE);
    await waitForCodes(live.uri, healthy);

    const main = await vscode.workspace.openTextDocument(workspaceUri(MAIN));
    const removed = lineRange(main, 'proxy_http_version 1.1;');
    const removedText = main.getText(removed);
    const remove = new vscode.WorkspaceEdit();
    remove.delete(main.uri, removed);
    await applyEdit(remove, 'deleting proxy_http_version from nginx.conf');
    assert.equal(main.isDirty, true, 'the change is only in the editor buffer');

    // The pinned nginx 1.22.1 speaks HTTP/1.0 upstream unless told otherwise.
    const diagnostics = await waitForCodes(live.uri, ['ws-http-version', 'ws-http-version', ...healthy]);
    assert.deepEqual(
      sortedSummaries(diagnostics).filter((summary) => summary.code === 'ws-http-version'),
      expectedSummaries([
        { code: 'ws-http-version', severity: 'error', range: rangeOf(live, 'location /ws/') },
        { code: 'ws-http-version', severity: 'error', range: rangeOf(live, 'location /chat/') },
      ]),
    );

    const putBack = new vscode.WorkspaceEdit();
    putBack.insert(main.uri, removed.start, removedText);
    await applyEdit(putBack, 'putting proxy_http_version back');
    await waitForCodes(live.uri, healthy);
    // Same text as on disk again: saving leaves nothing dirty for the tests after this one.
    assert.equal(await main.save(), true);
  });
});
