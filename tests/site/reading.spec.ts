// What a reader sees, measured in the browser: on a 360 px phone and a 1280 px laptop, words in table
// cells stay whole, chart text is at least 11 px, an incident page is at most about twice as tall as
// on the laptop, the first steps come early, and the page prints as a document. Each measurement is
// attached to the test's annotations, so the report shows the numbers, not only a pass.
import { expect, type Page } from '@playwright/test';
import { BASE, SITE_PATHS, test } from './pages.ts';

const PHONE = { width: 360, height: 740 };
const LAPTOP = { width: 1280, height: 800 };
const INCIDENTS = SITE_PATHS.filter((p) => /^incidents\/[^/]+\/$/.test(p));
/** Pages with a table (every incident page, the alert index) plus one page of each other kind. */
const TABLE_PAGES = SITE_PATHS.filter((p) => /^(incidents\/[^/]+\/|alerts\/|)$/.test(p));

/** Smallest chart text (px on screen) and most-inflated page: the numbers the issue named. */
const MIN_CHART_TEXT_PX = 11;
const MAX_PHONE_TO_LAPTOP_HEIGHT = 2.0;
/** The first steps should start within two phone screens of the top. */
const FIRST_STEPS_WITHIN_PX = 2 * PHONE.height;

const note = (type: string, description: string): void => {
  test.info().annotations.push({ type, description });
};

/**
 * Every word in a visible table cell that the browser laid out on more than one line although the
 * cell is wide enough to hold it, and every cell whose content is wider than the cell. A word here is
 * a run of letters and digits: a line may end at a space, a hyphen, a slash or a <wbr> (which the site
 * puts into long paths on purpose), never inside "Expected". A word wider than a whole phone card (a
 * 34-letter feature gate name) has to break.
 */
async function brokenWords(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    for (const cell of document.querySelectorAll<HTMLElement>('main td, main th')) {
      if (cell.getClientRects().length === 0) continue;
      if (cell.scrollWidth > cell.clientWidth + 1) out.push(`cell wider than its column: "${cell.textContent?.trim().slice(0, 50)}"`);
      const cs = getComputedStyle(cell);
      const room = cell.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const text = n.textContent ?? '';
        for (const m of text.matchAll(/[\p{L}\p{N}]+/gu)) {
          const word = m[0];
          if (word.length < 2) continue;
          const r = document.createRange();
          r.setStart(n, m.index);
          r.setEnd(n, m.index + word.length);
          const rects = [...r.getClientRects()].filter((x) => x.width > 0);
          const lines = new Set(rects.map((x) => Math.round(x.top)));
          const wide = rects.reduce((n, x) => n + x.width, 0);
          if (lines.size > 1 && wide <= room) out.push(`"${word}" broken over ${lines.size} lines in a ${Math.round(room)} px cell`);
        }
      }
    }
    return out;
  });
}

for (const p of TABLE_PAGES) {
  test(`${p || 'home'}: no word in a table cell breaks, on a phone or a laptop`, async ({ sitePage: page }) => {
    for (const size of [PHONE, LAPTOP]) {
      await page.setViewportSize(size);
      await page.goto(p);
      expect(await brokenWords(page), `at ${size.width} px`).toEqual([]);
    }
  });
}

/** The smallest rendered size of any visible SVG text in main: font size times the SVG's scale. */
async function smallestChartText(page: Page): Promise<{ px: number; text: string }> {
  return page.evaluate(() => {
    let best = { px: Infinity, text: '' };
    for (const t of document.querySelectorAll<SVGTextElement>('main svg text')) {
      if (t.getClientRects().length === 0 || !t.textContent?.trim()) continue;
      const m = t.getScreenCTM();
      const px = parseFloat(getComputedStyle(t).fontSize) * (m ? Math.hypot(m.a, m.b) : 1);
      if (px < best.px) best = { px, text: t.textContent.trim().slice(0, 40) };
    }
    return best;
  });
}

