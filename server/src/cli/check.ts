/**
 * `nginx-ws check`: files, directories, standard input or an `nginx -T` dump, in text, JSON,
 * SARIF or GitHub annotations; the exit code says whether a build should fail.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import picomatch from 'picomatch';
import { normalizeSettings } from '../core/config/settings';
import { applyEdits } from '../core/fixes/apply';
import type { TextEdit } from '../core/fixes/edits';
import { fixAllEdits, fixesFor } from '../core/fixes/fixes';
import type { ConfigFileSystem } from '../core/model/fileSystem';
import { ParseCache } from '../core/model/tree';
import {
  analysisAt,
  analyzeConfig,
  analyzeFile,
  NOT_CONFIG_FOLDERS,
  onAnalysedFile,
  type FileAnalysis,
} from '../core/model/workspace';
import type { Range } from '../core/parser/ast';
import { checkFile } from '../core/rules/check';
import { generalFindings } from '../core/diagnostics/general';
import { readsAsNginx } from '../core/diagnostics/recognize';
import type { Diagnosis } from '../core/rules/types';
import { parseNginxVersion, type NginxVersion } from '../core/rules/version';
import { CachingFileSystem, NodeFileSystem } from '../node/nodeFileSystem';
import { DumpFileSystem, parseConfigDump } from './dump';
import {
  formatFindingsGithub,
  formatFindingsJson,
  formatFindingsText,
  parseErrorsAsFindings,
  type CliFinding,
} from './format';
import type * as NginxVersionModule from './nginxVersion';
import type * as SarifModule from './sarif';

/*
 * Required where used: they load node:child_process and node:crypto, which a `check` with
 * --nginx-version and a text report never needs; loading them was a part of every run's start.
 */
const nginxVersionModule = (): typeof NginxVersionModule =>
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('./nginxVersion') as typeof NginxVersionModule;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sarifModule = (): typeof SarifModule => require('./sarif') as typeof SarifModule;

/** A command line nginx-ws cannot run (exit 2); `showUsage` false where the usage would not help (a missing file). */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly showUsage = true,
  ) {
    super(message);
  }
}

const FORMATS = ['text', 'json', 'sarif', 'github'] as const;
type Format = (typeof FORMATS)[number];

/**
 * Files a directory walk takes for nginx configuration by their names (as the extension's language
 * contribution); those no nginx.conf includes are then read to see that they are (see recognize.ts).
 */
export function isNginxFile(relative: string): boolean {
  const name = path.basename(relative);
  if (/\.(conf|nginx|nginxconf)$/.test(name) || name === 'nginx.conf') return true;
  const folders = relative.split(/[\\/]/).slice(0, -1);
  return folders.some((folder) => folder === 'sites-available' || folder === 'sites-enabled');
}

/** The nginx files under a directory, sorted, without those `exclude` (gitignore-style globs) names. */
export function nginxFilesUnder(dir: string, exclude: readonly string[]): string[] {
  const excluded = exclude.length ? picomatch(exclude.flatMap(gitignoreToGlob), { dot: true }) : () => false;
  const found: string[] = [];
  const walk = (folder: string): void => {
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(folder, entry.name);
      const relative = path.relative(dir, full).split(path.sep).join('/');
      if (excluded(relative) || excluded(`${relative}/`)) continue;
      if (entry.isDirectory()) {
        if (!NOT_CONFIG_FOLDERS.has(entry.name)) walk(full);
      } else if ((entry.isFile() || entry.isSymbolicLink()) && isNginxFile(relative)) found.push(full);
    }
  };
  walk(dir);
  return found;
}

/**
 * A `.gitignore` line as picomatch globs: a name without a slash matches at any depth; `dir/` a
 * folder. Two globs rather than one `{a,a/**}`: picomatch's braces around `**\/name` do not match
 * `name` at the top, so `--exclude flat.conf` left ./flat.conf in.
 */
export function gitignoreToGlob(pattern: string): string[] {
  let glob = pattern.trim();
  const anchored = glob.startsWith('/');
  if (anchored) glob = glob.slice(1);
  const folder = glob.endsWith('/');
  if (folder) glob = glob.slice(0, -1);
  if (!anchored && !glob.includes('/')) glob = `**/${glob}`;
  return folder ? [`${glob}/**`] : [glob, `${glob}/**`];
}

/** What to check: each file with its analysis, found once. */
interface Target {
  readonly file: string;
  readonly analysis: FileAnalysis | undefined;
}

function lineRange(range: Range) {
  return {
    line: range.start.line + 1,
    column: range.start.character + 1,
    endLine: range.end.line + 1,
    endColumn: range.end.character + 1,
  };
}

