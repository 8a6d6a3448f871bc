// Bundled by bench/run.ts with esbuild and run with plain node, as the language server ships: parses
// and models the config named on the command line once, then prints its RSS before and its peak.
import * as path from 'node:path';
import { buildConfigModel } from '../server/src/core/model/effective';
import { buildConfigTree } from '../server/src/core/model/tree';
import { NodeFileSystem } from '../server/src/node/nodeFileSystem';

const main = process.argv[2] as string;
const before = process.memoryUsage().rss;
buildConfigModel(buildConfigTree(main, new NodeFileSystem(), { baseDir: path.dirname(main) }));
process.stdout.write(JSON.stringify({ baselineRss: before, peakRss: process.resourceUsage().maxRSS * 1024 }));
