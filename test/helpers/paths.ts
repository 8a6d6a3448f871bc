// Where the tests find their data: the project's fixtures, and the shared corpus of other people's
// configs that lives beside the repository (never inside it: those files keep their own licences).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const fixturesDir = path.join(repoRoot, 'test', 'fixtures');

export function fixturePath(...parts: string[]): string {
  return path.join(fixturesDir, ...parts);
}

/** `../shared/corpus` relative to the repository root. */
export const corpusDir = path.join(path.dirname(repoRoot), 'shared', 'corpus');

/** Why corpus tests are skipped, or undefined when the corpus is there. */
export function corpusSkipReason(): string | undefined {
  return existsSync(corpusDir)
    ? undefined
    : `the shared corpus is not at ${corpusDir} (it sits beside the repository in CI); corpus tests skipped`;
}

/** The `*.conf` files of a directory, sorted by name (no recursion). */
export function confFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.conf'))
    .sort()
    .map((name) => path.join(dir, name));
}

/** Every `*.conf` under a directory, recursively, sorted. */
export function confFilesDeep(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.conf'))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

export interface SyntaxErrorExpectation {
  readonly code: string;
  /** 1-based, as nginx prints it. */
  readonly nginxLine: number;
}

/**
 * Reads the expectation an error fixture states on its first line:
 * `# expect: <error code>, nginx line <N>` (N is 1-based, as nginx -t prints it).
 */
export function readSyntaxErrorExpectation(file: string): SyntaxErrorExpectation {
  const firstLine = readFileSync(file, 'utf8').split(/\r?\n/, 1)[0] ?? '';
  const match = /^# expect: ([a-z-]+), nginx line (\d+)\s*$/.exec(firstLine);
  if (!match)
    throw new Error(
      `${file}: the first line must be "# expect: <code>, nginx line <N>", found ${JSON.stringify(firstLine)}`,
    );
  return { code: match[1] as string, nginxLine: Number(match[2]) };
}
