import { isBuiltinVariable, variablesIn } from './headers';
import type { Rule } from './types';

export const undefinedVariable: Rule = {
  code: 'ws-undefined-variable',
  defaultSeverity: 'error',
  title: 'A variable in the Upgrade/Connection header is defined nowhere',
  check({ model, upgrade, connection, complete }) {
    for (const line of [upgrade, connection]) {
      // The text first: the value's Word (and its node) is made only for a line this reports.
      const text = line?.valueText;
      if (!line || text === undefined) continue;
      const missing = variablesIn(text).find((name) => !isBuiltinVariable(name) && !model.variables.has(name));
      if (!missing) continue;
      const value = line.value;
      if (!value) continue;
      const isMapIdiom = missing === 'connection_upgrade';
      return {
        message: complete
          ? `"$${missing}" is defined by no map or set: nginx -t fails with 'unknown "${missing}" variable', so this config does not load.${isMapIdiom ? (line.key === 'connection' ? ' Add the map from the nginx docs to the http block, or use Connection "upgrade".' : ' On the Upgrade line it would be the wrong value anyway: Upgrade takes $http_upgrade.') : ''}`
          : `"$${missing}" is defined by no map or set in the files nginx-ws can see; if the main config does not define it, nginx -t fails with 'unknown "${missing}" variable'.`,
        at: { file: line.node.file, range: value.range },
        // A fragment may be included where the map is defined: a warning, not silence.
        severity: complete ? 'error' : 'warning',
        // The map idiom's variable on the Upgrade line is also swapped: there the fix is $http_upgrade, not the map.
        data: isMapIdiom
          ? {
              kind: 'replace-value',
              file: line.node.file,
              range: value.range,
              newValue: line.key === 'connection' ? '"upgrade"' : '$http_upgrade',
            }
          : { kind: 'none' },
      };
    }
    return undefined;
  },
};
