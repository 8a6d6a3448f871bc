// File systems for include tests. A fixture tree is read from disk but jailed to its folder, so
// that an absolute include such as /etc/nginx/conf.d/*.conf never sees the machine's real
// /etc/nginx. An in-memory one serves inline configs with absolute paths.
import * as path from 'node:path';
import type { ConfigFileSystem } from '../../server/src/core/model/fileSystem';
import { NodeFileSystem, segmentToRegExp } from '../../server/src/node/nodeFileSystem';

function isInside(root: string, file: string): boolean {
  const relative = path.relative(root, file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** The disk under `root` only; everything outside it does not exist. Records what was read. */
export class JailedFileSystem implements ConfigFileSystem {
  private readonly disk: NodeFileSystem;
  readonly reads: string[] = [];

  /** `overlay` plays the editor's unsaved buffers, as the language server's NodeFileSystem gets them. */
  constructor(
    readonly root: string,
    overlay?: (file: string) => string | undefined,
  ) {
    this.disk = new NodeFileSystem(overlay);
  }

  readFile(file: string): string | undefined {
    if (!isInside(this.root, file)) return undefined;
    const text = this.disk.readFile(file);
    if (text !== undefined) this.reads.push(file);
    return text;
  }

  glob(pattern: string): string[] {
    return this.disk.glob(pattern).filter((file) => isInside(this.root, file));
  }

  canonical(file: string): string {
    return this.disk.canonical(file);
  }
}

/** Files held in memory by absolute POSIX path. */
export class MemoryFileSystem implements ConfigFileSystem {
  private readonly files: Map<string, string>;

  constructor(files: Readonly<Record<string, string>>) {
    this.files = new Map(Object.entries(files).map(([file, text]) => [path.posix.normalize(file), text]));
  }

  readFile(file: string): string | undefined {
    return this.files.get(path.posix.normalize(file));
  }

  glob(pattern: string): string[] {
    const segments = pattern.split('/').filter(Boolean);
    const matchers = segments.map((segment) => (/[*?[]/.test(segment) ? segmentToRegExp(segment) : undefined));
    return [...this.files.keys()]
      .filter((file) => {
        const parts = file.split('/').filter(Boolean);
        if (parts.length !== segments.length) return false;
        return parts.every((part, index) => {
          const matcher = matchers[index];
          if (!matcher) return part === segments[index];
          return matcher.test(part) && (!part.startsWith('.') || (segments[index] ?? '').startsWith('.'));
        });
      })
      .sort();
  }

  canonical(file: string): string {
    return path.posix.normalize(file);
  }
}
