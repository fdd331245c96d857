// Size budgets on the built site, gzip sizes. Reference: a default Astro Starlight 0.42 site (two
// pages, built with the same Astro) ships per page 5.7-6.0 KB of HTML, 16.3 KB of CSS in total, and
// 4.5 KB of JavaScript up front plus 25.9 KB of search UI on demand (30.4 KB). Our budgets are at
// or below those, except HTML of pages whose content is long by nature (incident pages, source
// files), which get their own caps. README "Quality" explains them.
import { expect } from '@playwright/test';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { SITE_PATHS, test } from './pages.ts';

const DIST = resolve(import.meta.dirname, '..', '..', process.env.KB_DIST ?? 'dist');
export const BUDGETS = {
  /** Every page that is not an incident page or a source page (Starlight: 5.7-6.0 KB). */
  htmlPageKb: 6,
  /**
   * Incident pages: a full postmortem (with the paged engineer's box, what the write-up reports kept
   * apart from what the page reconstructs), the claims table with each claim's observed value and
   * its verdict per tier with versions, and run instructions. 24 KB held until the verdicts of a
   * real test run (observed values, real-tier lines) landed in the table; 32 KB leaves room for them.
   */
  htmlIncidentKb: 32,
  /**
   * An incident's source page: every file of its repro, highlighted, on one page (8-11 files,
   * 2,300-2,900 lines: 26-29 KB today, against 40-41 KB for the same files as one page each). It is
   * never loaded up front: a reader asks for it, or opens a file inline on the incident page, which
   * fetches it once for all files. 40 KB leaves room for a repro about 40% larger than today's largest.
   */
  htmlSourceKb: 40,
  /** All CSS of the site together (Starlight: 16.3 KB). */
  cssTotalKb: 16,
  /** JavaScript one page can load, up front and on demand (Starlight: 30.4 KB). */
  jsPageKb: 30,
  /** Inline script on a page without islands: only the theme (Starlight ships 4.5 KB up front). */
  inlineScriptKb: 1,
  /**
   * The reading aids of an incident or alert page (src/components/PageTools.astro: copy buttons,
   * current section in the table of contents, folded sections opened for print), inline.
   */
  pageToolsKb: 0.75,
};

const gz = (buf: Buffer | string): number => gzipSync(buf, { level: 9 }).length / 1024;
const file = (p: string): string => join(DIST, p.replace(/^\/+/, ''));

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

function htmlOf(path: string): string {
  return readFileSync(join(DIST, path, 'index.html'), 'utf8');
}

function budgetFor(path: string): number {
  if (/^incidents\/[^/]+\/source\//.test(path)) return BUDGETS.htmlSourceKb;
  if (/^incidents\/[^/]+\/$/.test(path)) return BUDGETS.htmlIncidentKb;
  return BUDGETS.htmlPageKb;
}

test('HTML per page is within its budget', () => {
  const over = SITE_PATHS.map((p) => ({ p, kb: gz(htmlOf(p)), max: budgetFor(p) })).filter((x) => x.kb > x.max);
  expect(over.map((x) => `${x.p || 'home'}: ${x.kb.toFixed(1)} KB > ${x.max} KB`)).toEqual([]);
});

test('all CSS together is within budget', () => {
  const css = walk(DIST).filter((f) => f.endsWith('.css') && !f.includes(`${DIST}/pagefind/`));
  const kb = css.reduce((n, f) => n + gz(readFileSync(f)), 0);
  expect(kb).toBeLessThanOrEqual(BUDGETS.cssTotalKb);
});

test('JavaScript per page, up front and on demand, is within budget; pages without islands load no script file', () => {
  const problems: string[] = [];
  for (const p of SITE_PATHS) {
    const html = htmlOf(p);
    const srcs = [...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1] as string);
    const inline = [...html.matchAll(/<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1] as string);
    let kb = srcs.reduce((n, s) => n + gz(readFileSync(file(s.slice((process.env.KB_BASE ?? '/').length - 1)))), 0) + gz(inline.join('\n'));
    // The search page loads Pagefind's engine on demand.
    if (/^search\/$/.test(p)) kb += gz(readFileSync(join(DIST, 'pagefind', 'pagefind.js')));
    if (kb > BUDGETS.jsPageKb) problems.push(`${p || 'home'}: ${kb.toFixed(1)} KB of JavaScript > ${BUDGETS.jsPageKb} KB`);
    const island = /^(incidents\/[^/]+\/|alerts\/[^/]+\/|search\/|)$/.test(p);
    if (!island) {
      if (srcs.length > 0) problems.push(`${p}: loads ${srcs.join(', ')} but has no island`);
      const inlineKb = gz(inline.join('\n'));
      if (inlineKb > BUDGETS.inlineScriptKb) problems.push(`${p}: ${inlineKb.toFixed(1)} KB of inline script > ${BUDGETS.inlineScriptKb} KB`);
    }
  }
  expect(problems).toEqual([]);
});

test('the reading aids script of a long page stays small', () => {
  const problems: string[] = [];
  for (const p of SITE_PATHS.filter((x) => /^(incidents|alerts)\/[^/]+\/$/.test(x))) {
    const tools = [...htmlOf(p).matchAll(/<script[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1] as string).find((js) => js.includes('copy-code'));
    if (!tools) {
      problems.push(`${p}: no reading aids script`);
      continue;
    }
    const kb = gz(tools);
    if (kb > BUDGETS.pageToolsKb) problems.push(`${p}: reading aids ${kb.toFixed(2)} KB > ${BUDGETS.pageToolsKb} KB`);
  }
  expect(problems).toEqual([]);
});
