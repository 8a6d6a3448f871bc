import * as path from 'node:path';
import type { ParsedFile } from '../parser/ast';
import type { ParsedFileImpl } from '../parser/records';
import { buildConfigModel, locationFile, type ConfigModel, type LocationModel } from './effective';
import { isGlobPattern, type ConfigFileSystem } from './fileSystem';
import { buildConfigTree, ParseCache, type ConfigTree, type ContextName } from './tree';

export interface WorkspaceOptions {
  /** `nginxWs.mainConfig`: absolute, or relative to the first workspace folder. */
  readonly mainConfig?: string;
  readonly workspaceFolders?: readonly string[];
  readonly pathMappings?: Readonly<Record<string, string>>;
  readonly parseCache?: ParseCache;
}

/** A file analysed in the context nginx will read it in. */
export interface FileAnalysis {
  readonly file: string;
  /**
   * The path nginx reads the file by: `file` itself, or another path to it when nginx reaches it
   * through a symlink (Debian's sites-enabled/app -> sites-available/app, the one opened or named).
   * The engine's findings, related lines and fixes are on this path; `onAnalysedFile` puts them back.
   */
  readonly includedAs: string;
  readonly parsed: ParsedFile;
  readonly tree: ConfigTree;
  readonly model: ConfigModel;
  /** The main config this file was reached from, or undefined when it is analysed on its own. */
  readonly mainConfig: string | undefined;
  /** Context of the file's top-level directives. */
  readonly context: ContextName;
  /** Locations written in this file. */
  readonly locations: readonly LocationModel[];
  /** Every file the analysis read, for watching. */
  readonly dependencies: readonly string[];
  /**
   * Folders where a new or deleted file would change the analysis: those the include patterns
   * point into, matched or not (an empty `conf.d/`, the folder of a missing snippet).
   */
  readonly includeFolders: readonly string[];
}

/**
 * The folder a file matching `pattern` would appear in: the pattern's directory part up to its
 * first glob segment (`/ws/conf.d/*.conf` -> `/ws/conf.d`; `/ws/sites/*\/app.conf` -> `/ws/sites`).
 */
export function includeFolder(pattern: string): string {
  const directory = path.dirname(pattern);
  const { root } = path.parse(directory);
  const segments = directory
    .slice(root.length)
    .split(/[\\/]+/)
    .filter(Boolean);
  const firstGlob = segments.findIndex((segment) => isGlobPattern(segment));
  return path.join(root, ...(firstGlob < 0 ? segments : segments.slice(0, firstGlob)));
}

/** `nginx.conf` in the file's folder or above it, stopping at the workspace folder's parent. */
function nginxConfAbove(file: string, fs: ConfigFileSystem, stopAt: readonly string[]): string | undefined {
  let dir = path.dirname(file);
  for (;;) {
    const candidate = path.join(dir, 'nginx.conf');
    if (candidate !== file && fs.readFile(candidate) !== undefined) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir || stopAt.includes(dir)) return undefined;
    dir = parent;
  }
}

/** Folders of tools and packages, where no config of the workspace's own lives. */
export const NOT_CONFIG_FOLDERS: ReadonlySet<string> = new Set(['node_modules', '.git', '.vscode-test']);

function nginxConfsInWorkspace(fs: ConfigFileSystem, folders: readonly string[]): string[] {
  const found: string[] = [];
  for (const folder of folders) {
    for (const pattern of ['nginx.conf', '*/nginx.conf', '*/*/nginx.conf'])
      found.push(...fs.glob(path.join(folder, pattern), { skipFolders: NOT_CONFIG_FOLDERS }));
  }
  return found;
}

/** Candidate main configs for a file, most specific first: the setting, the nearest `nginx.conf` above, the workspace's. */
export function mainConfigCandidates(file: string, fs: ConfigFileSystem, options: WorkspaceOptions): string[] {
  const folders = options.workspaceFolders ?? [];
  const candidates: string[] = [];
  if (options.mainConfig) {
    const first = folders[0];
    candidates.push(
      path.isAbsolute(options.mainConfig) || !first
        ? path.resolve(options.mainConfig)
        : path.join(first, options.mainConfig),
    );
  }
  const above = nginxConfAbove(file, fs, folders);
  if (above) candidates.push(above);
  candidates.push(...nginxConfsInWorkspace(fs, folders));
  return [...new Set(candidates)].filter((candidate) => candidate !== file);
}

/**
 * Analyses `file` where nginx reads it: inside the first candidate main config that includes
 * it, else on its own (a main config itself, or a fragment whose context is annotated or inferred).
 */
export function analyzeFile(file: string, fs: ConfigFileSystem, options: WorkspaceOptions = {}): FileAnalysis {
  const cache = options.parseCache ?? new ParseCache();
  const pathMappings = options.pathMappings ?? {};
  const canonical = fs.canonical(file);
  for (const mainConfig of mainConfigCandidates(file, fs, options)) {
    if (fs.readFile(mainConfig) === undefined) continue;
    const tree = buildConfigTree(mainConfig, fs, {
      baseDir: path.dirname(mainConfig),
      pathMappings,
      parseCache: cache,
      rootContext: 'main',
    });
    const inclusion = [...tree.inclusions.entries()].find(
      ([included]) => included === file || fs.canonical(included) === canonical,
    );
    if (!inclusion) continue;
    const [includedAs, sites] = inclusion;
    return finish(file, includedAs, tree, mainConfig, sites[0]?.context ?? 'main');
  }
  const tree = buildConfigTree(file, fs, { baseDir: path.dirname(file), pathMappings, parseCache: cache });
  return finish(file, file, tree, undefined, tree.rootContext);
}

