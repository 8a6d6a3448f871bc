import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isExtensionlessNginxFile } from '../../client/src/languageDetection';

test('extension-less files under nginx folders are nginx configs; others are not', () => {
  const cases: Array<[string, boolean]> = [
    ['/etc/nginx/sites-available/default', true],
    ['/etc/nginx/sites-enabled/example', true],
    ['/srv/app/deploy/nginx/snippets/ssl-params', true],
    ['/etc/nginx/proxy_params', true],
    ['/work/project/conf.d/upstreams', true],
    ['/etc/nginx/sites-available/README.md', false],
    ['/etc/nginx/conf.d/app.conf', false],
    ['/home/me/project/Makefile', false],
    ['/home/me/nginxish/default', false],
  ];
  for (const [file, expected] of cases) assert.equal(isExtensionlessNginxFile(file), expected, file);
});
