// The floors under `nginx-ws check` that no rule work can go below, each in a fresh process as the
// check runs: `parse NGINX_CONF` reads the config and parses it with its includes as the check does,
// and stops there (no model, no WebSocket rules, no general checks, no report); `tokens FILE...`
// reads each file and tokenises it, the least any check of the text could do. bench/check.ts bundles
// this as the CLI is bundled and times it beside the check, so that a target can be judged against
// what reading and parsing alone cost on the machine at hand.
import * as path from 'node:path';
import { buildConfigTree, ParseCache } from '../server/src/core/model/tree';
import { Lexer, TokenKind } from '../server/src/core/parser/lexer';
import { CachingFileSystem, NodeFileSystem } from '../server/src/node/nodeFileSystem';

const [mode, ...files] = process.argv.slice(2);
let count = 0;
if (mode === 'parse' && files.length === 1) {
  const main = files[0] as string;
  const tree = buildConfigTree(main, new CachingFileSystem(), {
    baseDir: path.dirname(main),
    pathMappings: {},
    parseCache: new ParseCache(),
    rootContext: 'main',
  });
  count = tree.files.size;
} else if (mode === 'tokens' && files.length) {
  const disk = new NodeFileSystem();
  for (const file of files) {
    const lexer = new Lexer(disk.readFile(file) ?? '');
    while (lexer.scan() !== TokenKind.EOF) count++;
  }
} else {
  process.stderr.write('usage: floor.js parse NGINX_CONF | floor.js tokens FILE...\n');
  process.exit(2);
}
process.stdout.write(`${count}\n`);
