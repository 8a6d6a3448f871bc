/**
 * The VS Code side of nginx-ws: starts the language server (diagnostics, quick fixes, CodeLens)
 * and contributes the "Test WebSocket proxy" commands, which run in this process so that
 * cancelling them ends their processes here.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { testProxyCommand, testRunningServerCommand } from './commands/testProxy';
import { isExtensionlessNginxFile } from './languageDetection';

let client: LanguageClient | undefined;

export interface NginxWsApi {
  /** The running language client (for tests). */
  readonly client: LanguageClient | undefined;
}

export async function activate(context: vscode.ExtensionContext): Promise<NginxWsApi> {
  const output = vscode.window.createOutputChannel('nginx WebSocket', { log: true });
  context.subscriptions.push(output);
  const started = Date.now();

  const serverModule = context.asAbsolutePath(path.join('server', 'out', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: {
      module: serverModule,
      transport: TransportKind.ipc,
      options: { execArgv: ['--nolazy', '--inspect=6019'] },
    },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { language: 'nginx', scheme: 'file' },
      { language: 'nginx', scheme: 'untitled' },
    ],
    outputChannel: output,
    initializationOptions: { debounceMs: 75 },
  };
  client = new LanguageClient('nginxWs', 'nginx WebSocket', serverOptions, clientOptions);

  context.subscriptions.push(
    vscode.commands.registerCommand('nginxWs.testProxy', (uri?: string | vscode.Uri, line?: number) =>
      testProxyCommand(output, uri, line),
    ),
    vscode.commands.registerCommand('nginxWs.testRunningServer', (url?: string) =>
      testRunningServerCommand(output, url),
    ),
    vscode.commands.registerCommand('nginxWs.showOutput', () => output.show(true)),
  );

  // Extension-less files under nginx folders open as plain text: give them the nginx language. (The
  // extension stays lazy, activated by the first nginx file, so this applies from then on.)
  const detect = (document: vscode.TextDocument): void => {
    if (
      document.languageId === 'plaintext' &&
      document.uri.scheme === 'file' &&
      isExtensionlessNginxFile(document.uri.fsPath)
    ) {
      void vscode.languages.setTextDocumentLanguage(document, 'nginx');
    }
  };
  vscode.workspace.textDocuments.forEach(detect);
  context.subscriptions.push(vscode.workspace.onDidOpenTextDocument(detect));

  try {
    await client.start();
    output.info(`nginx-ws language server started in ${Date.now() - started} ms.`);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    output.error(`The language server failed to start: ${message}`);
    void vscode.window
      .showErrorMessage(
        `nginx-ws: the language server could not start (${message}). Diagnostics are off.`,
        'Show Output',
      )
      .then((choice) => {
        if (choice) output.show(true);
      });
  }
  return { client };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
