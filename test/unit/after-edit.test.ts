// The WebSocket findings after a typing edit, made from the findings before it (rules/afterEdit.ts),
// must be exactly checkFile's: the same findings in the same order, each about the new model's
// location. Random edits (seeded) of the arguments of real configs and of the benchmark's generated
// one, with values that matter to the rules; both the edits it answers and those it leaves to
// checkFile are counted, so that it cannot pass by answering none.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { ConfigFileSystem } from '../../server/src/core/model/fileSystem';
import { ParseCache } from '../../server/src/core/model/tree';
import { analyzeFile, type FileAnalysis } from '../../server/src/core/model/workspace';
import { Field, type ParsedFileImpl } from '../../server/src/core/parser/records';
import { findingsAfterEdit } from '../../server/src/core/rules/afterEdit';
import { checkFile, type CheckOptions } from '../../server/src/core/rules/check';
import type { Finding } from '../../server/src/core/rules/types';
import { parseNginxVersion } from '../../server/src/core/rules/version';
import { generateConfig } from '../../bench/lsp-generate';
import { CorpusFileSystem, INCLUDES } from '../helpers/corpus';
import { MemoryFileSystem } from '../helpers/fileSystems';
import { addOrRemoveStatement } from '../helpers/edits';
import { findingLines } from '../helpers/findings';
import { confFiles, corpusDir, corpusSkipReason } from '../helpers/paths';
import { pick, randomInt, seededRandom } from '../helpers/random';

const OPTIONS: CheckOptions = { nginxVersion: parseNginxVersion('1.22.1'), webSocketPaths: ['/live*'], severity: {} };

/** Values a user types into arguments, many of them ones the rules react to. */
const VALUES = [
  '3601s',
  '30s',
  '1.0',
  '1.1',
  '2',
  'close',
  'upgrade',
  '"upgrade"',
  '$http_upgrade',
  '$connection_upgrade',
  'keep-alive',
  'websocket',
  '/ws/',
  '/socket.io/',
  'http://127.0.0.1:3000',
  'http://app',
  'Upgrade',
  'Connection',
  'X-Id',
  '80',
  'on',
  'off',
];

function describe(findings: readonly Finding[], analysis: FileAnalysis): string[] {
  return findingLines(findings, analysis.model.locations);
}

interface Subject {
  readonly name: string;
  readonly file: string;
  readonly text: string;
  readonly fs: (overlay: ReadonlyMap<string, string>) => ConfigFileSystem;
}

function subjects(): Subject[] {
  const found: Subject[] = [];
  if (!corpusSkipReason())
    for (const file of confFiles(corpusDir)) {
      const name = path.basename(file);
      found.push({
        name,
        file,
        text: readFileSync(file, 'utf8'),
        fs: (overlay) => new CorpusFileSystem(INCLUDES[name], overlay),
      });
    }
  const generated = '/conf/nginx.conf';
  const { text } = generateConfig(60);
  found.push({
    name: 'generated',
    file: generated,
    text,
    fs: (overlay) => new MemoryFileSystem({ [generated]: overlay.get(generated) ?? text }),
  });
  return found;
}

/**
 * `file` analysed as the server analyses an open document from one edit to the next: through one
 * parse cache, so that each parse is made from the one before it where it can be.
 */
function analyser(file: string, fs: (text: string) => ConfigFileSystem): (text: string) => FileAnalysis {
  const cache = new ParseCache();
  return (text) => analyzeFile(file, fs(text), { workspaceFolders: [path.dirname(file)], parseCache: cache });
}

const inMemory =
  (file: string) =>
  (text: string): ConfigFileSystem =>
    new MemoryFileSystem({ [file]: text });

/**
 * Random edits (one per `edit` call, up to `perFile` per subject; undefined: none this time): where
 * findingsAfterEdit answers, it must be checkFile's answer, about the new model's locations. Counts
 * the answers, those that differ from the findings before the edit, and the edits left to checkFile.
 */