for (const p of INCIDENTS) {
  test(`${p}: chart text is at least ${MIN_CHART_TEXT_PX} px at 360 px, both themes, and the charts scroll inside their figure @base-path`, async ({ sitePage: page }) => {
    await page.setViewportSize(PHONE);
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await page.goto(p);
      const min = await smallestChartText(page);
      note(`smallest chart text at 360 px (${colorScheme})`, `${min.px.toFixed(1)} px ("${min.text}")`);
      if (min.px !== Infinity) expect(min.px, `"${min.text}"`).toBeGreaterThanOrEqual(MIN_CHART_TEXT_PX - 0.05);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, 'the page itself does not scroll sideways').toBeLessThanOrEqual(0);
    }
  });

  test(`${p}: at 360 px at most ${MAX_PHONE_TO_LAPTOP_HEIGHT}x the laptop height; the first steps come early; the claims are cards`, async ({ sitePage: page }) => {
    await page.setViewportSize(LAPTOP);
    await page.goto(p);
    const laptop = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.setViewportSize(PHONE);
    await page.goto(p);
    const phone = await page.evaluate(() => document.documentElement.scrollHeight);
    note('page height', `${phone} px at 360 px, ${laptop} px at 1280 px: ${(phone / laptop).toFixed(2)}x`);
    expect(phone / laptop).toBeLessThanOrEqual(MAX_PHONE_TO_LAPTOP_HEIGHT);

    // The claims table is one card per claim: each row as wide as the table, its cells stacked.
    const rows = await page.locator('table.claims tbody tr').evaluateAll((trs) =>
      trs.map((tr) => {
        const cells = [...tr.children].map((td) => td.getBoundingClientRect());
        return { rowWidth: tr.getBoundingClientRect().width, lefts: new Set(cells.map((c) => Math.round(c.left))).size };
      }));
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.rowWidth).toBeGreaterThan(PHONE.width - 60);
      expect(r.lefts, 'cells stacked in one column').toBe(1);
    }

    // The first steps: the "If you are paged" box; without one, the page has not been given it yet.
    const box = page.locator('#if-you-are-paged');
    const mitigation = await page.locator('h2#mitigation').evaluate((h) => h.getBoundingClientRect().top + scrollY);
    note('Mitigation heading at 360 px', `${Math.round(mitigation)} px from the top (${(mitigation / phone * 100).toFixed(0)} % down)`);
    if ((await box.count()) === 0) {
      note('first steps', 'no "If you are paged" box on this page yet');
      return;
    }
    const top = await box.evaluate((h) => h.getBoundingClientRect().top + scrollY);
    note('"If you are paged" at 360 px', `${Math.round(top)} px from the top`);
    expect(top).toBeLessThanOrEqual(FIRST_STEPS_WITHIN_PX);
  });
}

test('on a laptop the claims table is a table: one row per claim, every column visible, nothing scrolls sideways', async ({ page }) => {
  await page.setViewportSize(LAPTOP);
  for (const p of INCIDENTS) {
    await page.goto(p);
    const t = await page.locator('table.claims').evaluate((table) => {
      const wrap = table.parentElement as HTMLElement;
      const first = table.querySelector('tbody tr') as HTMLElement;
      const cells = [...first.children].map((c) => c.getBoundingClientRect());
      return { scroll: wrap.scrollWidth - wrap.clientWidth, tops: new Set(cells.map((c) => Math.round(c.top))).size, widths: cells.map((c) => Math.round(c.width)) };
    });
    note(`${p} claims column widths at 1280 px`, t.widths.join(', '));
    expect(t.scroll, p).toBeLessThanOrEqual(0);
    expect(t.tops, `${p}: one row`).toBe(1);
    expect(Math.min(...t.widths.slice(1))).toBeGreaterThanOrEqual(80);
  }
});

