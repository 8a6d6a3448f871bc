// Findings as comparable lines, for tests that check two ways of computing them agree.
import type { LocationModel } from '../../server/src/core/model/effective';
import type { Finding } from '../../server/src/core/rules/types';

/**
 * Each finding as one line of what a user or a fix sees of it: code, severity, message, file,
 * range, related locations and fix data; with `locations`, also the place in it of the location
 * it is about.
 */
export function findingLines(findings: readonly Finding[], locations?: readonly LocationModel[]): string[] {
  return findings.map((finding) =>
    JSON.stringify([
      finding.code,
      finding.severity,
      finding.message,
      finding.file,
      finding.range,
      finding.related,
      finding.data,
      ...(locations ? [locations.indexOf(finding.location)] : []),
    ]),
  );
}
