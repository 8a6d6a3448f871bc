/**
 * What hover and completion show for a directive or a variable: Markdown from nginx's own
 * documentation (`@nginx/reference-lib`), with the version notes pulled to the top where the
 * documentation has them ("Since 1.29.7, version 1.1 is used by default.").
 */
import type { DirectiveContext, DirectiveInfo, VariableInfo } from '../directives/reference';

const CONTEXT_NAMES: Record<DirectiveContext, string> = {
  main: 'main',
  events: 'events',
  http: 'http',
  server: 'server',
  location: 'location',
  'if-in-server': 'if in server',
  'if-in-location': 'if in location',
  limit_except: 'limit_except',
  upstream: 'upstream',
  stream: 'stream',
  'stream-server': 'stream server',
  'stream-upstream': 'stream upstream',
  mail: 'mail',
  'mail-server': 'mail server',
  other: 'other',
  any: 'any',
};

/** The documentation's syntax line as plain text: `*URL*` placeholders and backticks removed. */
export function plainSyntax(line: string): string {
  return line.replace(/[*`]/g, '').replace(/\\\|/g, '|');
}

/** Sentences of the description that say which nginx version changed or added something. */
export function versionNotes(description: string): string[] {
  const notes: string[] = [];
  for (const sentence of description.replace(/\n/g, ' ').split(/(?<=\.)\s+/)) {
    if (
      /\b(since|before|appeared in version|starting from version|prior to version)\b[^.]*\d+\.\d+\.\d+/i.test(sentence)
    )
      notes.push(sentence.trim());
  }
  return notes;
}

export function directiveMarkdown(info: DirectiveInfo): string {
  const syntax = info.syntax.map((line) => `${info.name} ${plainSyntax(line)}${info.isBlock ? ' { … }' : ';'}`);
  const contexts = info.contexts.map((context) => CONTEXT_NAMES[context]).join(', ');
  const lines = ['```nginx', ...syntax, '```'];
  const notes = versionNotes(info.description);
  if (notes.length) lines.push(`**Version:** ${notes.join(' ')}`, '');
  lines.push(
    `**Default:** ${info.defaultValue ? '`' + info.name + ' ' + info.defaultValue + ';`' : '—'}  `,
    `**Context:** ${contexts}  `,
    `**Module:** ${info.module}`,
    '',
    info.description,
    '',
    `[nginx.org: ${info.name}](${info.url})`,
  );
  return lines.join('\n');
}

export function variableMarkdown(name: string, info: VariableInfo): string {
  return [`**$${name}** (${info.module})`, '', info.description, '', `[nginx.org](${info.url})`].join('\n');
}