/** Findings, related lines and fixes at the path the file was named or found by (see onAnalysedFile). */
function toCliFinding(finding: Diagnosis, analysis: FileAnalysis, nginxVersion: NginxVersion | undefined): CliFinding {
  const preferred = fixesFor(finding, analysis, nginxVersion).find((fix) => fix.isPreferred);
  const onFile = onAnalysedFile(analysis);
  return {
    file: onFile(finding.file),
    ...lineRange(finding.range),
    severity: finding.severity,
    code: finding.code,
    message: finding.message,
    related: finding.related.map((related) => ({
      file: onFile(related.file),
      ...lineRange(related.range),
      message: related.message,
    })),
    ...(preferred
      ? {
          fix: {
            description: preferred.title,
            edits: preferred.edits.map((edit) => ({
              file: onFile(edit.file),
              ...lineRange(edit.range),
              newText: edit.newText,
            })),
          },
        }
      : {}),
  };
}

function writeFixes(fs: ConfigFileSystem, edits: readonly TextEdit[]): string[] {
  const byFile = new Map<string, TextEdit[]>();
  for (const edit of edits) byFile.set(edit.file, [...(byFile.get(edit.file) ?? []), edit]);
  const written: string[] = [];
  for (const [file, fileEdits] of byFile) {
    const text = fs.readFile(file);
    if (text === undefined) continue;
    writeFileSync(file, applyEdits(text, fileEdits));
    if (fs instanceof CachingFileSystem) fs.invalidate(file);
    written.push(file);
  }
  return written;
}

function readStdin(): string {
  try {
    return readFileSync(0, 'utf8');
  } catch {
    return '';
  }
}

