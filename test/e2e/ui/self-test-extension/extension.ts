// A stand-in for nginx-ws, packaged only by the UI harness self-test (run.ts --ui-self-test) to
// prove the harness end to end while the real client and language server are being written: it
// gives the harness a squiggle, a Problems entry, a quick fix and a palette command to find.
// It is NOT the extension's behaviour and is never shipped.
import * as vscode from 'vscode';

const SOURCE = 'nginx-ws self-test';
const WEBSOCKET_LOCATION = /^(\s*)location\s+(\S*ws\S*)\s*\{/;

/** Whether the block opened on `line` (up to the first `}`) sets the Upgrade header. */
function blockForwardsUpgrade(document: vscode.TextDocument, line: number): boolean {
  for (let next = line + 1; next < document.lineCount; next++) {
    const text = document.lineAt(next).text;
    if (/proxy_set_header\s+Upgrade\b/i.test(text)) return true;
    if (text.includes('}')) return false;
  }
  return false;
}

function check(document: vscode.TextDocument): vscode.Diagnostic[] {
  const diagnostics: vscode.Diagnostic[] = [];
  for (let line = 0; line < document.lineCount; line++) {
    const match = WEBSOCKET_LOCATION.exec(document.lineAt(line).text);
    if (!match || blockForwardsUpgrade(document, line)) continue;
    const start = (match[1] ?? '').length;
    const range = new vscode.Range(line, start, line, start + match[0].trimStart().length - 1);
    const diagnostic = new vscode.Diagnostic(
      range,
      `location ${match[2] ?? ''} looks like a WebSocket endpoint but does not forward the Upgrade headers (self-test stand-in)`,
      vscode.DiagnosticSeverity.Warning,
    );
    diagnostic.source = SOURCE;
    diagnostic.code = 'self-test-missing-upgrade';
    diagnostics.push(diagnostic);
  }
  return diagnostics;
}

export function activate(context: vscode.ExtensionContext): void {
  const collection = vscode.languages.createDiagnosticCollection(SOURCE);
  const refresh = (document: vscode.TextDocument): void => {
    if (document.languageId === 'nginx') collection.set(document.uri, check(document));
  };
  vscode.workspace.textDocuments.forEach(refresh);
  context.subscriptions.push(
    collection,
    vscode.workspace.onDidOpenTextDocument(refresh),
    vscode.workspace.onDidChangeTextDocument((event) => refresh(event.document)),
    vscode.languages.registerCodeActionsProvider(
      'nginx',
      {
        provideCodeActions(document, _range, codeActionContext) {
          return codeActionContext.diagnostics
            .filter((diagnostic) => diagnostic.source === SOURCE)
            .map((diagnostic) => {
              const indent = ' '.repeat(diagnostic.range.start.character + 4);
              const action = new vscode.CodeAction(
                'Add WebSocket upgrade headers (self-test)',
                vscode.CodeActionKind.QuickFix,
              );
              action.diagnostics = [diagnostic];
              action.isPreferred = true;
              action.edit = new vscode.WorkspaceEdit();
              action.edit.insert(
                document.uri,
                new vscode.Position(diagnostic.range.start.line + 1, 0),
                `${indent}proxy_http_version 1.1;\n${indent}proxy_set_header Upgrade $http_upgrade;\n${indent}proxy_set_header Connection "upgrade";\n`,
              );
              return action;
            });
        },
      },
      { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
    ),
    vscode.commands.registerCommand('nginxWsSelfTest.hello', () =>
      vscode.window.showInformationMessage('nginx-ws UI harness self-test command ran'),
    ),
  );
}

export function deactivate(): void {}
