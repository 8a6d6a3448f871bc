// Opening a config shows nginx-ws's findings where a person looks for them: the right codes, on
// the right ranges, with the right severities, from source "nginx-ws", each linking to a rule
// page that ships with the extension.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { codeOf, expectedSummaries, openInEditor, rangeOf, SOURCE, sortedSummaries, waitForCodes } from './workspace';

suite('Diagnostics', () => {
  test('conf.d/app.conf: the broken /ws/ gets three warnings and a note, on its header; / and /live/ws get none', async () => {
    const document = await openInEditor('conf.d/app.conf');
    const diagnostics = await waitForCodes(document.uri, [
      'ws-http-version',
      'ws-missing-upgrade',
      'ws-missing-connection',
      'ws-read-timeout',
    ]);

    // The path is "a usual WebSocket endpoint" (named evidence): failures are warnings.
    const header = rangeOf(document, 'location /ws/');
    assert.deepEqual(
      sortedSummaries(diagnostics),
      expectedSummaries([
        { code: 'ws-http-version', severity: 'warning', range: header },
        { code: 'ws-missing-upgrade', severity: 'warning', range: header },
        { code: 'ws-missing-connection', severity: 'warning', range: header },
        { code: 'ws-read-timeout', severity: 'information', range: header },
      ]),
    );

    for (const diagnostic of diagnostics) {
      assert.equal(diagnostic.source, SOURCE);
      const code = diagnostic.code;
      assert.ok(typeof code === 'object', `${codeOf(diagnostic)} links to its rule page (codeDescription)`);
      assert.match(code.target.path, new RegExp(`/docs/rules/${codeOf(diagnostic)}\\.md$`));
      // The link points into the extension as installed: the page must be there.
      await vscode.workspace.fs.stat(code.target);
    }
    const message = (code: string): string =>
      diagnostics.find((diagnostic) => codeOf(diagnostic) === code)?.message ?? '';
    // The nginxVersion pinned in .vscode/settings.json is the one the message names.
    assert.match(message('ws-http-version'), /nginx 1\.22\.1 speaks HTTP\/1\.0/);
    assert.match(message('ws-missing-upgrade'), /proxy_set_header Upgrade \$http_upgrade;/);
  });

  test('conf.d/chat.conf: a location that sets Upgrade but not Connection gets an error', async () => {
    const document = await openInEditor('conf.d/chat.conf');
    const diagnostics = await waitForCodes(document.uri, ['ws-missing-connection']);
    // Setting Upgrade shows it carries WebSockets ("configured" evidence): an error, not a warning.
    assert.deepEqual(
      sortedSummaries(diagnostics),
      expectedSummaries([
        { code: 'ws-missing-connection', severity: 'error', range: rangeOf(document, 'location /socket.io/') },
      ]),
    );
  });

  test('fix-all/conf.d/sites.conf: each way of breaking a location is reported on the line at fault', async () => {
    const document = await openInEditor('fix-all/conf.d/sites.conf');
    const diagnostics = await waitForCodes(document.uri, [
      'ws-dropped-headers',
      'ws-http-version',
      'ws-missing-upgrade',
      'ws-missing-connection',
      'ws-http-version',
      'ws-connection-not-upgrade',
      'ws-undefined-variable',
      'ws-swapped-headers',
      'ws-undefined-variable',
    ]);
    const socketIo = rangeOf(document, 'location /socket.io/');
    assert.deepEqual(
      sortedSummaries(diagnostics),
      expectedSummaries([
        // The location's own Host line stops the server's Upgrade/Connection lines from being inherited.
        {
          code: 'ws-dropped-headers',
          severity: 'error',
          range: rangeOf(document, 'proxy_set_header Host $host;', 'location /ws'),
        },
        { code: 'ws-http-version', severity: 'warning', range: socketIo },
        { code: 'ws-missing-upgrade', severity: 'warning', range: socketIo },
        { code: 'ws-missing-connection', severity: 'warning', range: socketIo },
        { code: 'ws-http-version', severity: 'error', range: rangeOf(document, 'proxy_http_version 1.0;') },
        { code: 'ws-connection-not-upgrade', severity: 'error', range: rangeOf(document, '""') },
        // $connection_upgrade is defined by no map: nginx -t would fail on each use.
        {
          code: 'ws-undefined-variable',
          severity: 'error',
          range: rangeOf(document, '$connection_upgrade', 'location /chat/ws'),
        },
        {
          code: 'ws-swapped-headers',
          severity: 'error',
          range: rangeOf(document, '$connection_upgrade', 'location /feed/ws'),
        },
        {
          code: 'ws-undefined-variable',
          severity: 'error',
          range: rangeOf(document, '$connection_upgrade', 'location /feed/ws'),
        },
      ]),
    );

    const dropped = diagnostics.find((diagnostic) => codeOf(diagnostic) === 'ws-dropped-headers');
    assert.deepEqual(
      (dropped?.relatedInformation ?? []).map((entry) => [entry.message, entry.location.range.start.line]),
      [
        [
          'this line stops the inheritance',
          rangeOf(document, 'proxy_set_header Host $host;', 'location /ws').start.line,
        ],
        ['dropped: X-Forwarded-For', rangeOf(document, 'proxy_set_header X-Forwarded-For').start.line],
        ['dropped: Upgrade', rangeOf(document, 'proxy_set_header Upgrade', 'listen 8080;').start.line],
        ['dropped: Connection', rangeOf(document, 'proxy_set_header Connection', 'listen 8080;').start.line],
      ],
    );
  });
});
