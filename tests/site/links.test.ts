import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rewriteLinks } from '../../src/lib/links.ts';

test('site paths and page-relative paths both get the base path', () => {
  const html = '<a href="/alerts/kubenodenotready/">a</a> <a href="../../alerts/kubepodcrashlooping/#meaning">b</a>';
  assert.equal(
    rewriteLinks(html, 'incidents/x/', '/sre/kb/'),
    '<a href="/sre/kb/alerts/kubenodenotready/">a</a> <a href="/sre/kb/alerts/kubepodcrashlooping/#meaning">b</a>',
  );
  assert.equal(rewriteLinks(html, 'incidents/x/', '/'), '<a href="/alerts/kubenodenotready/">a</a> <a href="/alerts/kubepodcrashlooping/#meaning">b</a>');
});

test('anchors, external links and links already under the base are left alone', () => {
  const html = '<a href="#timeline">t</a><a href="https://github.com/kubernetes/kubernetes">k</a><a href="mailto:x@y">m</a><script src="/sre/kb/_astro/a.js"></script>';
  assert.equal(rewriteLinks(html, 'incidents/x/', '/sre/kb/'), html);
});
