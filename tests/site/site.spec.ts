import { expect } from '@playwright/test';
import { INCIDENT_SECTIONS, ALERT_SECTIONS } from '../../src/taxonomy.ts';
import { axeViolations, BASE, brokenLinks, guard, SITE_PATHS, sitemapPaths, test } from './pages.ts';
import { existsSync, readFileSync } from 'node:fs';

const RESULTS = new URL('../../test-results/claims.json', import.meta.url);
const verdicts: Record<string, { pass: boolean }> = existsSync(RESULTS) ? (JSON.parse(readFileSync(RESULTS, 'utf8')) as { claims: Record<string, { pass: boolean }> }).claims : {};

test('the served sitemap lists the built pages, all under the base path @base-path', async ({ request }) => {
  expect(SITE_PATHS.length).toBeGreaterThan(5);
  expect(await sitemapPaths(request)).toEqual(SITE_PATHS);
});

/** The page's template: every page of one kind is built by the same code. */
const kindOf = (p: string): string => p.replace(/^incidents\/[^/]+\/source\/.*$/, 'source').replace(/\/[^/]+\/$/, '/*').replace(/^$/, 'home');
/** Under a base path the render checks run on one page of each kind; the links of every page are checked. */
const PAGES = BASE === '/' ? SITE_PATHS : SITE_PATHS.filter((p, i) => SITE_PATHS.findIndex((q) => kindOf(q) === kindOf(p)) === i);

