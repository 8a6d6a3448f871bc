import * as path from 'node:path';
import type { ParseError } from '../core/parser/ast';
import type { Severity } from '../core/rules/types';

/** A finding as the CLI prints it: 1-based lines and columns, as compilers print them. */
export interface CliFinding {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly severity: Severity;
  readonly code: string;
  readonly message: string;
}

export function parseErrorsAsFindings(file: string, errors: readonly ParseError[]): CliFinding[] {
  return errors.map((error) => ({
    file,
    line: error.range.start.line + 1,
    column: error.range.start.character + 1,
    endLine: error.range.end.line + 1,
    endColumn: error.range.end.character + 1,
    severity: 'error',
    code: error.code,
    message: error.message,
  }));
}

/** `file:line:col: severity: message [code]`, one per line, paths relative to `cwd` when inside it. */
export function formatFindingsText(findings: readonly CliFinding[], cwd: string): string {
  if (!findings.length) return 'No problems found.';
  const lines = findings.map((finding) => {
    const relative = path.relative(cwd, finding.file);
    const shown = relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : finding.file;
    return `${shown}:${finding.line}:${finding.column}: ${finding.severity}: ${finding.message} [${finding.code}]`;
  });
  const count = (severity: Severity): number => findings.filter((finding) => finding.severity === severity).length;
  lines.push(
    `${count('error')} error(s), ${count('warning')} warning(s), ${count('information') + count('hint')} note(s).`,
  );
  return lines.join('\n');
}

export function formatFindingsJson(findings: readonly CliFinding[]): string {
  return JSON.stringify(
    findings.map((finding) => ({ source: 'nginx-ws', ...finding })),
    null,
    2,
  );
}