function answersOverSubjects(
  seed: number,
  perFile: number,
  edit: (random: () => number, before: FileAnalysis, n: number) => { text: string; what: string } | undefined,
): { answered: number; judgedAgain: number; left: number } {
  const random = seededRandom(seed);
  let answered = 0;
  let judgedAgain = 0;
  let left = 0;
  for (const subject of subjects()) {
    for (let n = 0; n < perFile; n++) {
      const analyse = analyser(subject.file, (text) => subject.fs(new Map([[subject.file, text]])));
      const before = analyse(subject.text);
      if (!(before.parsed as ParsedFileImpl).syntax.count) break;
      const change = edit(random, before, n);
      if (!change) continue;
      const previous = { analysis: before, findings: checkFile(before, OPTIONS) };
      // As the server has it: positions of the previous findings worked out.
      void before.parsed.source.lineStarts;
      const after = analyse(change.text);
      const fast = findingsAfterEdit(previous, after, OPTIONS);
      if (!fast) {
        left++;
        continue;
      }
      answered++;
      if (
        fast.length !== previous.findings.length ||
        fast.some((finding, i) => finding.message !== previous.findings[i]?.message)
      )
        judgedAgain++;
      assert.deepEqual(
        describe(fast, after),
        describe(checkFile(after, OPTIONS), after),
        `${subject.name}: ${change.what}`,
      );
      assert.ok(fast.every((finding) => after.model.locations.includes(finding.location)));
    }
  }
  return { answered, judgedAgain, left };
}

test('findingsAfterEdit gives what checkFile gives, or leaves it to checkFile', () => {
  const { answered, judgedAgain, left } = answersOverSubjects(0xaf7e, 60, (random, before) => {
    // An argument of a random directive, replaced by a value a user could type.
    const syntax = (before.parsed as ParsedFileImpl).syntax;
    const text = before.parsed.text;
    const record = randomInt(random, syntax.count);
    const words = syntax.get(record, Field.WordCount);
    if (words < 2) return undefined;
    const word = syntax.get(record, Field.FirstWord) + 1 + randomInt(random, words - 1);
    const start = syntax.words.cells[word * 3] as number;
    const end = syntax.words.cells[word * 3 + 1] as number;
    const after = text.slice(0, start) + pick(random, VALUES) + text.slice(end);
    return {
      text: after,
      what: `"${text.slice(start, end)}" on line ${before.parsed.source.positionAt(start).line + 1} → "${after.slice(start, start + 20)}"`,
    };
  });
  assert.ok(answered >= 300, `answered ${answered}, left ${left}`);
  assert.ok(judgedAgain >= 20, `only ${judgedAgain} answers differ from the findings before the edit`);
  assert.ok(left >= 100, `left only ${left} to checkFile`);
});

test('findingsAfterEdit moves the findings after the edit on its line', () => {
  const file = '/conf/nginx.conf';
  const line =
    'location /ws/ { proxy_pass http://app; add_header X-A b; proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection close; }';
  const text = `events {}\nhttp {\n upstream app { server 127.0.0.1:1; }\n server {\n listen 80;\n ${line}\n }\n}\n`;
  const analyse = analyser(file, inMemory(file));
  const before = analyse(text);
  const previous = { analysis: before, findings: checkFile(before, OPTIONS) };
  assert.ok(previous.findings.some((finding) => finding.range.start.line === 5 && finding.range.start.character > 50));
  const after = analyse(text.replace('X-A b;', 'X-A bbb;'));
  const fast = findingsAfterEdit(previous, after, OPTIONS);
  assert.ok(fast, 'an add_header value: answered from the findings before');
  assert.deepEqual(describe(fast, after), describe(checkFile(after, OPTIONS), after));
});

/** Statements a user adds inside a block, many of them ones the rules read. */
const STATEMENTS = [
  '\n            proxy_set_header Connection close;',
  '\n            proxy_set_header Upgrade $http_upgrade;',
  '\n            proxy_set_header X-Real-IP $remote_addr;',
  '\n            proxy_http_version 1.1;',
  '\n            proxy_read_timeout 5s;',
  '\n            add_header X-Edited yes;',
  '\n            location /nested/ {\n                proxy_pass http://127.0.0.1:3000;\n                proxy_set_header Upgrade $http_upgrade;\n            }',
  '\n            set $edited 1;',
  '\n            set $connection_upgrade close;',
  '\n            include other.conf;',
  '\n            # nginx-ws-disable-next-line',
];

test('findingsAfterEdit after a line is added or removed inside a block: what checkFile gives, or left to it', () => {
  const { answered, left } = answersOverSubjects(0xb10c, 40, (random, before, n) => {
    if (before.parsed.errors.length) return undefined;
    const { text, record, start } = addOrRemoveStatement(random, before.parsed, n, STATEMENTS);
    const name = (before.parsed as ParsedFileImpl).syntax.name(record);
    return { text, what: `at record ${record} (${name}), line ${before.parsed.source.positionAt(start).line + 1}` };
  });
  assert.ok(answered >= 150, `answered ${answered}, left ${left}`);
  assert.ok(left >= 100, `left only ${left} to checkFile`);
});