// One navigation per page for the checks every page must pass: it renders (one h1, landmarks), every
// internal link and #anchor on it resolves (and stays under the base path), it makes no request to
// another host, no request fails, it logs no error, has no axe violation in either theme, and does
// not scroll sideways on a 360 px wide phone screen (what a reader sees there is measured in
// reading.spec.ts: words in table cells, chart text size, page height, first steps, print). The pages
// share one browser page per worker (pages.ts `sitePage`).
for (const p of SITE_PATHS) {
  if (!PAGES.includes(p)) {
    test(`${p}: its internal links and #anchors resolve @base-path`, async ({ sitePage: page }) => {
      const res = await page.goto(p);
      expect(res?.status()).toBe(200);
      expect(await brokenLinks(page, p), 'internal links').toEqual([]);
    });
    continue;
  }
  test(`${p || 'home'}: renders, its internal links and #anchors resolve, stays on this host, no console errors, no axe violations in light and dark, no sideways scroll at 360 px @base-path`, async ({ sitePage: page }) => {
    test.setTimeout(90_000); // axe over a long incident page takes a while on a busy 2-core machine
    const g = guard(page);
    await page.emulateMedia({ colorScheme: 'light' });
    const res = await page.goto(p, { waitUntil: 'load' });
    expect(res?.status()).toBe(200);
    await expect(page.locator('h1')).toHaveCount(1);
    await expect(page.getByRole('main')).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
    expect(await brokenLinks(page, p), 'internal links').toEqual([]);
    // Accessibility does not depend on the base path: checked once, in the main run. Only colours
    // change with the theme, so the dark pass runs the colour-contrast rule alone.
    if (BASE === '/') {
      expect(await axeViolations(page), 'light theme').toEqual([]);
      await page.emulateMedia({ colorScheme: 'dark' });
      expect(await axeViolations(page, ['color-contrast']), 'dark theme').toEqual([]);
    }
    await page.setViewportSize({ width: 360, height: 740 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, 'horizontal overflow at 360 px').toBeLessThanOrEqual(0);
    expect(g.problems).toEqual([]);
  });
}

for (const p of SITE_PATHS.filter((x) => /^incidents\/[^/]+\/$/.test(x))) {
  test(`${p}: every runbook anchor, a table of contents, the claims table with the last run's verdicts, sources that open inline`, async ({ page }) => {
    await page.goto(p);
    for (const id of INCIDENT_SECTIONS) await expect(page.locator(`h2#${id}`), `#${id}`).toHaveCount(1);
    await expect(page.getByRole('navigation', { name: 'On this page' })).toBeVisible();
    const claims = page.locator('table.claims tbody tr');
    expect(await claims.count()).toBeGreaterThan(0);
    // The status must be exactly what the last test run recorded, and "not yet verified" without one.
    const rows = await claims.evaluateAll((trs) => trs.map((tr) => [tr.id.replace(/^claim-/, ''), tr.querySelector('.status')?.textContent ?? '']));
    for (const [id, status] of rows) {
      const v = verdicts[`${p.split('/')[1]}#${id}`];
      expect(status, `claim ${id}`).toMatch(v === undefined ? /^not yet verified$/ : v.pass ? /^✓ verified \d{4}-\d\d-\d\d$/ : /^✗ failed/);
    }
    await expect(page.locator('#run-it-yourself')).toBeVisible();
    // A source file opens inline, taken from the incident's source page; its link is its section there.
    const first = page.locator('details.source-file').first();
    const file = await first.getAttribute('data-file');
    await first.locator('summary').click();
    await expect(first.locator('pre.shiki')).toBeVisible();
    await expect(first.getByRole('link')).toHaveAttribute('href', new RegExp(`/${p}source/#${file?.replace(/\./g, '\\.')}$`));
    // A second file opens from the same fetched page.
    const second = page.locator('details.source-file').nth(1);
    await second.locator('summary').click();
    await expect(second.locator('pre.shiki')).toBeVisible();
    await expect(page.getByRole('link', { name: 'Edit this page' })).toHaveAttribute('href', /\/edit\/.+content\/incidents\/.+\.md$/);
  });
}

for (const p of SITE_PATHS.filter((x) => /^incidents\/[^/]+\/source\/$/.test(x))) {
  test(`${p}: every file of the repro in its own section, listed at the top, code scrolling in its own box at 360 px`, async ({ page }) => {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(p);
    const listed = await page.locator('nav ol.source-index a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    const sections = await page.locator('section.source-section').evaluateAll((ss) => ss.map((s) => ({
      id: s.querySelector('h2')?.id ?? '',
      code: s.querySelector('pre.shiki') !== null,
      file: (s.querySelector('[data-source-code]') as HTMLElement | null)?.dataset.file,
    })));
    expect(sections.length).toBeGreaterThan(1);
    expect(listed).toEqual(sections.map((s) => `#${s.id}`));
    for (const s of sections) expect(s, s.id).toEqual({ id: s.file, code: true, file: s.id });
    const widest = await page.locator('pre.shiki').evaluateAll((ps) => Math.max(...ps.map((x) => x.getBoundingClientRect().right)));
    expect(widest).toBeLessThanOrEqual(360);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  });
}

test('an old address of one source file leads to its section on the source page', async ({ page }) => {
  const p = SITE_PATHS.find((x) => /^incidents\/[^/]+\/source\/$/.test(x)) as string;
  await page.goto(p);
  const file = (await page.locator('section.source-section h2').first().getAttribute('id')) as string;
  await page.goto(`${p}${file}/`);
  await page.waitForURL((u) => u.hash === `#${file}`);
  expect(new URL(page.url()).pathname).toBe(`${BASE}${p}`);
});

const ALERT_PAGES = SITE_PATHS.filter((p) => /^alerts\/[^/]+\/$/.test(p));
test('the site has alert pages @base-path', () => {
  expect(ALERT_PAGES.length).toBeGreaterThan(0);
});
for (const p of ALERT_PAGES) {
  test(`${p}: answers with and without the trailing slash, lower-case as runbook_url uses it @base-path`, async ({ sitePage: page }) => {
    for (const variant of [p, p.replace(/\/$/, '')]) {
      const res = await page.goto(variant);
      expect(res?.status(), variant).toBe(200);
      await expect(page.locator('h1')).toHaveText(/^[A-Z][A-Za-z0-9]+$/);
      for (const id of ALERT_SECTIONS) await expect(page.locator(`h2#${id}`), `${variant} #${id}`).toHaveCount(1);
    }
  });
}

