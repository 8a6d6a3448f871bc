import { isAscii } from 'node:buffer';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ConfigFileSystem, GlobOptions } from '../core/model/fileSystem';

/**
 * Turns one glob(3) path segment into a regular expression. Written by hand rather than taken
 * from a glob library because nginx uses glob(3): no brace expansion, no `**`, and `*` does not
 * match a leading dot. Libraries such as picomatch implement a richer, different language.
 */
export function segmentToRegExp(segment: string): RegExp {
  let source = '';
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i] as string;
    if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else if (ch === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close < 0) {
        source += '\\[';
        continue;
      }
      let body = segment.slice(i + 1, close);
      if (body.startsWith('!')) body = '^' + body.slice(1);
      source += '[' + body.replace(/\\/g, '\\\\') + ']';
      i = close;
    } else source += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp('^' + source + '$');
}

/** The disk, with the editor's unsaved buffers laid over it. */
export class NodeFileSystem implements ConfigFileSystem {
  constructor(private readonly overlay: (file: string) => string | undefined = () => undefined) {}

  readFile(file: string): string | undefined {
    const open = this.overlay(file);
    if (open !== undefined) return open;
    try {
      // Configs are nearly always ASCII: read as bytes and copied into a one-byte string, a 4 MB file
      // takes half the time of readFileSync(file, 'utf8') in a fresh process (UTF-8 decoding).
      const bytes = fs.readFileSync(file);
      return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
    } catch {
      return undefined;
    }
  }

  glob(pattern: string, options: GlobOptions = {}): string[] {
    const { root } = path.parse(pattern);
    const segments = pattern
      .slice(root.length)
      .split(/[\\/]+/)
      .filter(Boolean);
    // What the directory listings already told: a workspace-wide `*/*/nginx.conf` lists hundreds of
    // folders (node_modules), and a stat of each entry cost more than the listing.
    const known = new Map<string, fs.Dirent>();
    const kind = (candidate: string, test: (stats: fs.Dirent | fs.Stats) => boolean): boolean => {
      const entry = known.get(candidate);
      if (entry && !entry.isSymbolicLink()) return test(entry);
      try {
        return test(fs.statSync(candidate));
      } catch {
        return false;
      }
    };
    let current = [root];
    for (let index = 0; index < segments.length; index++) {
      const segment = segments[index] as string;
      const last = index === segments.length - 1;
      const next: string[] = [];
      const isGlob = /[*?[]/.test(segment);
      for (const dir of current) {
        if (!isGlob) {
          next.push(path.join(dir, segment));
          continue;
        }
        let entries: fs.Dirent[];
        try {
          entries = fs.readdirSync(dir, { withFileTypes: true });
        } catch {
          continue;
        }
        const matcher = segmentToRegExp(segment);
        for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
          if (entry.name.startsWith('.') && !segment.startsWith('.')) continue;
          if (!matcher.test(entry.name)) continue;
          if (!last && options.skipFolders?.has(entry.name)) continue;
          const full = path.join(dir, entry.name);
          known.set(full, entry);
          next.push(full);
        }
      }
      current = last ? next : next.filter((candidate) => kind(candidate, (stats) => stats.isDirectory()));
    }
    return current
      .filter((candidate) => kind(candidate, (stats) => stats.isFile()) || this.overlay(candidate) !== undefined)
      .sort();
  }

  canonical(file: string): string {
    try {
      // One realpath(3) call, where the JavaScript version makes an lstat per path segment.
      return fs.realpathSync.native(file);
    } catch {
      try {
        return fs.realpathSync(file);
      } catch {
        return path.resolve(file);
      }
    }
  }
}

/**
 * The disk as the language server sees it between file-watcher events: each file read, glob
 * expanded and path resolved once, until `invalidate` says the disk changed. Unsaved buffers
 * (the overlay) are always read fresh. Without it every keystroke would re-read every include.
 */
export class CachingFileSystem implements ConfigFileSystem {
  private readonly texts = new Map<string, string | undefined>();
  private readonly globs = new Map<string, string[]>();
  private readonly canonicals = new Map<string, string>();
  private readonly disk: NodeFileSystem;

  constructor(private readonly overlay: (file: string) => string | undefined = () => undefined) {
    this.disk = new NodeFileSystem(overlay);
  }

  readFile(file: string): string | undefined {
    const open = this.overlay(file) ?? this.openThroughLink(file);
    if (open !== undefined) return open;
    if (!this.texts.has(file)) this.texts.set(file, this.disk.readFile(file));
    return this.texts.get(file);
  }

  /**
   * The buffer of a file opened by another path to it: nginx reads sites-enabled/app, a symlink to
   * the sites-available/app being edited. The tree asks every included file's canonical path anyway.
   */
  private openThroughLink(file: string): string | undefined {
    const canonical = this.canonical(file);
    return canonical === file ? undefined : this.overlay(canonical);
  }

  glob(pattern: string, options?: GlobOptions): string[] {
    const key = options?.skipFolders ? `${pattern}\u0000${[...options.skipFolders].join('/')}` : pattern;
    let found = this.globs.get(key);
    if (!found) this.globs.set(key, (found = this.disk.glob(pattern, options)));
    return found;
  }

  canonical(file: string): string {
    let found = this.canonicals.get(file);
    if (found === undefined) this.canonicals.set(file, (found = this.disk.canonical(file)));
    return found;
  }

  /**
   * A file changed, appeared or went away: forget it, every other path to it (the symlink
   * sites-enabled/app when sites-available/app changed), and every glob (it may now match or not).
   */
  invalidate(file: string): void {
    const canonical = this.canonicals.get(file) ?? this.disk.canonical(file);
    for (const [other, otherCanonical] of this.canonicals)
      if (otherCanonical === canonical) {
        this.texts.delete(other);
        this.canonicals.delete(other);
      }
    this.texts.delete(file);
    this.canonicals.delete(file);
    this.globs.clear();
  }

  invalidateAll(): void {
    this.texts.clear();
    this.globs.clear();
    this.canonicals.clear();
  }
}
