// The engine entry points the benchmark measures. bench/run.ts bundles this file with esbuild, as
// scripts/bundle.mjs bundles the language server, and times the bundle: that is the code users run.
// (Run through tsx instead, each module is transformed alone, and every use of a const enum or an
// import from another module becomes a property read through a getter: the parser's inner loop
// takes twice as long, which says nothing about the shipped server.)
export { parse } from '../server/src/core/parser/parser';
export { buildConfigTree, ParseCache } from '../server/src/core/model/tree';
export { buildConfigModel } from '../server/src/core/model/effective';
export { analyzeFile } from '../server/src/core/model/workspace';
export { CachingFileSystem, NodeFileSystem } from '../server/src/node/nodeFileSystem';
