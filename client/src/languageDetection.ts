import * as path from 'node:path';

/** Folders whose files are nginx configuration by convention (Debian, the official image, snippets). */
const NGINX_FOLDERS = new Set(['nginx', 'conf.d', 'sites-available', 'sites-enabled', 'snippets']);

/**
 * Whether a file with no extension is an nginx config by where it lives (`sites-available/default`,
 * `snippets/ssl-params`). A glob in package.json cannot say "no extension", so the client decides.
 */
export function isExtensionlessNginxFile(fsPath: string): boolean {
  const name = path.basename(fsPath);
  if (!name || name.includes('.')) return false;
  return path
    .dirname(fsPath)
    .split(/[\\/]/)
    .some((folder) => NGINX_FOLDERS.has(folder));
}