test('findingsAfterEdit leaves to checkFile an added line whose reach is the whole file', () => {
  // A variable set in one location is defined for every location: the other's finding goes away.
  const file = '/conf/nginx.conf';
  const location = (path: string, extra: string): string =>
    `        location ${path} {\n            proxy_pass http://app;\n            proxy_http_version 1.1;\n            proxy_set_header Upgrade $http_upgrade;\n            proxy_set_header Connection $edited;\n            proxy_read_timeout 3600s;${extra}\n        }\n`;
  const text = `events {}\nhttp {\n    upstream app { server 127.0.0.1:1; }\n    server {\n        listen 80;\n${location('/a/', '')}${location('/b/', '')}    }\n}\n`;
  const analyse = analyser(file, inMemory(file));
  const before = analyse(text);
  const previous = { analysis: before, findings: checkFile(before, OPTIONS) };
  assert.equal(previous.findings.filter((finding) => finding.code === 'ws-undefined-variable').length, 2);
  const after = analyse(
    text.replace(
      'proxy_read_timeout 3600s;\n        }\n    }',
      'proxy_read_timeout 3600s;\n            set $edited upgrade;\n        }\n    }',
    ),
  );
  assert.equal((after.parsed as ParsedFileImpl).edit?.kind, 'block', 'the parse is spliced');
  assert.equal(findingsAfterEdit(previous, after, OPTIONS), undefined);
  assert.deepEqual(
    checkFile(after, OPTIONS).filter((finding) => finding.code === 'ws-undefined-variable'),
    [],
  );
});

test('findingsAfterEdit leaves to checkFile a file included twice (each location is there twice)', () => {
  const main = '/conf/nginx.conf';
  const snippet = '/conf/ws.conf';
  const files = (text: string): Record<string, string> => ({
    [main]:
      'events {}\nhttp {\n    upstream app { server 127.0.0.1:1; }\n    server { listen 80; include ws.conf; }\n    server { listen 81; include ws.conf; }\n}\n',
    [snippet]: text,
  });
  const text =
    'location /ws/ {\n    proxy_pass http://app;\n    proxy_http_version 1.1;\n    proxy_set_header Upgrade $http_upgrade;\n    proxy_set_header Connection close;\n}\n';
  const analyse = analyser(snippet, (content) => new MemoryFileSystem(files(content)));
  const before = analyse(text);
  assert.equal(before.tree.inclusions.get(snippet)?.length, 2);
  const previous = { analysis: before, findings: checkFile(before, OPTIONS) };
  const after = analyse(text.replace('Connection close', 'Connection clos'));
  assert.equal((after.parsed as ParsedFileImpl).edit?.kind, 'word');
  assert.equal(findingsAfterEdit(previous, after, OPTIONS), undefined);
});

test('findingsAfterEdit leaves to checkFile a server name that gains a named capture (a variable for every location)', () => {
  const file = '/conf/nginx.conf';
  const text =
    'events {}\nhttp {\n    upstream app { server 127.0.0.1:1; }\n    server {\n        listen 80;\n        server_name a.example;\n    }\n    server {\n        listen 81;\n        location /ws/ {\n            proxy_pass http://app;\n            proxy_http_version 1.1;\n            proxy_set_header Upgrade $http_upgrade;\n            proxy_set_header Connection $conn;\n            proxy_read_timeout 3600s;\n        }\n    }\n}\n';
  const analyse = analyser(file, inMemory(file));
  const before = analyse(text);
  const previous = { analysis: before, findings: checkFile(before, OPTIONS) };
  assert.deepEqual(
    previous.findings.map((finding) => finding.code),
    ['ws-undefined-variable'],
  );
  // A plain rename stays answered from the findings before it; a named capture does not.
  const renamed = analyse(text.replace('a.example', 'b.example'));
  assert.deepEqual(
    describe(findingsAfterEdit(previous, renamed, OPTIONS) ?? [], renamed),
    describe(checkFile(renamed, OPTIONS), renamed),
  );
  const analyse2 = analyser(file, inMemory(file));
  const before2 = analyse2(text);
  const previous2 = { analysis: before2, findings: checkFile(before2, OPTIONS) };
  const captured = analyse2(text.replace('a.example', '~^(?<conn>.+)$'));
  assert.equal((captured.parsed as ParsedFileImpl).edit?.kind, 'word');
  assert.equal(findingsAfterEdit(previous2, captured, OPTIONS), undefined);
  assert.deepEqual(
    checkFile(captured, OPTIONS).filter((finding) => finding.code === 'ws-undefined-variable'),
    [],
  );
});
