// Accessibility: axe-core with the WCAG 2.0-2.2 A/AA rules and best practices, on every page in the
// sitemap, in the light and the dark theme. Zero violations.
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { sitemapPaths } from './pages.ts';

for (const scheme of ['light', 'dark'] as const) {
  test(`no axe violations on any page in the ${scheme} theme`, async ({ page, request }) => {
    test.setTimeout(180_000);
    await page.emulateMedia({ colorScheme: scheme });
    const found: string[] = [];
    for (const p of await sitemapPaths(request)) {
      await page.goto(p);
      const r = await new AxeBuilder({ page })
        .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
        .analyze();
      for (const v of r.violations) {
        found.push(`${p} [${scheme}] ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`);
      }
    }
    expect(found).toEqual([]);
  });
}
