// A sample of the corpus mutants of the general diagnostics (test/helpers/generalMutants.ts) on the
// real nginx (Debian's 1.22.1): corpus configs that `nginx -t` accepts as they are (no missing
// includes, hosts or certificates; a fragment wrapped in the blocks it is read in) are accepted,
// and each of their mutants is refused with the message our finding starts with, on its line.
// The choice of configs follows the parallel work on branch lint-12.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { ContextName } from '../../server/src/core/model/tree';
import { EXPECTED, findings, mutantsOf, severe, type Kind } from '../helpers/generalMutants';
import { analyzeCorpusFile } from '../helpers/mutants';
import { findNginx, nginxTest } from '../helpers/nginx';
import { corpusDir, corpusSkipReason } from '../helpers/paths';

const nginx = findNginx();
const skip =
  corpusSkipReason() ??
  (nginx ? false : 'nginx is not installed (apt-get install nginx); corpus mutants on nginx skipped');

const SAMPLE = [
  '09-notify-push-readme.conf',
  '20-jupyter-subdir-literal-upgrade.conf',
  '21-code-server-guide.conf',
  '24-phoenix-ansible-proxy.conf',
  '32-flet-ws-keepalive.conf',
  '36-flask-docs-nginx.conf',
];

/** The config around a fragment, by the context it is read in, and how many lines the wrapper adds before it. */
function wrap(text: string, context: ContextName): { text: string; offset: number } {
  if (context === 'main') return { text, offset: 0 };
  if (context === 'http') return { text: `events {}\nhttp {\n${text}\n}\n`, offset: 2 };
  if (context === 'server') return { text: `events {}\nhttp {\nserver {\n${text}\n}\n}\n`, offset: 3 };
  throw new Error(`no wrapper for context ${context}`);
}

describe('corpus mutants of the general diagnostics against nginx -t', { skip }, () => {
  if (skip || !nginx) return;
  for (const name of SAMPLE) {
    const context = analyzeCorpusFile(name).context;
    it(`${name}: nginx accepts it unmutated, and it gets no general warning or error`, () => {
      const result = nginxTest(nginx, wrap(readFileSync(path.join(corpusDir, name), 'utf8'), context).text);
      assert.ok(result.ok, result.output);
      assert.deepEqual(findings(name).filter(severe), []);
    });
    for (const mutant of mutantsOf(name)) {
      it(`${name}:${mutant.line} ${mutant.kind} (${mutant.what}): nginx refuses it as predicted`, () => {
        const predicted = findings(name, mutant.text).filter(
          (f) => severe(f) && f.range.start.line + 1 === mutant.line && f.code === EXPECTED[mutant.kind as Kind],
        );
        assert.equal(predicted.length, 1, `one finding predicted on line ${mutant.line}`);
        const wrapped = wrap(mutant.text, context);
        const result = nginxTest(nginx, wrapped.text);
        assert.equal(result.ok, false, 'nginx -t refuses the mutant');
        assert.ok(result.message, result.output);
        // Our message is nginx's, perhaps followed by a suggestion.
        assert.ok(
          predicted[0]?.message.startsWith(result.message),
          `nginx: ${result.message}\nours: ${predicted[0]?.message}`,
        );
        assert.equal((result.line ?? 0) - wrapped.offset, mutant.line, 'on the line nginx names');
      });
    }
  }
});
