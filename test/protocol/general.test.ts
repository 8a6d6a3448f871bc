// General diagnostics over the real language server (issue #12): what nginx -t rejects appears
// while typing, with nginx's wording and exact ranges, and the typo's quick fix "Change to
// proxy_pass" replaces the name; nginxWs.extraDirectives silences a module's directive.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { applyWorkspaceEdit, codesOf, startServer } from '../helpers/lsp';

const TEXT = `events {}
http {
    server {
        listen 8080;
        location /api/ {
            proxy_pas http://127.0.0.1:9000;
            listen 8081;
            proxy_read_timeout 30s 40s;
            my_module_knob on;
        }
    }
}
`;

test('general diagnostics while typing, the typo quick fix, and nginxWs.extraDirectives', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'nginx-ws-general-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const client = await startServer({ workspaceFolders: [dir], settings: { nginxVersion: '1.22.1' } });
  t.after(() => client.dispose());
  const file = path.join(dir, 'nginx.conf');
  const uri = await client.open(file, TEXT);
  const published = await client.waitForDiagnostics(uri, (diagnostics) => diagnostics.length >= 4);
  const summary = published.diagnostics.map(
    (d) =>
      `${String(d.code)} ${d.severity} ${d.range.start.line}:${d.range.start.character}-${d.range.end.character} ${d.message}`,
  );
  assert.deepEqual(summary, [
    'nginx-unknown-directive 1 5:12-21 unknown directive "proxy_pas": did you mean "proxy_pass"?',
    'nginx-context 1 6:12-18 "listen" directive is not allowed here',
    'nginx-args 1 7:35-38 invalid number of arguments in "proxy_read_timeout" directive',
    `nginx-unknown-directive 3 8:12-26 unknown directive "my_module_knob": not in nginx's documentation nor a known third-party module. If a module of yours provides it, add it to nginxWs.extraDirectives.`,
  ]);
  const typo = published.diagnostics[0];
  assert.ok(typo);
  assert.match(typo.codeDescription?.href ?? '', /docs\/rules\/nginx-unknown-directive\.md$/);

  const actions = await client.codeActions(uri, typo.range, { diagnostics: [typo] });
  const change = actions.find((action) => action.title === 'Change to proxy_pass');
  assert.ok(change, `actions: ${actions.map((a) => a.title).join(', ')}`);
  assert.equal(change.isPreferred, true);
  const fixed = applyWorkspaceEdit(new Map([[uri, TEXT]]), change.edit ?? {}).get(uri) ?? '';
  assert.match(fixed, /^ {12}proxy_pass http:\/\/127\.0\.0\.1:9000;$/m);

  await client.replaceText(uri, fixed);
  // The typo is gone; the unknown module directive is still there, as information.
  await client.waitForDiagnostics(
    uri,
    (diagnostics) => diagnostics.length === 3 && !diagnostics.some((d) => String(d.message).includes('proxy_pas"')),
  );
  await client.updateSettings({ nginxVersion: '1.22.1', extraDirectives: ['my_module_knob'] });
  const after = await client.waitForDiagnostics(uri, (diagnostics) => diagnostics.length === 2);
  assert.deepEqual(codesOf(after.diagnostics), ['nginx-context', 'nginx-args']);
});
