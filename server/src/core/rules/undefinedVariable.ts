import { isBuiltinVariable, variablesIn } from './headers';
import type { Rule } from './types';

export const undefinedVariable: Rule = {
  code: 'ws-undefined-variable',
  defaultSeverity: 'error',
  title: 'A variable in the Upgrade/Connection header is defined nowhere',
  check({ analysis, model, upgrade, connection }) {
    for (const line of [upgrade, connection]) {
      const value = line?.value;
      if (!line || !value) continue;
      const missing = variablesIn(value.value).find((name) => !isBuiltinVariable(name) && !model.variables.has(name));
      if (!missing) continue;
      const complete = analysis.mainConfig !== undefined || analysis.tree.rootContext === 'main';
      const isMapIdiom = missing === 'connection_upgrade';
      return {
        message: complete
          ? `"$${missing}" is defined by no map or set: nginx -t fails with 'unknown "${missing}" variable', so this config does not load.${isMapIdiom ? ' Add the map from the nginx docs to the http block, or use Connection "upgrade".' : ''}`
          : `"$${missing}" is defined by no map or set in the files nginx-ws can see; if the main config does not define it, nginx -t fails with 'unknown "${missing}" variable'.`,
        at: { file: line.node.file, range: value.range },
        severity: complete ? 'error' : 'information',
        data:
          isMapIdiom && line.key === 'connection'
            ? { kind: 'replace-value', file: line.node.file, range: value.range, newValue: '"upgrade"' }
            : { kind: 'none' },
      };
    }
    return undefined;
  },
};