test('an unknown path gets the 404 page', async ({ page }) => {
  const res = await page.goto('no/such/page/');
  expect(res?.status()).toBe(404);
  await expect(page.locator('h1')).toHaveText('Page not found');
});

test('home lists incidents newest first and the filters narrow the list', async ({ page }) => {
  await page.goto('./');
  const cards = page.locator('.incident-card');
  const n = await cards.count();
  expect(n).toBeGreaterThan(0);
  const dates = await page.locator('.incident-card time').allTextContents();
  expect([...dates].sort().reverse()).toEqual(dates);
  const select = page.getByRole('form', { name: 'Filter incidents' }).getByLabel('Alert');
  const options = (await select.locator('option').allTextContents()).filter((o) => o !== 'All');
  for (const alert of options) {
    await select.selectOption(alert);
    const visible = page.locator('.incident-card:visible');
    const k = await visible.count();
    expect(k).toBeGreaterThan(0);
    for (const card of await visible.all()) await expect(card).toContainText(alert);
    await expect(page.locator('#incident-count')).toHaveText(new RegExp(`^${k} of ${n} incidents`));
  }
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(page.locator('.incident-card:visible')).toHaveCount(n);
});

test('search finds an incident by a word from its body and links to it @base-path', async ({ page }) => {
  await page.goto('./');
  const first = page.locator('.incident-card :is(h2, h3) a').first();
  const title = (await first.textContent()) ?? '';
  const href = (await first.getAttribute('href')) ?? '';
  await page.getByRole('searchbox', { name: 'Search the knowledge base' }).fill(title.split(/\s+/).slice(0, 3).join(' '));
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page).toHaveURL(/search\/\?q=/);
  const result = page.locator('#search-results a').first();
  await expect(result).toBeVisible();
  const hrefs = await page.locator('#search-results a').evaluateAll((as) => as.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
  expect(hrefs.some((h) => h === href || h === href.replace(/\/$/, '') || `${h}/` === href)).toBe(true);
  for (const h of hrefs) expect(h.startsWith(BASE)).toBe(true);
});

test('the theme follows the system and the toggle overrides it', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto('./');
  const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const dark = await bg();
  const toggle = page.getByRole('button', { name: /Theme:/ });
  await expect(toggle).toHaveText('Theme: system');
  await toggle.click();
  await expect(toggle).toHaveText('Theme: light');
  expect(await bg()).not.toBe(dark);
  await page.reload();
  await expect(page.getByRole('button', { name: /Theme:/ })).toHaveText('Theme: light');
  await page.getByRole('button', { name: /Theme:/ }).click();
  await expect(page.getByRole('button', { name: /Theme:/ })).toHaveText('Theme: dark');
  expect(await bg()).toBe(dark);
});

test('at 360 px the navigation and the search box are usable', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto('./');
  for (const name of ['Incidents', 'Alerts', 'Tags', 'Components']) {
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true })).toBeInViewport();
  }
  const box = page.getByRole('searchbox', { name: 'Search the knowledge base' });
  await expect(box).toBeInViewport();
  await box.fill('kubelet');
  await box.press('Enter');
  await expect(page).toHaveURL(/search\/\?q=kubelet/);
});

test('every runbook_url in the served PrometheusRule opens its alert page @base-path', async ({ request }) => {
  const res = await request.get('alert-rules/prometheus-rule.yaml');
  expect(res.status()).toBe(200);
  const urls = [...(await res.text()).matchAll(/runbook_url: (\S+)/g)].map((m) => new URL(m[1] as string).pathname);
  expect(urls.length).toBeGreaterThan(0);
  for (const path of urls) {
    expect(path.startsWith(BASE), path).toBe(true);
    const page = await request.get(path.slice(BASE.length));
    expect(page.status(), path).toBe(200);
  }
});
