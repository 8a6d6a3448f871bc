// What an end-to-end run passed and failed, gathered from its parts (the extension-host suite,
// the UI walk of the packaged .vsix) into the plain summary that ends run.ts's output. Pure:
// unit-tested in test/unit/e2e-summary.test.ts.

/** Written by suite/index.ts next to itself when mocha ends: runTests reports only an exit code. */
export const SUITE_RESULTS_FILE = 'results.json';

/** Full titles of the suite's tests, each failure followed by ": " and its first message line. */
export interface SuiteResults {
  passed: string[];
  failed: string[];
}

/** One part of the run and what it counted. */
export interface PartResult {
  name: string;
  passed: string[];
  failed: string[];
}

function errorText(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
}

/**
 * The suite's part from its results file's content (undefined: never written) and how runTests
 * ended. A suite that died before mocha finished, or a VS Code that failed after a clean mocha
 * run, counts as a failure too: the exit code and the counts must agree.
 */
export function suitePart(results: SuiteResults | undefined, runError: unknown): PartResult {
  const part: PartResult = {
    name: 'extension-host suite',
    passed: [...(results?.passed ?? [])],
    failed: [...(results?.failed ?? [])],
  };
  if (!results) {
    part.failed.push(`the suite did not finish${runError === undefined ? '' : `: ${errorText(runError)}`}`);
  } else if (runError !== undefined && part.failed.length === 0) {
    part.failed.push(`VS Code failed after the tests: ${errorText(runError)}`);
  }
  return part;
}

/** Parses the results file, or undefined when it is missing or not what index.ts writes. */
export function parseSuiteResults(text: string | undefined): SuiteResults | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as Partial<SuiteResults>;
    if (!Array.isArray(value.passed) || !Array.isArray(value.failed)) return undefined;
    return { passed: value.passed.map(String), failed: value.failed.map(String) };
  } catch {
    return undefined;
  }
}

/** A part that is one test (the UI walk): passed, or failed with its error. */
export function singleTestPart(name: string, error: unknown): PartResult {
  return error === undefined
    ? { name, passed: [name], failed: [] }
    : { name, passed: [], failed: [`${name}: ${errorText(error)}`] };
}

/** The closing lines: each part's counts, every failure, and last `e2e: N passed, M failed`. */
export function formatSummary(parts: readonly PartResult[]): string[] {
  const lines: string[] = [];
  for (const part of parts) {
    lines.push(`${part.name}: ${part.passed.length} passed, ${part.failed.length} failed`);
    for (const failure of part.failed) lines.push(`  ✘ ${failure}`);
  }
  const passed = parts.reduce((sum, part) => sum + part.passed.length, 0);
  const failed = parts.reduce((sum, part) => sum + part.failed.length, 0);
  lines.push(`e2e: ${passed} passed, ${failed} failed`);
  return lines;
}

export function anyFailed(parts: readonly PartResult[]): boolean {
  return parts.some((part) => part.failed.length > 0);
}
