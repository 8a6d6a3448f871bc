// What the benchmarks share: quantiles of samples, and a V8 .cpuprofile (node --cpu-prof) read into
// "self time per function" lines.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

/** Self time per function, largest first, as a share of the busy (non-idle) time; GC included. */
export function summariseProfile(file: string, top: number): string[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
  };
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    const frame = nodes.get(id)?.callFrame;
    if (!frame || frame.functionName === '(idle)') return;
    busy += delta;
    const where = frame.url
      ? `${path.relative(path.join(__dirname, '..'), frame.url.replace(/^file:\/\//, ''))}:${frame.lineNumber + 1}`
      : '';
    const key = `${frame.functionName || '(anonymous)'} ${where}`.trim();
    self.set(key, (self.get(key) ?? 0) + delta);
  });
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(
      ([key, time]) =>
        `${(time / 1000).toFixed(0).padStart(7)} ms ${((100 * time) / busy).toFixed(1).padStart(5)}%  ${key}`,
    );
}

/** The q-quantile of the samples, interpolated (q = 0.5: the median). NaN for no samples. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return (sorted[low] as number) + ((sorted[high] as number) - (sorted[low] as number)) * (position - low);
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);
