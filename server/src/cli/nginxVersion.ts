import { spawnSync } from 'node:child_process';

/** `nginx -v` (on stderr), or undefined when nginx is not there; then rules assume nginx < 1.29.7. */
export function detectNginxVersionSync(nginxPath: string): string | undefined {
  const result = spawnSync(nginxPath, ['-v'], { encoding: 'utf8', timeout: 3000, windowsHide: true });
  if (result.error) return undefined;
  return /nginx\/(\d+\.\d+(?:\.\d+)?)/.exec(`${result.stderr}${result.stdout}`)?.[1];
}
