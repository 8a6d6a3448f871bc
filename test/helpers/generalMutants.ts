// Mutants of the shared corpus for the general diagnostics (issue #12), shared by the mutation test
// (test/unit/general-mutations.test.ts) and its check on the real nginx
// (test/nginx/general-corpus-nginx.test.ts): a letter dropped from a directive name, `server_name`
// put inside a location, a second argument given to a directive that takes exactly one.
import * as path from 'node:path';
import { generalFindings } from '../../server/src/core/diagnostics/general';
import { MORE_ARGUMENTS_ACCEPTED } from '../../server/src/core/diagnostics/measured.generated';
import { isThirdParty } from '../../server/src/core/diagnostics/thirdParty';
import { directiveReference } from '../../server/src/core/directives/reference';
import type { Directive } from '../../server/src/core/parser/ast';
import type { Diagnosis } from '../../server/src/core/rules/types';
import { parseNginxVersion } from '../../server/src/core/rules/version';
import { analyzeCorpusFile } from './mutants';
import { corpusDir } from './paths';

const VERSION = parseNginxVersion('1.22.1');
/** Mutants of each kind per file, spread over it: enough to cover every file's shapes, quick to run. */
const PER_FILE = 4;

export type Kind = 'letter dropped' | 'server_name in a location' | 'second argument';
export const EXPECTED: Record<Kind, string> = {
  'letter dropped': 'nginx-unknown-directive',
  'server_name in a location': 'nginx-context',
  'second argument': 'nginx-args',
};

export interface Mutant {
  readonly kind: Kind;
  readonly file: string;
  /** 1-based line the finding must be on. */
  readonly line: number;
  readonly text: string;
  readonly what: string;
  /** For a dropped letter: the name nginx's message points back to. */
  readonly original?: string;
}

/** The general findings of a corpus file (or of a mutated text of it), in that file. */
export function findings(name: string, text?: string): Diagnosis[] {
  const analysis = analyzeCorpusFile(
    name,
    text === undefined ? new Map() : new Map([[path.join(corpusDir, name), text]]),
  );
  return generalFindings(analysis, { nginxVersion: VERSION, extraDirectives: [], severity: {} }).filter(
    (finding) => finding.file === analysis.file,
  );
}

export const severe = (finding: Diagnosis): boolean => finding.severity === 'error' || finding.severity === 'warning';

/** Directives nginx reads as such: not inside map/types/…, Lua, or third-party blocks. */
function directivesOf(list: readonly Directive[], out: Directive[] = []): Directive[] {
  for (const directive of list) {
    const known = directiveReference().has(directive.name);
    if (!known) continue;
    out.push(directive);
    const block = directive.block;
    if (
      block &&
      !block.rawBody &&
      !['map', 'types', 'geo', 'split_clients', 'match', 'charset_map'].includes(directive.name)
    )
      directivesOf(block.children, out);
  }
  return out;
}

function spread<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  const step = items.length / count;
  return Array.from({ length: count }, (_, i) => items[Math.floor(i * step)] as T);
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

export function mutantsOf(name: string): Mutant[] {
  const analysis = analyzeCorpusFile(name);
  const text = analysis.parsed.text;
  const clean = new Set(findings(name).map((finding) => finding.range.start.line + 1));
  const candidates = directivesOf(analysis.parsed.directives).filter(
    (d) => !clean.has(d.range.start.line + 1) && !d.name.includes('$'),
  );
  const mutants: Mutant[] = [];
  // One letter dropped from the middle of the name, where the result is no other directive.
  for (const d of spread(
    candidates.filter((c) => c.name.length >= 5),
    PER_FILE,
  )) {
    const at = Math.floor(d.name.length / 2);
    const typo = d.name.slice(0, at) + d.name.slice(at + 1);
    if (directiveReference().has(typo) || isThirdParty(typo)) continue;
    const offset = d.nameWord.offset;
    mutants.push({
      kind: 'letter dropped',
      file: name,
      line: d.range.start.line + 1,
      text: text.slice(0, offset + at) + text.slice(offset + at + 1),
      what: `${d.name} → ${typo}`,
      original: d.name,
    });
  }
  // `server_name x;` as the first line of a location block.
  for (const d of spread(
    candidates.filter((c) => c.name === 'location' && c.block && c.block.closeOffset > 0),
    PER_FILE,
  )) {
    const open = (d.block as { openOffset: number }).openOffset + 1;
    mutants.push({
      kind: 'server_name in a location',
      file: name,
      line: lineOf(text, open) + 1,
      text: `${text.slice(0, open)}\nserver_name mutant.example.test;${text.slice(open)}`,
      what: `server_name in location at line ${d.range.start.line + 1}`,
    });
  }
  // A second argument to a directive that takes exactly one.
  const oneArgument = candidates.filter((c) => {
    const info = directiveReference().directive(c.name);
    return (
      !c.block &&
      c.argCount === 1 &&
      c.semicolonOffset > 0 &&
      !MORE_ARGUMENTS_ACCEPTED.has(c.name) &&
      directiveReference()
        .directives(c.name)
        .every((entry) => entry.args.min === 1 && entry.args.max === 1) &&
      info !== undefined
    );
  });
  for (const d of spread(oneArgument, PER_FILE)) {
    mutants.push({
      kind: 'second argument',
      file: name,
      line: lineOf(text, d.semicolonOffset),
      text: `${text.slice(0, d.semicolonOffset)} mutant${text.slice(d.semicolonOffset)}`,
      what: `${d.name} ${d.argValue(0) ?? ''} mutant`,
    });
  }
  return mutants;
}
