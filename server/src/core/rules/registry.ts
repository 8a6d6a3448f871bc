import { connectionNotUpgrade } from './connectionNotUpgrade';
import { droppedHeaders } from './droppedHeaders';
import { httpVersion } from './httpVersion';
import { missingConnection } from './missingConnection';
import { missingUpgrade } from './missingUpgrade';
import { readTimeout } from './readTimeout';
import { swappedHeaders } from './swappedHeaders';
import type { Rule } from './types';
import { undefinedVariable } from './undefinedVariable';

/** Every rule, in the order their findings are listed. The code is the diagnostic's `code`. */
export const RULES: readonly Rule[] = [
  httpVersion,
  missingUpgrade,
  missingConnection,
  droppedHeaders,
  swappedHeaders,
  connectionNotUpgrade,
  undefinedVariable,
  readTimeout,
];

/** Where each rule's page lives, relative to the repository. */
export function ruleDocPath(code: string): string {
  return `docs/rules/${code}.md`;
}
