import { execFile } from 'node:child_process';
import { parseNginxVersion, type NginxVersion } from '../core/rules/version';

/**
 * Asks `nginx -v` once per executable. nginx prints its version on stderr. No shell, a short
 * timeout; any failure means "unknown", which the rules treat as an nginx older than 1.29.7.
 */
export class NginxVersionProbe {
  private readonly answers = new Map<string, Promise<NginxVersion | undefined>>();

  constructor(private readonly log: (message: string) => void) {}

  detect(nginxPath: string): Promise<NginxVersion | undefined> {
    let answer = this.answers.get(nginxPath);
    if (!answer) {
      answer = new Promise((resolve) => {
        execFile(nginxPath, ['-v'], { timeout: 3000, windowsHide: true }, (error, stdout, stderr) => {
          const version = parseNginxVersion(`${stderr}${stdout}`);
          if (error && !version) {
            this.log(`nginx -v (${nginxPath}) failed: ${error.message}. Assuming nginx older than 1.29.7.`);
          } else if (version) {
            this.log(`Target nginx ${version.major}.${version.minor}.${version.patch}, from ${nginxPath} -v.`);
          }
          resolve(version);
        });
      });
      this.answers.set(nginxPath, answer);
    }
    return answer;
  }
}