/**
 * Every file of one whole config, each analysed in the context nginx reads it in, from one tree and
 * one model: checking a config's 50 files costs one build, not 50.
 */
export function analyzeConfig(
  mainConfig: string,
  fs: ConfigFileSystem,
  options: WorkspaceOptions = {},
): FileAnalysis[] {
  const tree = buildConfigTree(mainConfig, fs, {
    baseDir: path.dirname(mainConfig),
    pathMappings: options.pathMappings ?? {},
    parseCache: options.parseCache ?? new ParseCache(),
    rootContext: 'main',
  });
  const model = buildConfigModel(tree);
  // Each file's locations from one pass: filtering 30,000 locations once per file of 50 was a tenth of the build.
  const byFile = new Map<string, LocationModel[]>();
  for (const location of model.locations) {
    const file = locationFile(location);
    const list = byFile.get(file);
    if (list) list.push(location);
    else byFile.set(file, [location]);
  }
  const dependencies = [...tree.files.keys()];
  const includeFolders = [...new Set(tree.includePatterns.map(includeFolder))];
  return [...tree.inclusions.entries()].map(([file, sites]) =>
    finish(file, file, tree, mainConfig, sites[0]?.context ?? 'main', model, byFile.get(file) ?? [], {
      dependencies,
      includeFolders,
    }),
  );
}

/** Directives that make a LocationModel: a file with none of them has no locations of its own. */
const LOCATION_NAMES = ['location', 'if', 'limit_except'];

/**
 * A file's analysis whose model is built when first read. A file that writes no location (a main
 * nginx.conf of maps and includes) has none, known from its name table: checking it then needs no
 * model at all, where building one walked every file of a 4 MB config.
 */
class FileAnalysisImpl implements FileAnalysis {
  private model_: ConfigModel | undefined;
  private locations_: readonly LocationModel[] | undefined;
  constructor(
    readonly file: string,
    readonly includedAs: string,
    readonly parsed: ParsedFile,
    readonly tree: ConfigTree,
    readonly mainConfig: string | undefined,
    readonly context: ContextName,
    model: ConfigModel | undefined,
    locations: readonly LocationModel[] | undefined,
    readonly dependencies: readonly string[],
    readonly includeFolders: readonly string[],
  ) {
    this.model_ = model;
    this.locations_ = locations;
  }
  get model(): ConfigModel {
    return (this.model_ ??= buildConfigModel(this.tree));
  }
  at(file: string): FileAnalysis {
    return new FileAnalysisImpl(
      file,
      this.includedAs,
      this.parsed,
      this.tree,
      this.mainConfig,
      this.context,
      this.model_,
      this.locations_,
      this.dependencies,
      this.includeFolders,
    );
  }
  get locations(): readonly LocationModel[] {
    if (!this.locations_) {
      // A fragment of bare proxy_* lines is modelled as a location anchored at its proxy_pass.
      const fragment = this.tree.rootContext === 'location' && this.includedAs === this.tree.rootFile;
      const names = (this.parsed as ParsedFileImpl).syntax?.names;
      if (!fragment && names && !LOCATION_NAMES.some((name) => names.includes(name))) this.locations_ = [];
      else {
        const includedAs = this.includedAs;
        this.locations_ = this.model.locations.filter((location) => locationFile(location) === includedAs);
      }
    }
    return this.locations_;
  }
}

/** A path of the engine's findings, related lines or fixes, as the user has the file. */
export type PathOf = (file: string) => string;

export const samePath: PathOf = (file) => file;

/**
 * The paths of the analysis's findings, related lines and fixes as the user has the file: the path
 * nginx reads it by becomes the analysed file's own (sites-enabled/app -> the opened or named
 * sites-available/app). Other paths (nginx.conf, a snippet) are left.
 */
export function onAnalysedFile(analysis: FileAnalysis): PathOf {
  const { includedAs, file } = analysis;
  return includedAs === file ? samePath : (path) => (path === includedAs ? file : path);
}

/** The same analysis for another path to the same file (the symlink's target, which a walk also found). */
export function analysisAt(analysis: FileAnalysis, file: string): FileAnalysis {
  if (file === analysis.file || !(analysis instanceof FileAnalysisImpl)) return analysis;
  return analysis.at(file);
}

function finish(
  file: string,
  includedAs: string,
  tree: ConfigTree,
  mainConfig: string | undefined,
  context: ContextName,
  model?: ConfigModel,
  locations?: readonly LocationModel[],
  shared: Pick<FileAnalysis, 'dependencies' | 'includeFolders'> = {
    dependencies: [...tree.files.keys()],
    includeFolders: [...new Set(tree.includePatterns.map(includeFolder))],
  },
): FileAnalysis {
  return new FileAnalysisImpl(
    file,
    includedAs,
    tree.files.get(includedAs) as ParsedFile,
    tree,
    mainConfig,
    context,
    model,
    locations,
    shared.dependencies,
    shared.includeFolders,
  );
}
