import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CodeAction,
  CodeActionKind,
  DiagnosticSeverity,
  type Diagnostic,
  type DiagnosticRelatedInformation,
  type TextEdit as LspTextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import type { ParseError } from '../core/parser/ast';
import type { TextEdit } from '../core/fixes/edits';
import type { CodeFix } from '../core/fixes/fixes';
import type { ConfigNode } from '../core/model/tree';
import { samePath } from '../core/model/workspace';
import { ruleDocPath } from '../core/rules/registry';
import type { Diagnosis, Severity } from '../core/rules/types';

export const SOURCE = 'nginx-ws';
export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.${SOURCE}`;

export function uriOf(file: string): string {
  return pathToFileURL(file).toString();
}

const SEVERITIES: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** What a diagnostic carries for its quick fixes: enough to find the finding again in fresh text. */
export interface DiagnosticData {
  readonly code: string;
  readonly line: number;
}

/** The rule pages ship inside the extension (`docs/rules`), next to the bundled server (`server/out`). */
export function ruleDocUri(code: string, extensionRoot: string): string {
  // Asked for each of the hundreds of diagnostics a big config publishes on every edit.
  const key = `${extensionRoot}\n${code}`;
  let uri = docUris.get(key);
  if (uri === undefined) docUris.set(key, (uri = uriOf(path.join(extensionRoot, ruleDocPath(code)))));
  return uri;
}

const docUris = new Map<string, string>();

export function findingToDiagnostic(finding: Diagnosis, extensionRoot: string, pathOf = samePath): Diagnostic {
  const relatedInformation: DiagnosticRelatedInformation[] = finding.related.map((related) => ({
    location: { uri: uriOf(pathOf(related.file)), range: related.range },
    message: related.message,
  }));
  const data: DiagnosticData = { code: finding.code, line: finding.range.start.line };
  return {
    range: finding.range,
    severity: SEVERITIES[finding.severity],
    source: SOURCE,
    code: finding.code,
    codeDescription: { href: ruleDocUri(finding.code, extensionRoot) },
    message: finding.message,
    relatedInformation: relatedInformation.length ? relatedInformation : undefined,
    data,
  };
}

export function parseErrorToDiagnostic(error: ParseError): Diagnostic {
  return {
    range: error.range,
    severity: DiagnosticSeverity.Error,
    source: SOURCE,
    code: error.code,
    message: error.message,
  };
}

export function includeProblemToDiagnostic(node: ConfigNode, message: string): Diagnostic {
  const argument = node.directive.args[0];
  return {
    range: argument?.range ?? node.directive.range,
    severity: DiagnosticSeverity.Information,
    source: SOURCE,
    code: 'include-unreadable',
    message: `${message} nginx-ws analyses the rest without it.`,
  };
}

export function toWorkspaceEdit(edits: readonly TextEdit[], pathOf = samePath): WorkspaceEdit {
  const changes: Record<string, LspTextEdit[]> = {};
  for (const edit of edits)
    (changes[uriOf(pathOf(edit.file))] ??= []).push({ range: edit.range, newText: edit.newText });
  return { changes };
}

export function fixToCodeAction(
  fix: CodeFix,
  diagnostics: Diagnostic[],
  kind: string = CodeActionKind.QuickFix,
  pathOf = samePath,
): CodeAction {
  const action = CodeAction.create(fix.title, toWorkspaceEdit(fix.edits, pathOf), kind);
  action.diagnostics = diagnostics;
  if (fix.isPreferred) action.isPreferred = true;
  return action;
}
