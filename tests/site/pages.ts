// Helpers for the browser tests: the site's pages (from its own sitemap) and a guard that fails a
// test on console errors, failed requests or any request that leaves the site's origin.
import axe, { type AxeResults } from 'axe-core';
import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const BASE = (process.env.KB_BASE ?? '/').replace(/\/?$/, '/');
const DIST = resolve(import.meta.dirname, '..', '..', process.env.KB_DIST ?? 'dist');

/**
 * The built site's pages, read from its sitemap on disk when the tests are collected, so each page
 * gets tests of its own (and the two workers share them). Paths are relative to the base, e.g.
 * "incidents/x/".
 */
export const SITE_PATHS: readonly string[] = (() => {
  let xml: string;
  try {
    xml = readFileSync(join(DIST, 'sitemap-0.xml'), 'utf8');
  } catch {
    return [];
  }
  return [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => new URL(m[1] as string).pathname.slice(BASE.length));
})();

/** Paths relative to the site root (no leading slash), e.g. "incidents/x/", from sitemap-0.xml. */
export async function sitemapPaths(request: APIRequestContext): Promise<string[]> {
  const res = await request.get('sitemap-0.xml');
  expect(res.status()).toBe(200);
  const locs = [...(await res.text()).matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => new URL(m[1] as string).pathname);
  for (const p of locs) expect(p.startsWith(BASE), `sitemap entry ${p} is under the base ${BASE}`).toBe(true);
  return locs.map((p) => p.slice(BASE.length));
}

export interface Guard {
  problems: string[];
}

/** Records console errors, page errors, failed requests and requests to other hosts. */
export function guard(page: Page): Guard {
  const g: Guard = { problems: [] };
  const origin = (): string => new URL(page.url() === 'about:blank' ? 'http://x' : page.url()).origin;
  page.on('console', (m) => {
    if (m.type() === 'error') g.problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => g.problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.protocol.startsWith('http') && page.url() !== 'about:blank' && u.origin !== origin()) g.problems.push(`request to another host: ${r.url()}`);
  });
  page.on('requestfailed', (r) => g.problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => {
    if (r.status() >= 400 && !r.url().endsWith('/404-check/')) g.problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return g;
}

/**
 * axe-core with the WCAG 2.0-2.2 A/AA rules and best practices (or only the given rules); one line
 * per violation. Highlighted code tokens are left to code-contrast.spec.ts, which checks every token
 * colour of every page from the built HTML: axe would take minutes over thousands of token spans.
 *
 * The same axe.run that @axe-core/playwright's AxeBuilder makes (same context, same runOnly options),
 * but axe-core is injected into the page once and reused by later runs on the same page (the dark
 * pass after the light one), and the run happens in the page itself: AxeBuilder injects the 0.5 MB
 * script again on every analyze() and opens and closes a blank page to merge the results, which
 * cost several seconds per page on a busy 2-core machine. Same-origin frames get axe too, as axe.run
 * reaches into frames that have it (the site has none today).
 */
export async function axeViolations(page: Page, rules?: string[]): Promise<string[]> {
  for (const frame of page.frames()) {
    if (!(await frame.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe === 'object'))) {
      await frame.evaluate(axe.source);
      await frame.evaluate(() => (window as unknown as { axe: { configure(o: object): void } }).axe.configure({ allowedOrigins: ['<same_origin>'] }));
    }
  }
  // The code element holds nothing but the token spans, and excluding it is 8-10 times faster than
  // excluding '.shiki span' on a long page (a repro's source page: 5 s against 36-52 s, measured).
  // The pre around it, which scrolls and takes focus, is still checked.
  const context = { exclude: ['.shiki code'], include: [] as string[] };
  const options = { runOnly: rules ? { type: 'rule', values: rules } : { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } };
  const r = await page.evaluate(
    ({ context, options }) => (window as unknown as { axe: { run(c: unknown, o: unknown): Promise<AxeResults> } }).axe.run(context, options),
    { context, options },
  );
  return r.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`);
}
