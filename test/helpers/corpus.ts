// The shared corpus (../shared/corpus, other people's configs, read in place and never copied):
// its file system with the include files it keeps, and MANIFEST.tsv, for the corpus tests.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ConfigFileSystem } from '../../server/src/core/model/fileSystem';
import { JailedFileSystem } from './fileSystems';
import { corpusDir } from './paths';

/** The include files the corpus keeps for a config, under includes/. */
export const INCLUDES: Record<string, string> = {
  '17-swag-jellyfin-subdomain.conf': 'includes/17-swag',
  '45-frigate-nginx-big.conf': 'includes/45-frigate',
};

/**
 * The corpus jailed to its folder, and, for a config with include files under includes/, those
 * files served where its includes look for them: `include proxy.conf` (relative) and
 * `include /config/nginx/proxy.conf` (re-rooted to the corpus folder) both reach
 * includes/<config>/proxy.conf.
 */
export class CorpusFileSystem implements ConfigFileSystem {
  private readonly jail = new JailedFileSystem(corpusDir);

  constructor(
    private readonly includeDir: string | undefined,
    /** Texts laid over the files (a mutated config), by the path the analysis knows them by (ConfigNode.file). */
    private readonly overlay: ReadonlyMap<string, string> = new Map(),
  ) {}

  readFile(file: string): string | undefined {
    const laid = this.overlay.get(file);
    if (laid !== undefined) return laid;
    const text = this.jail.readFile(file);
    if (text !== undefined || !this.includeDir || path.dirname(file) !== corpusDir) return text;
    return this.jail.readFile(path.join(corpusDir, this.includeDir, path.basename(file)));
  }

  glob(pattern: string): string[] {
    return this.jail.glob(pattern);
  }

  canonical(file: string): string {
    return this.jail.canonical(file);
  }
}

export interface ManifestRow {
  readonly file: string;
  readonly category: string;
  /** 1-based; undefined for the file-level row of a file without locations. */
  readonly line: number | undefined;
  readonly location: string;
  readonly wsEndpoint: string;
  readonly verdict: string;
  readonly httpVersion: string;
  readonly upgrade: string;
  readonly connection: string;
  readonly headerSource: string;
  /** What is missing for nginx before 1.29.7, as the manifest reads it ("none", "Upgrade, Connection"). */
  readonly missingBefore1297: string;
}

export function readManifest(): ManifestRow[] {
  const [header, ...lines] = readFileSync(path.join(corpusDir, 'MANIFEST.tsv'), 'utf8').trimEnd().split('\n');
  const columns = (header ?? '').split('\t');
  const column = (cells: string[], name: string): string => {
    const index = columns.indexOf(name);
    if (index < 0) throw new Error(`MANIFEST.tsv has no column ${name}`);
    return cells[index] ?? '';
  };
  return lines.map((line) => {
    const cells = line.split('\t');
    const locLine = column(cells, 'loc_line');
    return {
      file: column(cells, 'file'),
      category: column(cells, 'category'),
      line: /^\d+$/.test(locLine) ? Number(locLine) : undefined,
      location: column(cells, 'location'),
      wsEndpoint: column(cells, 'ws_endpoint'),
      verdict: column(cells, 'expected_linter_verdict'),
      httpVersion: column(cells, 'eff_proxy_http_version'),
      upgrade: column(cells, 'eff_Upgrade'),
      connection: column(cells, 'eff_Connection'),
      headerSource: column(cells, 'proxy_set_header_source'),
      missingBefore1297: column(cells, 'missing_nginx_lt_1.29.7'),
    };
  });
}
