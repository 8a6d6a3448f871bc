/**
 * What the engine needs from the outside world to follow `include`s. The core never touches
 * the disk itself: the language server passes an implementation that sees unsaved editor
 * buffers first, tests pass fixture trees.
 */
export interface ConfigFileSystem {
  /** The file's text, or undefined when it does not exist or cannot be read. */
  readFile(path: string): string | undefined;
  /**
   * Absolute paths of the files matching an absolute glob pattern (`*`, `?`, `[...]` in any
   * segment), in the order glob(3) gives them (sorted). Directories are not returned.
   */
  glob(pattern: string, options?: GlobOptions): string[];
  /** The path with symlinks resolved, for recognising one file reached by two paths. */
  canonical(path: string): string;
}

export interface GlobOptions {
  /**
   * Folders by these names are not entered through a `*` segment: for a search of the workspace
   * (`*\/*\/nginx.conf` from a repository's root would list every package in node_modules), never
   * for an include, which nginx expands into every folder. An implementation may ignore it.
   */
  readonly skipFolders?: ReadonlySet<string>;
}

/** The same test nginx applies (`ngx_strpbrk(name, "*?[")`) to decide an include is a glob. */
export function isGlobPattern(path: string): boolean {
  return /[*?[]/.test(path);
}