export function runCheck(argv: string[], write: (text: string) => void, version: string): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'text' },
      'nginx-version': { type: 'string' },
      'main-config': { type: 'string' },
      fix: { type: 'boolean', default: false },
      'max-warnings': { type: 'string' },
      exclude: { type: 'string', multiple: true, default: [] },
      base: { type: 'string' },
      'extra-directive': { type: 'string', multiple: true, default: [] },
      'ignore-unknown': { type: 'boolean', default: false },
    },
  });
  if (!positionals.length) throw new UsageError('check needs at least one FILE, DIRECTORY or - (standard input).');
  const format = values.format as Format;
  if (!FORMATS.includes(format))
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not "${values.format}".`);
  let maxWarnings: number | undefined;
  if (values['max-warnings'] !== undefined) {
    maxWarnings = Number(values['max-warnings']);
    if (!/^\d+$/.test(values['max-warnings']))
      throw new UsageError(`--max-warnings must be a whole number, not "${values['max-warnings']}".`);
  }
  const cwd = process.cwd();
  const base = values.base ? path.resolve(values.base) : cwd;

  const stdinDump = positionals.includes('-') ? readStdin() : undefined;
  const dump = stdinDump !== undefined ? parseConfigDump(stdinDump) : undefined;
  if (values.fix && stdinDump !== undefined) throw new UsageError('--fix cannot write to standard input.');

  const versionText =
    values['nginx-version'] ??
    dump?.nginxVersion ??
    (dump ? undefined : nginxVersionModule().detectNginxVersionSync('nginx'));
  const nginxVersion = versionText ? parseNginxVersion(versionText) : undefined;
  if (values['nginx-version'] && !nginxVersion)
    throw new UsageError(`--nginx-version "${values['nginx-version']}" is not a version like 1.24.0.`);

  const settings = normalizeSettings({});
  const cache = new ParseCache();
  // Each file read once: naming a 4 MB file read it to see that it exists, and again to parse it.
  const disk = new CachingFileSystem();
  const results: CliFinding[] = [];
  const seen = new Set<string>();
  const targets: { fs: ConfigFileSystem; target: Target }[] = [];
  // One file reached by two paths (sites-enabled/app, a symlink to sites-available/app) is checked
  // once, under the first: the path its nginx.conf includes it by, where there is one.
  const add = (fs: ConfigFileSystem, target: Target): void => {
    const key = fs.canonical(target.file);
    if (seen.has(key)) return;
    seen.add(key);
    targets.push({ fs, target });
  };
  // Files taken by their names that do not read as nginx (a redis.conf in the folder): left out,
  // and said so. A file named on the command line is checked as nginx, unless --ignore-unknown.
  const extraDirectives = new Set(values['extra-directive']);
  const leftOut: string[] = [];
  const nginxOrLeftOut = (analysis: FileAnalysis): boolean => {
    if (readsAsNginx(analysis, extraDirectives)) return true;
    leftOut.push(analysis.file);
    return false;
  };
  const workspace = {
    mainConfig: values['main-config'] ? path.resolve(values['main-config']) : undefined,
    workspaceFolders: [cwd],
    pathMappings: settings.pathMappings,
    parseCache: cache,
  };

  for (const positional of positionals) {
    if (positional === '-') {
      if (dump) {
        // The first file of a dump is the main config; every file is checked where nginx read it.
        const fs = new DumpFileSystem(dump.files);
        const [main] = dump.files.keys();
        if (main)
          for (const analysis of analyzeConfig(main, fs, { parseCache: cache, pathMappings: {} }))
            add(fs, { file: analysis.file, analysis });
      } else {
        const file = path.join(cwd, '<stdin>');
        const fs = new NodeFileSystem((candidate) => (candidate === file ? (stdinDump ?? '') : undefined));
        add(fs, { file, analysis: analyzeFile(file, fs, { ...workspace, workspaceFolders: [] }) });
      }
      continue;
    }
    const target = path.resolve(positional);
    let isDirectory = false;
    try {
      isDirectory = statSync(target).isDirectory();
    } catch {
      // unreadable: reported below
    }
    if (isDirectory) {
      const files = nginxFilesUnder(target, values.exclude);
      // Entry configs: every nginx.conf, checked with all it includes from one build of its model.
      const mains = files.filter((file) => path.basename(file) === 'nginx.conf');
      const covered = new Set<string>();
      for (const main of mains)
        for (const included of analyzeConfig(main, disk, { ...workspace, workspaceFolders: [target] })) {
          // Included through a symlink (sites-enabled/app) to a file the walk also found: reported at
          // the file that holds the text, the one a pull request changes and its annotations show on.
          const real = disk.canonical(included.file);
          const analysis = real !== included.file && files.includes(real) ? analysisAt(included, real) : included;
          covered.add(included.file);
          covered.add(analysis.file);
          if (files.includes(analysis.file)) add(disk, { file: analysis.file, analysis });
        }
      // The others (no nginx.conf includes them): each as a file named on the command line is,
      // in the context its nearest nginx.conf or its content gives it.
      for (const file of files) {
        if (covered.has(file)) continue;
        const analysis = analyzeFile(file, disk, { ...workspace, workspaceFolders: [target] });
        if (nginxOrLeftOut(analysis)) add(disk, { file, analysis });
      }
      continue;
    }
    if (disk.readFile(target) === undefined) {
      add(disk, { file: target, analysis: undefined });
      continue;
    }
    const analysis = analyzeFile(target, disk, workspace);
    if (!values['ignore-unknown'] || nginxOrLeftOut(analysis)) add(disk, { file: target, analysis });
  }
  if (leftOut.length) {
    const names = leftOut.map((file) => path.relative(cwd, file) || file);
    process.stderr.write(
      `nginx-ws: left out ${names.length} file(s) that do not read as nginx configuration: ${names.join(', ')}` +
        ` (name a file without --ignore-unknown to check it as nginx).\n`,
    );
  }

  const options = { nginxVersion, webSocketPaths: settings.webSocketPaths, severity: settings.severity };
  const general = { nginxVersion, severity: settings.severity, extraDirectives: values['extra-directive'] };
  for (const { fs, target } of targets) {
    let analysis = target.analysis;
    if (!analysis) {
      results.push({
        file: target.file,
        line: 1,
        column: 1,
        endLine: 1,
        endColumn: 1,
        severity: 'error',
        code: 'file-unreadable',
        message: `Cannot read ${target.file}.`,
      });
      continue;
    }
    if (values.fix) {
      const onFile = onAnalysedFile(analysis);
      const edits = fixAllEdits(checkFile(analysis, options), analysis, nginxVersion);
      const fixed = writeFixes(
        fs,
        edits.map((edit) => ({ ...edit, file: onFile(edit.file) })),
      );
      for (const changed of fixed) process.stderr.write(`nginx-ws: fixed ${path.relative(cwd, changed) || changed}\n`);
      if (fixed.length) analysis = analyzeFile(target.file, fs, workspace);
    }
    results.push(...parseErrorsAsFindings(target.file, analysis.parsed.errors));
    const current = analysis;
    for (const finding of checkFile(current, options)) results.push(toCliFinding(finding, current, nginxVersion));
    for (const finding of generalFindings(current, general)) results.push(toCliFinding(finding, current, nginxVersion));
  }

  const textOf = (file: string): string | undefined =>
    targets.find((entry) => entry.target.file === file)?.fs.readFile(file) ?? disk.readFile(file);
  switch (format) {
    case 'json':
      write(formatFindingsJson(results));
      break;
    case 'github':
      if (results.length) write(formatFindingsGithub(results, base));
      break;
    case 'sarif':
      write(
        sarifModule().formatFindingsSarif(results, {
          version,
          base,
          docsDir: path.resolve(__dirname, '..', '..', 'docs', 'rules'),
          lineText: (file, line) => (textOf(file) ?? '').split('\n')[line - 1] ?? '',
        }),
      );
      break;
    default:
      write(formatFindingsText(results, cwd));
  }
  const errors = results.filter((result) => result.severity === 'error').length;
  const warnings = results.filter((result) => result.severity === 'warning').length;
  if (errors) return 1;
  if (maxWarnings !== undefined && warnings > maxWarnings) {
    process.stderr.write(`nginx-ws: ${warnings} warning(s), more than --max-warnings ${maxWarnings}.\n`);
    return 1;
  }
  return 0;
}
