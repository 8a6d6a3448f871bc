/**
 * `nginx -T` prints the whole loaded configuration: each file as `# configuration file PATH:`,
 * its text, and a newline (seen on nginx 1.22.1). Split back into files, the engine reads it as it
 * reads a disk, and findings land on the original paths and lines.
 */
import * as path from 'node:path';
import type { ConfigFileSystem } from '../core/model/fileSystem';
import { segmentToRegExp } from '../node/nodeFileSystem';

export interface ConfigDump {
  /** The files in the order nginx read them; the first is the main config. */
  readonly files: ReadonlyMap<string, string>;
  /** From a `nginx version: nginx/1.22.1` line (`nginx -V 2>&1; nginx -T`), when present. */
  readonly nginxVersion: string | undefined;
}

const HEADER = /^# configuration file (.+):$/;

/** The dump's files, or undefined when the text is not an `nginx -T` dump. */
export function parseConfigDump(text: string): ConfigDump | undefined {
  const lines = text.split('\n');
  const files = new Map<string, string>();
  let nginxVersion: string | undefined;
  let current: string | undefined;
  let body: string[] = [];
  const close = (): void => {
    if (current === undefined) return;
    // nginx writes a newline after each file's text.
    if (body.length && body[body.length - 1] === '') body.pop();
    if (!files.has(current)) files.set(current, body.join('\n'));
  };
  for (const line of lines) {
    const header = HEADER.exec(line.replace(/\r$/, ''));
    if (header?.[1] && path.isAbsolute(header[1])) {
      close();
      current = header[1];
      body = [];
      continue;
    }
    if (current === undefined) {
      const version = /nginx version: nginx\/(\d+\.\d+\.\d+)/.exec(line);
      if (version) nginxVersion = version[1];
      continue;
    }
    body.push(line);
  }
  close();
  return files.size ? { files, nginxVersion } : undefined;
}

/** The dump's files as a file system: includes resolve among them, globs match their paths. */
export class DumpFileSystem implements ConfigFileSystem {
  constructor(private readonly files: ReadonlyMap<string, string>) {}

  readFile(file: string): string | undefined {
    return this.files.get(file);
  }

  glob(pattern: string): string[] {
    const patternSegments = pattern.split('/');
    return [...this.files.keys()]
      .filter((file) => {
        const segments = file.split('/');
        return (
          segments.length === patternSegments.length &&
          segments.every((segment, index) => {
            const part = patternSegments[index] ?? '';
            if (!/[*?[]/.test(part)) return part === segment;
            return !(segment.startsWith('.') && !part.startsWith('.')) && segmentToRegExp(part).test(segment);
          })
        );
      })
      .sort();
  }

  canonical(file: string): string {
    return file;
  }
}
