// Helpers for the browser tests: the site's pages (from its own sitemap), a guard that fails a
// test on console errors, failed requests or any request that leaves the site's origin, the
// internal-link check, and `test` with a `sitePage` fixture: one page per worker that the per-page
// tests navigate in turn.
import axe, { type AxeResults } from 'axe-core';
import { test as base, expect, type APIRequestContext, type ConsoleMessage, type Page, type Request, type Response } from '@playwright/test';
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

/** Undoes the listeners guard() put on a page, so a page that serves several tests can drop them between tests. */
const guards = new WeakMap<Page, (() => void)[]>();

/** Records console errors, page errors, failed requests and requests to other hosts. */
export function guard(page: Page): Guard {
  const g: Guard = { problems: [] };
  const origin = (): string => new URL(page.url() === 'about:blank' ? 'http://x' : page.url()).origin;
  const onConsole = (m: ConsoleMessage): void => {
    if (m.type() === 'error') g.problems.push(`console error: ${m.text()}`);
  };
  const onPageError = (e: Error): void => {
    g.problems.push(`page error: ${e.message}`);
  };
  const onRequest = (r: Request): void => {
    const u = new URL(r.url());
    if (u.protocol.startsWith('http') && page.url() !== 'about:blank' && u.origin !== origin()) g.problems.push(`request to another host: ${r.url()}`);
  };
  const onRequestFailed = (r: Request): void => {
    g.problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`);
  };
  const onResponse = (r: Response): void => {
    if (r.status() >= 400 && !r.url().endsWith('/404-check/')) g.problems.push(`HTTP ${r.status()}: ${r.url()}`);
  };
  page.on('console', onConsole).on('pageerror', onPageError).on('request', onRequest).on('requestfailed', onRequestFailed).on('response', onResponse);
  guards.set(page, [...(guards.get(page) ?? []), () => {
    page.off('console', onConsole).off('pageerror', onPageError).off('request', onRequest).off('requestfailed', onRequestFailed).off('response', onResponse);
  }]);
  return g;
}

/**
 * axe-core with the WCAG 2.0-2.2 A/AA rules and best practices (or only the given rules), over the
 * page or the part of it `within` selects; one line per violation. Highlighted code tokens are left
 * to code-contrast.spec.ts, which checks every token colour of every page from the built HTML: axe
 * would take minutes over thousands of token spans.
 *
 * The same axe.run that @axe-core/playwright's AxeBuilder makes (same context, same runOnly options),
 * but axe-core is injected into the page once and reused by later runs on the same page (the dark
 * pass after the light one), and the run happens in the page itself: AxeBuilder injects the 0.5 MB
 * script again on every analyze() and opens and closes a blank page to merge the results, which
 * cost several seconds per page on a busy 2-core machine. Same-origin frames get axe too, as axe.run
 * reaches into frames that have it (the site has none today).
 */
export async function axeViolations(page: Page, rules?: string[], within?: string): Promise<string[]> {
  for (const frame of page.frames()) {
    if (!(await frame.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe === 'object'))) {
      await frame.evaluate(axe.source);
      await frame.evaluate(() => (window as unknown as { axe: { configure(o: object): void } }).axe.configure({ allowedOrigins: ['<same_origin>'] }));
    }
  }
  // The code element holds nothing but the token spans, and excluding it is 8-10 times faster than
  // excluding '.shiki span' on a long page (a repro's source page: 5 s against 36-52 s, measured).
  // The pre around it, which scrolls and takes focus, is still checked.
  const context = { exclude: ['.shiki code'], include: within === undefined ? [] : [within] };
  const options = { resultTypes: ['violations'], runOnly: rules ? { type: 'rule', values: rules } : { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } };
  const r = await page.evaluate(
    ({ context, options }) => (window as unknown as { axe: { run(c: unknown, o: unknown): Promise<AxeResults> } }).axe.run(context, options),
    { context, options },
  );
  return r.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`);
}

/** The ids on each page of the site, fetched once per worker: null for a path that does not answer 200. */
const idsByPath = new Map<string, Promise<Set<string> | null>>();

function idsOf(request: APIRequestContext, path: string): Promise<Set<string> | null> {
  let ids = idsByPath.get(path);
  if (!ids) {
    ids = request.get(path).then(async (res) => (res.status() === 200 ? new Set([...(await res.text()).matchAll(/\sid="([^"]+)"/g)].map((m) => m[1] as string)) : null));
    idsByPath.set(path, ids);
  }
  return ids;
}

/**
 * Every link of the loaded page `p` to this site that is outside the base path, does not resolve
 * (200), or names an #anchor the target page lacks; one line each. Reads the links from the DOM as
 * the browser resolved them.
 */
export async function brokenLinks(page: Page, p: string): Promise<string[]> {
  const hrefs = await page.locator('a[href]').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
  const here = new URL(page.url()).origin;
  const broken: string[] = [];
  for (const href of hrefs) {
    const u = new URL(href);
    if (u.origin !== here) continue;
    if (!u.pathname.startsWith(BASE)) {
      broken.push(`${p}: ${href} is outside the base path ${BASE}`);
      continue;
    }
    const ids = await idsOf(page.request, u.pathname.slice(BASE.length));
    if (ids === null) broken.push(`${p}: ${href} does not resolve`);
    else if (u.hash && !ids.has(decodeURIComponent(u.hash.slice(1)))) broken.push(`${p}: ${href}: no element with id ${u.hash}`);
  }
  return broken;
}

/**
 * `sitePage`: one browser page per worker, shared by the tests that each check one page of the site
 * (a new context per test, and axe-core compiled afresh in each, cost about a second per page on a
 * busy 2-core machine). Each test gets it at the project's viewport, in the light theme, on screen
 * media, with no guard() listener of an earlier test; afterwards it is taken to about:blank, so
 * nothing of one page's loading happens during the next test. A page that fails to get there is
 * closed, and the next test gets a new one.
 */
export const test = base.extend<{ sitePage: Page }, { workerPages: { get(): Promise<Page>; drop(): Promise<void> } }>({
  workerPages: [async ({ browser }, use, info) => {
    const u = info.project.use;
    let page: Page | undefined;
    const drop = async (): Promise<void> => {
      await page?.context().close().catch(() => undefined);
      page = undefined;
    };
    await use({
      async get() {
        if (!page || page.isClosed()) {
          // The options of the project's device that a context takes (those of the `page` fixture).
          const { baseURL, viewport, userAgent, deviceScaleFactor, isMobile, hasTouch } = u;
          const context = await browser.newContext(Object.fromEntries(Object.entries({ baseURL, viewport, userAgent, deviceScaleFactor, isMobile, hasTouch }).filter(([, v]) => v !== undefined)));
          page = await context.newPage();
        }
        return page;
      },
      drop,
    });
    await drop();
  }, { scope: 'worker' }],
  sitePage: async ({ workerPages }, use, info) => {
    const page = await workerPages.get();
    const viewport = info.project.use.viewport;
    if (viewport) await page.setViewportSize(viewport);
    await page.emulateMedia({ media: 'screen', colorScheme: 'light' });
    await use(page);
    for (const off of guards.get(page) ?? []) off();
    guards.delete(page);
    try {
      await page.goto('about:blank', { timeout: 10_000 });
    } catch {
      await workerPages.drop();
    }
  },
});
