// checkFile reuses the verdict of a correct WebSocket location for the others with the same
// values (rules/check.ts, verdictKey): a config of thousands of servers repeats a few shapes.
// Reuse must never change a finding. Checked against judging every location on its own, on every
// corpus config, on every mutant of the corpus mutation test, on the benchmark's generated configs,
// and on the cases where equal values do not mean equal verdicts (a `set`, an annotation).
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { FileAnalysis } from '../../server/src/core/model/workspace';
import { analyzeFile } from '../../server/src/core/model/workspace';
import { checkFile } from '../../server/src/core/rules/check';
import { parseNginxVersion } from '../../server/src/core/rules/version';
import { generateConfig } from '../../bench/lsp-generate';
import { MemoryFileSystem } from '../helpers/fileSystems';
import { findingLines } from '../helpers/findings';
import { analyzeCorpusFile, correctLocations, mutantsOf } from '../helpers/mutants';
import { confFiles, corpusDir, corpusSkipReason } from '../helpers/paths';

const versions = [parseNginxVersion('1.22.1'), parseNginxVersion('1.29.7')];

function assertSameWithReuse(analysis: FileAnalysis, what: string): number {
  let count = 0;
  for (const nginxVersion of versions) {
    const options = { nginxVersion, webSocketPaths: ['/live*'], severity: {} };
    const reused = checkFile(analysis, options);
    const alone = checkFile(analysis, { ...options, reuseVerdicts: false });
    assert.deepEqual(findingLines(reused), findingLines(alone), what);
    count += alone.length;
  }
  return count;
}

function analyzeText(text: string): FileAnalysis {
  const file = '/conf/nginx.conf';
  return analyzeFile(file, new MemoryFileSystem({ [file]: text }), { workspaceFolders: ['/conf'] });
}

const ws = (connection: string): string =>
  `location /ws/ {\n proxy_pass http://app;\n proxy_http_version 1.1;\n proxy_set_header Upgrade $http_upgrade;\n proxy_set_header Connection ${connection};\n proxy_read_timeout 3600s;\n }`;

describe('verdict reuse in checkFile changes no finding', () => {
  it('on every corpus config', { skip: corpusSkipReason() ?? false }, () => {
    const files = confFiles(corpusDir);
    assert.ok(files.length >= 30);
    for (const file of files) assertSameWithReuse(analyzeCorpusFile(path.basename(file)), file);
  });

  it('on every mutant of the corpus mutation test', { skip: corpusSkipReason() ?? false }, () => {
    let mutants = 0;
    for (const target of correctLocations())
      for (const mutant of mutantsOf(target)) {
        if (mutant.skip) continue;
        assertSameWithReuse(analyzeCorpusFile(target.file, mutant.overlay), `${target.file}: ${mutant.kind}`);
        mutants++;
      }
    assert.ok(mutants >= 50, `only ${mutants} mutants`);
  });

  it("on the benchmark's generated config, a tenth of its WebSocket locations broken", () => {
    const config = generateConfig(300);
    const count = assertSameWithReuse(analyzeText(config.text), 'generated config');
    assert.ok(count >= config.brokenLocations, `${count} findings for ${config.brokenLocations} broken locations`);
  });

  it('where the same values read a different `set`: each server gets its own verdict', () => {
    // nginx runs the server's `set` in its rewrite phase: the second server sends "Connection: close".
    const text = `events {}\nhttp {\n upstream app { server 127.0.0.1:1; }\n server {\n listen 80;\n set $conn upgrade;\n ${ws('$conn')}\n }\n server {\n listen 81;\n set $conn close;\n ${ws('$conn')}\n }\n}\n`;
    const analysis = analyzeText(text);
    assertSameWithReuse(analysis, 'set');
    const found = checkFile(analysis, { nginxVersion: versions[0], webSocketPaths: [], severity: {} });
    assert.deepEqual(
      found.map((finding) => `${finding.code}:${finding.range.start.line + 1}`),
      ['ws-connection-not-upgrade:22'],
    );
  });

  it('where a comment silences one of two equal broken locations', () => {
    const text = `events {}\nhttp {\n upstream app { server 127.0.0.1:1; }\n server {\n listen 80;\n # nginx-ws-disable-next-line\n ${ws('close')}\n ${ws('close').replace('/ws/', '/ws2/')}\n }\n}\n`;
    const analysis = analyzeText(text);
    assertSameWithReuse(analysis, 'suppression');
    const found = checkFile(analysis, { nginxVersion: versions[0], webSocketPaths: [], severity: {} });
    assert.deepEqual(
      found.map((finding) => finding.code),
      ['ws-connection-not-upgrade'],
    );
  });

  it('where an annotation marks one of two locations that are the same but for it', () => {
    // A Connection line that cannot upgrade is no intent: the first location is a plain proxy. The
    // annotated one, after it, is declared, and its Connection is then a mistake.
    const plain =
      'location /app/ {\n proxy_pass http://app;\n proxy_http_version 1.1;\n proxy_set_header Connection "keep-alive";\n }';
    const text = `events {}\nhttp {\n upstream app { server 127.0.0.1:1; }\n server {\n listen 80;\n ${plain}\n }\n server {\n listen 81;\n # nginx-ws: websocket\n ${plain}\n }\n}\n`;
    const analysis = analyzeText(text);
    assertSameWithReuse(analysis, 'annotation');
    const found = checkFile(analysis, { nginxVersion: versions[0], webSocketPaths: [], severity: {} });
    assert.ok(found.length > 0);
    assert.ok(found.every((finding) => finding.location.node.directive.range.start.line + 1 === 15));
  });
});