test('navigation on a long page: heading self-links, the table of contents folds on a phone and marks the current section on a laptop, a copy button copies', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const p = INCIDENTS[0] as string;
  await page.setViewportSize(LAPTOP);
  await page.goto(p);
  for (const id of ['summary', 'root-cause', 'mitigation']) {
    await expect(page.locator(`.heading:has(h2#${id}) a.heading-link`)).toHaveAttribute('href', `#${id}`);
  }
  const toc = page.locator('details.toc');
  await expect(toc).toHaveAttribute('open', '');
  await page.evaluate(() => { const h = document.getElementById('impact'); if (h) scrollTo(0, h.getBoundingClientRect().top + scrollY - 20); });
  await expect(toc.locator('a[aria-current="true"]')).toHaveAttribute('href', '#impact');

  // Prose lines of about 70 characters: a paragraph of the summary is at most ~75 average characters wide.
  const chars = await page.locator('.content p').first().evaluate((el) => {
    const w = el.getBoundingClientRect().width;
    const probe = document.createElement('span');
    probe.textContent = 'abcdefghijklmnopqrstuvwxyz';
    el.append(probe);
    const per = probe.getBoundingClientRect().width / 26;
    probe.remove();
    return w / per;
  });
  note('characters per line', chars.toFixed(0));
  expect(chars).toBeLessThanOrEqual(85);

  const pre = page.locator('.content pre').first();
  await pre.hover();
  await page.locator('.content .code-wrap').first().getByRole('button', { name: 'Copy code' }).click();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toBe((await pre.innerText()).replace(/\n$/, ''));

  await page.setViewportSize(PHONE);
  await page.goto(p);
  await expect(toc).not.toHaveAttribute('open', '');
  await page.evaluate(() => scrollTo(0, document.documentElement.scrollHeight / 2));
  await expect(toc.locator('summary')).toBeInViewport();
  await toc.locator('summary').click();
  await toc.getByRole('link', { name: 'Mitigation' }).click();
  await expect(page).toHaveURL(/#mitigation$/);
  await expect(page.locator('h2#mitigation')).toBeInViewport();
});

test('the details box says how many claims were verified, on which tier and when', async ({ page }) => {
  for (const p of INCIDENTS) {
    await page.goto(p);
    const box = page.getByTestId('verification');
    const rows = await page.locator('table.claims tbody tr').count();
    const verified = await page.locator('table.claims tbody tr .status-pass').count();
    const text = (await box.textContent()) ?? '';
    note(`${p} details box`, text.replace(/\s+/g, ' ').trim());
    if (/not yet verified/.test(text)) expect(verified).toBe(0);
    else expect(text).toContain(`${verified} of ${rows} claims verified`);
    await expect(box.getByRole('link')).toHaveAttribute('href', '#what-the-repro-shows');
  }
});

