// Accessibility: axe-core with the WCAG 2.0-2.2 A/AA rules and best practices, on every page in the
// sitemap, in the light and the dark theme. Zero violations.
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { SITE_PATHS } from './pages.ts';

for (const p of SITE_PATHS) {
  for (const scheme of ['light', 'dark'] as const) {
    test(`${p || 'home'}: no axe violations in the ${scheme} theme`, async ({ page }) => {
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(p);
      const r = await new AxeBuilder({ page })
        .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
        .analyze();
      expect(r.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`)).toEqual([]);
    });
  }
}
