// The pure helpers behind the reading aids, checked on their own: heading self-links, tables in a
// scrolling box, line-break opportunities in long labels, the redirect page of an alert URL.
import { expect } from '@playwright/test';
import { test } from './pages.ts';
import { linkHeadings, wrapTables } from '../../src/lib/headings.ts';
import { breakable } from '../../src/lib/text.ts';
import { redirectPage } from '../../src/lib/redirect.ts';

test('a heading with an id gets a link to itself named after it; one without an id is left alone', () => {
  expect(linkHeadings('<h2 id="root-cause">Root <em>cause</em></h2>')).toBe(
    '<div class="heading"><h2 id="root-cause">Root <em>cause</em></h2><a class="heading-link" data-pagefind-ignore href="#root-cause" aria-label="Link to Root cause">#</a></div>',
  );
  expect(linkHeadings('<h2>No id</h2><h4 id="x">Too deep</h4>')).toBe('<h2>No id</h2><h4 id="x">Too deep</h4>');
});

test('a bare table goes into a named scrolling box; a wrapped one is left alone', () => {
  const bare = '<table><thead><tr><th>Action</th><th>Owner</th></tr></thead></table>';
  expect(wrapTables(bare)).toBe(`<div class="table-wrap" tabindex="0" role="region" aria-label="Table: Action, Owner">${bare}</div>`);
  const captioned = '<table><caption>Scenarios</caption><tr><td>x</td></tr></table>';
  expect(wrapTables(captioned)).toContain('aria-label="Scenarios"');
  const wrapped = '<div class="table-wrap">\n<table class="claims"><tr><td>x</td></tr></table></div>';
  expect(wrapTables(wrapped)).toBe(wrapped);
});

test('long paths break at slashes and underscores, JSON at commas, numbers never', () => {
  expect(breakable('pkg/kubelet/kuberuntime/kuberuntime_manager.go: doBackOff')).toEqual(['pkg/', 'kubelet/', 'kuberuntime/', 'kuberuntime_', 'manager.go: doBackOff']);
  expect(breakable('{"missing":0,"duplicated":0}')).toEqual(['{"missing":', '0,', '"duplicated":', '0}']);
  expect(breakable('{"readyEndpointThroughout":true}')).toEqual(['{"ready', 'Endpoint', 'Throughout":', 'true}']);
  expect(breakable('KubeNodeNotReady')).toEqual(['KubeNodeNotReady']);
  expect(breakable('65,536 bytes')).toEqual(['65,536 bytes']);
  expect(breakable('1/2')).toEqual(['1/2']);
});

test('the redirect page keeps the fragment and works without JavaScript', () => {
  const html = redirectPage('/sre/kb/alerts/kubepodcrashlooping/');
  expect(html).toContain('<meta http-equiv="refresh" content="0; url=/sre/kb/alerts/kubepodcrashlooping/">');
  expect(html).toContain('location.replace("/sre/kb/alerts/kubepodcrashlooping/" + location.search + location.hash)');
  expect(html).toContain('<a href="/sre/kb/alerts/kubepodcrashlooping/">');
});