test('printing an incident: light colours, no header, search, buttons or contents; folded sections open; links show their address', async ({ page }) => {
  const p = INCIDENTS.find((x) => x.includes('keepalive')) ?? (INCIDENTS[0] as string);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(p);
  await page.emulateMedia({ media: 'print', colorScheme: 'dark' });
  await page.evaluate(() => dispatchEvent(new Event('beforeprint')));
  const seen = await page.evaluate(() => {
    const shown = (sel: string): boolean => [...document.querySelectorAll<HTMLElement>(sel)].some((e) => e.getClientRects().length > 0);
    const a = document.querySelector('.content a[href^="http"]:not(table a)');
    return {
      header: shown('.site-header'),
      search: shown('form[role="search"]'),
      buttons: shown('main button'),
      toc: shown('.toc'),
      folded: [...document.querySelectorAll<HTMLDetailsElement>('main details:not(.source-file)')].filter((d) => !d.open).length,
      chartTable: shown('figure details table'),
      bg: getComputedStyle(document.body).backgroundColor,
      fg: getComputedStyle(document.body).color,
      after: a ? getComputedStyle(a, '::after').content : '',
    };
  });
  expect(seen).toMatchObject({ header: false, search: false, buttons: false, toc: false, folded: 0, chartTable: true, bg: 'rgb(255, 255, 255)' });
  expect(seen.fg).toBe('rgb(26, 29, 33)');
  expect(seen.after).toMatch(/\(" attr\(href\) "\)|\(https?:/);
  await page.evaluate(() => dispatchEvent(new Event('afterprint')));
  const pdf = await page.pdf({ format: 'A4' });
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
  note('printed pages (A4)', String(pages));
  expect(pages).toBeGreaterThan(0);
});

test('alert URLs answer in the alert\'s own case and any other, with and without the trailing slash @base-path', async ({ page }) => {
  const names = ['KubePodCrashLooping', 'GatewayHigh5xxRate'];
  for (const name of names) {
    for (const variant of [`alerts/${name}`, `alerts/${name}/`, `alerts/${name.toUpperCase()}`, `alerts/${name}#diagnosis`]) {
      await page.goto(variant);
      await expect(page.locator('h1'), variant).toHaveText(name);
      expect(new URL(page.url()).pathname, variant).toBe(`${BASE}alerts/${name.toLowerCase()}/`);
      if (variant.includes('#')) expect(new URL(page.url()).hash).toBe('#diagnosis');
    }
  }
});

test('search links to the section that matched, says when nothing matches well, and does not find alert pages through their incident list @base-path', async ({ page }) => {
  await page.goto('search/?q=conntrack');
  const first = page.locator('#search-results > li').first();
  await expect(first).toBeVisible();
  const href = (await first.locator('h2 a').getAttribute('href')) ?? '';
  expect(href, 'the result opens at the matching section').toMatch(/#[a-z0-9-]+$/);
  expect(await first.locator('mark').count()).toBeGreaterThan(0);

  await page.goto('search/?q=xyzzy');
  await expect(page.locator('#search-status')).toHaveText(/No page matches “xyzzy” well/);
  await expect(page.locator('#search-results > li')).toHaveCount(0);

  // A phrase from an incident's title appears on the alert pages only in their list of incidents.
  await page.goto('search/?q=chaos%20test%20left%20pods');
  await expect(page.locator('#search-results > li').first()).toBeVisible();
  const urls = await page.locator('#search-results > li h2 a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).pathname));
  expect(urls.filter((u) => u.includes('/alerts/'))).toEqual([]);
});

test('the home page starts with the alerts for whoever is paged, then the incidents', async ({ page }) => {
  await page.setViewportSize(PHONE);
  await page.goto('./');
  const paged = page.getByRole('region', { name: 'Paged? Find your alert' });
  await expect(paged).toBeVisible();
  const order = await page.evaluate(() => {
    const y = (sel: string): number => (document.querySelector(sel)?.getBoundingClientRect().top ?? NaN) + scrollY;
    return { paged: y('#paged'), incidents: y('#incidents') };
  });
  expect(order.paged).toBeLessThan(order.incidents);
  expect(order.paged).toBeLessThan(PHONE.height);
  const first = paged.getByRole('link').first();
  await first.click();
  await expect(page).toHaveURL(/\/alerts\/[a-z0-9]+\/$/);
});

test('the calculator keeps its settings in the URL and shows an error beside the field, on a phone too', async ({ page }) => {
  const p = 'incidents/crashloop-backoff/';
  await page.setViewportSize(PHONE);
  await page.goto(p);
  await expect(page.locator('.clb-calc[data-ready="true"]')).toBeVisible();
  await page.getByRole('spinbutton', { name: 'Seconds of run time between kills' }).fill('601');
  await page.getByLabel('Kubernetes version').selectOption('1.33');
  await expect(page).toHaveURL(/[?&]every=601\b/);
  await expect(page).toHaveURL(/[?&]version=1\.33\b/);
  const shared = page.url();

  const period = page.getByLabel(/maxContainerRestartPeriod/);
  await period.evaluate((el) => el.scrollIntoView({ block: 'center' }));
  await period.fill('400');
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('between 1 s and 300 s');
  await expect(period).toHaveAttribute('aria-invalid', 'true');
  await expect(period).toHaveAttribute('aria-describedby', (await alert.getAttribute('id')) ?? '');
  const gap = await page.evaluate(() => {
    const a = document.querySelector('[role="alert"]')?.getBoundingClientRect();
    const f = document.querySelector('[aria-invalid="true"]')?.getBoundingClientRect();
    return a && f ? a.top - f.bottom : NaN;
  });
  expect(gap, 'the message sits just below the field').toBeGreaterThanOrEqual(0);
  expect(gap).toBeLessThan(60);
  await expect(alert).toBeInViewport();
  await period.fill('');
  await expect(alert).toBeHidden();
  await expect(period).not.toHaveAttribute('aria-invalid', 'true');

  await page.goto(shared);
  await expect(page.locator('.clb-calc[data-ready="true"]')).toBeVisible();
  await expect(page.getByRole('spinbutton', { name: 'Seconds of run time between kills' })).toHaveValue('601');
  await expect(page.getByLabel('Kubernetes version')).toHaveValue('1.33');
  await expect(page.getByTestId('clb-kubelet')).toContainText('1.33');
});
