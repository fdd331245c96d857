// Contrast of highlighted code, computed from the built HTML: every token colour on every page, in
// the light and the dark theme, against its code block's background, must reach 4.5:1 (WCAG 1.4.3).
// axe skips code tokens (pages.ts); this covers them completely and in milliseconds.
import { expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SITE_PATHS, test } from './pages.ts';

const DIST = resolve(import.meta.dirname, '..', '..', process.env.KB_DIST ?? 'dist');
/** A token's colours come from its class (src/styles/code-colors.css) or its style attribute. */
const TOKEN_CLASSES = new Map(
  [...readFileSync(resolve(import.meta.dirname, '..', '..', 'src', 'styles', 'code-colors.css'), 'utf8').matchAll(/\.(t\d+) \{ (--shiki-light: #[0-9a-fA-F]+; --shiki-dark: #[0-9a-fA-F]+;) \}/g)]
    .map((m) => [m[1] as string, (m[2] as string).replace(/: /g, ':')]),
);

type Rgb = [number, number, number];

function rgb(hex: string, under?: Rgb): Rgb {
  const h = hex.replace('#', '');
  const full = h.length <= 4 ? [...h].map((c) => c + c).join('') : h;
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16)) as Rgb;
  const a = full.length === 8 ? parseInt(full.slice(6, 8), 16) / 255 : 1;
  if (a === 1 || !under) return [r, g, b];
  return [r * a + under[0] * (1 - a), g * a + under[1] * (1 - a), b * a + under[2] * (1 - a)];
}

function luminance([r, g, b]: Rgb): number {
  const lin = (c: number): number => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

export function contrast(fg: Rgb, bg: Rgb): number {
  const [a, b] = [luminance(fg), luminance(bg)].sort((x, y) => y - x) as [number, number];
  return (a + 0.05) / (b + 0.05);
}

test('the contrast helper matches known WCAG values', () => {
  expect(contrast(rgb('#000000'), rgb('#ffffff'))).toBeCloseTo(21, 5);
  expect(contrast(rgb('#767676'), rgb('#ffffff'))).toBeCloseTo(4.54, 2);
});

test('every code token colour meets 4.5:1 in both themes on every page', () => {
  const failures = new Set<string>();
  let checked = 0;
  for (const p of SITE_PATHS) {
    const html = readFileSync(join(DIST, p, 'index.html'), 'utf8');
    for (const block of html.matchAll(/<pre class="[^"]*(?:shiki|astro-code)[^"]*" style="([^"]*)"[^>]*>([\s\S]*?)<\/pre>/g)) {
      const style = block[1] as string;
      const bgLight = rgb(style.match(/--shiki-light-bg:(#[0-9a-fA-F]+)/)?.[1] ?? '#ffffff');
      const bgDark = rgb(style.match(/--shiki-dark-bg:(#[0-9a-fA-F]+)/)?.[1] ?? '#000000');
      const tokens = [...(block[2] as string).matchAll(/<span(?: class="(t\d+)")?(?: style="([^"]*)")?>/g)].map((m) => {
        const byClass = m[1] ? TOKEN_CLASSES.get(m[1]) : '';
        if (byClass === undefined) failures.add(`${p || 'home'}: token class ${m[1]} has no colours in src/styles/code-colors.css`);
        return `${byClass ?? ''}${m[2] ?? ''}`;
      });
      const colours = [style, ...tokens.filter(Boolean)];
      for (const s of colours) {
        const light = s.match(/--shiki-light:(#[0-9a-fA-F]+)/)?.[1];
        const dark = s.match(/--shiki-dark:(#[0-9a-fA-F]+)/)?.[1];
        for (const [fg, bg, theme] of [[light, bgLight, 'light'], [dark, bgDark, 'dark']] as const) {
          if (!fg) continue;
          checked++;
          const c = contrast(rgb(fg, bg), bg);
          if (c < 4.5) failures.add(`${p || 'home'}: ${fg} on ${theme} background: ${c.toFixed(2)}:1`);
        }
      }
    }
  }
  expect(TOKEN_CLASSES.size).toBeGreaterThan(5);
  expect(checked).toBeGreaterThan(100);
  expect([...failures]).toEqual([]);
});
