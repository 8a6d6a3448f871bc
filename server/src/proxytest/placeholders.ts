/**
 * `${VAR}` placeholders of templates, as the official nginx Docker image fills them in (envsubst
 * of /etc/nginx/templates/*.template, only for variables set in its environment). The test never
 * starts nginx with a literal `${...}`: each gets a value from the user (the
 * nginxWs.templateVariables setting, `--env NAME=VALUE`), else from the environment, else a neutral
 * stand-in, and the report says which.
 */

export interface Placeholder {
  readonly name: string;
  readonly value: string;
  readonly source: 'given' | 'environment' | 'unset';
}

/** Upper-case names: envsubst's convention, and not how nginx's own `${var}` variables are written. */
const PLACEHOLDER = /\$\{([A-Z_][A-Z0-9_]*)\}/g;

/** A value that keeps the directive valid for `nginx -t` where the name says what it is. */
export function neutralValue(name: string): string {
  if (/PORT/.test(name)) return '8080';
  if (/TIMEOUT/.test(name)) return '60s';
  if (/SIZE/.test(name)) return '1m';
  if (/(HOST|DOMAIN|SERVER|NAME|ADDR)/.test(name)) return 'localhost';
  return 'nginx-ws-unset';
}

export function substitutePlaceholders(
  text: string,
  given: Readonly<Record<string, string>>,
  environment: Readonly<Record<string, string | undefined>>,
): { text: string; placeholders: Placeholder[] } {
  const found = new Map<string, Placeholder>();
  const result = text.replace(PLACEHOLDER, (_all, name: string) => {
    let placeholder = found.get(name);
    if (!placeholder) {
      const fromUser = given[name];
      const fromEnvironment = environment[name];
      placeholder =
        fromUser !== undefined
          ? { name, value: fromUser, source: 'given' }
          : fromEnvironment !== undefined
            ? { name, value: fromEnvironment, source: 'environment' }
            : { name, value: neutralValue(name), source: 'unset' };
      found.set(name, placeholder);
    }
    return placeholder.value;
  });
  return { text: result, placeholders: [...found.values()] };
}

/** `NAME=VALUE` as `--env` takes it; undefined when it is not that shape. */
export function parseAssignment(text: string): [string, string] | undefined {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(text);
  return match ? [match[1] as string, match[2] as string] : undefined;
}
