// Format Document through the real language server (issue #12, formatting only so far): the
// editor's tab settings decide the indentation, what nginx parses is unchanged, a file with a
// syntax error is left alone, and nginxWs.formatEnable turns it off for users of another formatter.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { DocumentFormattingRequest, type TextEdit } from 'vscode-languageserver-protocol/node';
import { applyTextEdits, startServer, type LspClient } from '../helpers/lsp';

const MESSY =
  'http {\nserver {\n  listen 80;   server_name  example.com;\nlocation /ws/ {\nproxy_pass http://127.0.0.1:9000;  # the app\n}\n}\n}\n';

async function format(client: LspClient, uri: string, tabSize: number, insertSpaces: boolean): Promise<TextEdit[]> {
  return (
    (await client.request(
      client.connection.sendRequest(DocumentFormattingRequest.type, {
        textDocument: { uri },
        options: { tabSize, insertSpaces },
      }),
      'textDocument/formatting',
    )) ?? []
  );
}

test('Format Document: indentation from the editor, one statement per line, comments kept; off by setting', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'nginx-ws-format-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const client = await startServer({ workspaceFolders: [dir], settings: { nginxVersion: '1.22.1' } });
  t.after(() => client.dispose());
  const uri = await client.open(path.join(dir, 'nginx.conf'), MESSY);
  const formatted = applyTextEdits(MESSY, await format(client, uri, 4, true));
  assert.equal(
    formatted,
    'http {\n    server {\n        listen 80;\n        server_name example.com;\n        location /ws/ {\n            proxy_pass http://127.0.0.1:9000; # the app\n        }\n    }\n}\n',
  );
  const tabs = applyTextEdits(MESSY, await format(client, uri, 4, false));
  assert.match(tabs, /^\t\tlisten 80;$/m);

  const broken = await client.open(path.join(dir, 'broken.conf'), 'server {\n  listen 80\n');
  assert.deepEqual(await format(client, broken, 4, true), [], 'a file nginx refuses is left as it is');

  const off = await startServer({ workspaceFolders: [dir], settings: { nginxVersion: '1.22.1', formatEnable: false } });
  t.after(() => off.dispose());
  const offUri = await off.open(path.join(dir, 'nginx.conf'), MESSY);
  assert.deepEqual(await format(off, offUri, 4, true), []);
});
