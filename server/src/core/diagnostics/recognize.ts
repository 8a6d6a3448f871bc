/**
 * Whether a file found by its name (`*.conf`, a `sites-available/` file) is nginx configuration at
 * all: a repository's `redis.conf`, `supervisord.conf` or Apache's `sites-available/*.conf` are
 * not, and checked as nginx they are all errors. Generous to nginx, since a real config left out
 * is a config left unchecked: a file is nginx unless fewer than half of its top-level statements
 * are nginx directives ended by `;` or a block. Another format gives statements nginx's lexer cuts
 * at odd places (an INI file's `;` comments, a file with no `;` at all is one statement running to
 * its end), and their first words are not directives.
 */
import { directiveReference } from '../directives/reference';
import type { FileAnalysis } from '../model/workspace';
import type { ParsedFile } from '../parser/ast';
import { Field, type ParsedFileImpl } from '../parser/records';
import { isThirdParty } from './thirdParty';

/** Names no other format is read under: the file is nginx whatever it holds. */
export function isNginxByName(relative: string): boolean {
  const parts = relative.split(/[\\/]/);
  const name = parts[parts.length - 1] ?? '';
  return name === 'nginx.conf' || /\.(nginx|nginxconf)$/.test(name) || parts.slice(0, -1).includes('nginx');
}

/** Read from the parse's records, not its objects: the editor asks it of every analysis of a file. */
export function looksLikeNginx(parsed: ParsedFile, extraDirectives: ReadonlySet<string> = new Set()): boolean {
  const syntax = (parsed as ParsedFileImpl).syntax;
  const reference = directiveReference();
  let statements = 0;
  let directives = 0;
  for (let index = syntax.firstChild(-1); index >= 0; index = syntax.nextSibling(index)) {
    statements++;
    const ended = syntax.get(index, Field.Semicolon) >= 0 || syntax.hasBlock(index);
    const name = syntax.name(index);
    if (ended && (reference.has(name) || isThirdParty(name, extraDirectives))) directives++;
  }
  // Nothing but comments (or nothing): no finding either way.
  return statements === 0 || 2 * directives >= statements;
}

/**
 * Whether an analysed file is to be checked as nginx: one an nginx.conf includes is, whatever it
 * holds (a file of map entries); else its path or its content says. `nginx-ws check` and the editor
 * both ask this.
 */
export function readsAsNginx(analysis: FileAnalysis, extraDirectives?: ReadonlySet<string>): boolean {
  return (
    analysis.mainConfig !== undefined ||
    isNginxByName(analysis.file) ||
    looksLikeNginx(analysis.parsed, extraDirectives)
  );
}
