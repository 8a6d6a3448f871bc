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
  /** The lines the finding rests on (inherited, dropped, the map entry). */
  readonly related?: readonly CliRelated[];
  /** The preferred quick fix, as edits. */
  readonly fix?: { readonly description: string; readonly edits: readonly CliEdit[] };
}

export interface CliRelated {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly message: string;
}

/** 1-based, end exclusive, like the finding's own range. */
export interface CliEdit {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly newText: string;
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
    const shown = shownPath(finding.file, cwd);
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

/** Shown relative to `cwd` when inside it, else absolute. */
export function shownPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/** GitHub's escaping of workflow-command data (docs: "Workflow commands for GitHub Actions"). */
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Property values also escape `:` and `,`. */
function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

const GITHUB_COMMAND: Record<Severity, string> = {
  error: 'error',
  warning: 'warning',
  information: 'notice',
  hint: 'notice',
};

/** One `::error file=…,line=…::message` workflow command per finding: annotations on a pull request. */
export function formatFindingsGithub(findings: readonly CliFinding[], cwd: string): string {
  return findings
    .map((finding) => {
      const properties = [
        `file=${escapeProperty(shownPath(finding.file, cwd))}`,
        `line=${finding.line}`,
        `col=${finding.column}`,
        `endLine=${finding.endLine}`,
        `endColumn=${finding.endColumn}`,
        `title=${escapeProperty(`nginx-ws ${finding.code}`)}`,
      ].join(',');
      return `::${GITHUB_COMMAND[finding.severity]} ${properties}::${escapeData(finding.message)}`;
    })
    .join('\n');
}
