// npm run bench [-- --sizes 100,500,1000] [--no-search] [--no-repros]
// Measures how the site scales and how fast search and the repro suite are, prints a table and keeps
// the results in tests/bench/results.json (committed, so changes show up in review).
//  - build: the real site plus N synthetic incident pages (copies of the real ones under new slugs,
//    each with its own repro entry, in a temporary folder): build time, time per added page, peak
//    memory, search index size. Budget: under 50 ms per added page.
//  - search: time to first result in Chromium on the largest build, first (cold) and later queries.
//  - repros: wall time of all scaled repro scenarios (node --test tests/repros/).
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { preview } from 'astro';
import { chromiumArgs, findChromium } from '../lib/browser.ts';
import { HOST } from '../../repros/lib/address.ts';
import { registerRepros } from '../../repros/lib/registry-file.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const RESULTS = join(import.meta.dirname, 'results.json');
const BUDGET_MS_PER_PAGE = 50;
// Issue 16's targets. Starlight's cost per added document was measured side by side (Starlight 0.42.4
// on Astro 7.3.4, same Markdown, cold builds alternated): 25 ms. This bench does not build Starlight;
// the figure is the reference it compares against.
const TARGET_MS_PER_INCIDENT = 25;
const TARGET_PEAK_MB = 2300;
const TARGET_SEARCH_MS = 300;
/** The search box waits this long after the last keystroke (src/pages/search.astro). */
const DEBOUNCE_MS = 200;

const args = process.argv.slice(2);
const sizesArg = args.includes('--sizes') ? args[args.indexOf('--sizes') + 1] ?? '' : '100,500,1000';
const sizes = sizesArg.split(',').map(Number);
if (sizes.some((n) => !Number.isInteger(n) || n <= 0)) {
  console.error(`--sizes must be a comma-separated list of positive whole numbers, got "${sizesArg}"`);
  process.exit(2);
}
for (const a of args) {
  if (a.startsWith('--') && !['--sizes', '--no-search', '--no-repros'].includes(a)) {
    console.error(`unknown option ${a}. Valid: --sizes <n,n,...>, --no-search, --no-repros`);
    process.exit(2);
  }
}

function dirSize(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? dirSize(p) : statSync(p).size;
  }
  return total;
}

function walkHtml(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) n += walkHtml(join(dir, e.name));
    else if (e.name.endsWith('.html')) n += 1;
  }
  return n;
}

function sandbox(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kb-bench-'));
  for (const p of ['src', 'content', 'repros', 'astro.config.mjs', 'package.json', 'tsconfig.json']) {
    cpSync(join(ROOT, p), join(dir, p), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** Adds n synthetic incidents: copies of the real pages under new slugs, each owning a repro alias. */
function addSynthetic(dir: string, n: number): void {
  const incDir = join(dir, 'content', 'incidents');
  const real = readdirSync(join(ROOT, 'content', 'incidents')).filter((f) => f.endsWith('.mdx')).sort();
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const file = real[i % real.length] as string;
    const slug = file.replace(/\.mdx$/, '');
    const id = `bench-${String(i).padStart(4, '0')}-${slug}`;
    const text = readFileSync(join(ROOT, 'content', 'incidents', file), 'utf8')
      .replace(/^title: (["']?)(.*?)\1$/m, (_m, _q, t: string) => `title: ${JSON.stringify(`${t} (synthetic ${i})`)}`);
    writeFileSync(join(incDir, `${id}.mdx`), text);
    mkdirSync(join(dir, 'repros', id), { recursive: true });
    writeFileSync(
      join(dir, 'repros', id, 'repro.ts'),
      `import { repro as base } from '../${slug}/repro.ts';\nimport type { Repro } from '../lib/repro.ts';\nexport const repro: Repro = { ...base, slug: '${id}' };\n`,
    );
    ids.push(id);
  }
  // The page owns the repro of its file name, listed in the registry like any other.
  registerRepros(join(dir, 'repros'), ids);
}

interface BuildResult { incidents: number; pages: number; seconds: number; msPerAddedIncident: number | null; msPerAddedPage: number | null; peakMemoryMb: number; searchIndexKb: number }

function buildOnce(dir: string): { ms: number; maxRssMb: number } {
  const r = spawnSync(process.execPath, [join(import.meta.dirname, 'build-once.ts'), dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`build failed in ${dir}:\n${r.stderr.slice(-3000)}`);
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as { ms: number; maxRssMb: number };
}

const realCount = readdirSync(join(ROOT, 'content', 'incidents')).filter((f) => f.endsWith('.mdx')).length;
const builds: BuildResult[] = [];
let largest: string | undefined;
console.log(`build scaling: the real site (${realCount} incidents), then +${sizes.join(', +')} synthetic incidents`);
let baseMs = 0;
let basePages = 0;
for (const n of [0, ...sizes]) {
  const dir = sandbox();
  addSynthetic(dir, n);
  const { ms, maxRssMb } = buildOnce(dir);
  // A page is an HTML file: an incident brings its own page and one page per repro source file.
  const pages = walkHtml(join(dir, 'dist'));
  if (n === 0) {
    baseMs = ms;
    basePages = pages;
  }
  const r: BuildResult = {
    incidents: realCount + n,
    pages,
    seconds: ms / 1000,
    msPerAddedIncident: n === 0 ? null : (ms - baseMs) / n,
    msPerAddedPage: n === 0 ? null : (ms - baseMs) / (pages - basePages),
    peakMemoryMb: maxRssMb,
    searchIndexKb: dirSize(join(dir, 'dist', 'pagefind')) / 1024,
  };
  builds.push(r);
  console.log(`  ${r.incidents} incidents, ${r.pages} pages: ${r.seconds.toFixed(1)} s${r.msPerAddedPage !== null ? `, ${r.msPerAddedIncident?.toFixed(0)} ms per added incident, ${r.msPerAddedPage.toFixed(1)} ms per added page` : ''}, peak ${r.peakMemoryMb.toFixed(0)} MB, search index ${r.searchIndexKb.toFixed(0)} KB`);
  if (largest) rmSync(largest, { recursive: true, force: true });
  largest = dir;
}

let search: { incidents: number; coldMs: number; warmMedianMs: number } | undefined;
if (!args.includes('--no-search') && largest) {
  const b = findChromium();
  const server = await preview({ root: largest, server: { host: HOST, port: 0 }, logLevel: 'error' });
  const browser = await chromium.launch({ ...(b.executablePath ? { executablePath: b.executablePath } : {}), args: chromiumArgs() });
  try {
    const page = await browser.newPage();
    await page.goto(`http://${HOST}:${server.port}/search/`);
    const times: number[] = [];
    for (const q of ['kubelet back-off', 'containerd pipe', 'keep-alive 502', 'endpoints', 'preStop', 'CrashLoopBackOff']) {
      await page.locator('#q').fill('');
      await page.locator('#search-results a').first().waitFor({ state: 'detached' }).catch(() => undefined);
      const t0 = performance.now();
      await page.locator('#q').fill(q);
      await page.locator('#search-results a').first().waitFor({ state: 'visible', timeout: 30_000 });
      times.push(performance.now() - t0);
    }
    const [cold, ...warm] = times;
    const sorted = [...warm].sort((a, b) => a - b);
    // Measured from the keystroke; the figures are after the pause (the 200 ms debounce taken off), as
    // issue 16's target is stated.
    search = { incidents: builds.at(-1)?.incidents ?? 0, coldMs: (cold ?? 0) - DEBOUNCE_MS, warmMedianMs: (sorted[Math.floor(sorted.length / 2)] ?? 0) - DEBOUNCE_MS };
    console.log(`search on ${search.incidents} incidents, after the ${DEBOUNCE_MS} ms pause: first query ${search.coldMs.toFixed(0)} ms (page just opened), later queries median ${search.warmMedianMs.toFixed(0)} ms`);
  } finally {
    await browser.close();
    await server.stop();
  }
}
if (largest) rmSync(largest, { recursive: true, force: true });

let repros: { seconds: number; ok: boolean } | undefined;
if (!args.includes('--no-repros')) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--test', '--test-reporter=dot', 'tests/repros/*.test.ts'], { cwd: ROOT, encoding: 'utf8' });
  repros = { seconds: (performance.now() - t0) / 1000, ok: r.status === 0 };
  console.log(`repro suite (scaled scenarios): ${repros.seconds.toFixed(1)} s, ${repros.ok ? 'all passed' : 'FAILURES'}`);
}

const commit = (() => {
  try { return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim(); } catch { return 'unknown'; }
})();
const doc = {
  measuredAt: new Date().toISOString(),
  commit,
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version },
  budgetMsPerAddedPage: BUDGET_MS_PER_PAGE,
  targets: { msPerAddedIncident: TARGET_MS_PER_INCIDENT, peakMemoryMb: TARGET_PEAK_MB, searchMsAfterPause: TARGET_SEARCH_MS },
  builds,
  search,
  repros,
};
writeFileSync(RESULTS, JSON.stringify(doc, null, 2) + '\n');

console.log('\n| incidents | pages | build (s) | ms per added incident | ms per added page | peak memory (MB) | search index (KB) |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of builds) console.log(`| ${r.incidents} | ${r.pages} | ${r.seconds.toFixed(1)} | ${r.msPerAddedIncident === null ? '-' : r.msPerAddedIncident.toFixed(0)} | ${r.msPerAddedPage === null ? '-' : r.msPerAddedPage.toFixed(1)} | ${r.peakMemoryMb.toFixed(0)} | ${r.searchIndexKb.toFixed(0)} |`);
if (search) console.log(`\nsearch, ${search.incidents} incidents: first result ${search.coldMs.toFixed(0)} ms cold, ${search.warmMedianMs.toFixed(0)} ms warm (median)`);
if (repros) console.log(`repro suite: ${repros.seconds.toFixed(1)} s`);
const big = builds.at(-1);
const mark = (ok: boolean): string => (ok ? 'met' : 'NOT met');
console.log('\n| figure | measured | target | |');
console.log('| --- | ---: | ---: | --- |');
if (big && big.msPerAddedIncident !== null) console.log(`| build cost per added incident (${big.incidents} incidents) | ${big.msPerAddedIncident.toFixed(0)} ms | <= ${TARGET_MS_PER_INCIDENT} ms (Starlight per added document) | ${mark(big.msPerAddedIncident <= TARGET_MS_PER_INCIDENT)} |`);
if (big) console.log(`| peak build memory (${big.incidents} incidents) | ${big.peakMemoryMb.toFixed(0)} MB | <= ${TARGET_PEAK_MB} MB | ${mark(big.peakMemoryMb <= TARGET_PEAK_MB)} |`);
if (search) {
  console.log(`| search, first result after the pause, cold | ${search.coldMs.toFixed(0)} ms | <= ${TARGET_SEARCH_MS} ms | ${mark(search.coldMs <= TARGET_SEARCH_MS)} |`);
  console.log(`| search, first result after the pause, warm (median) | ${search.warmMedianMs.toFixed(0)} ms | <= ${TARGET_SEARCH_MS} ms | ${mark(search.warmMedianMs <= TARGET_SEARCH_MS)} |`);
}
console.log(`\nresults written to tests/bench/results.json`);
const over = builds.filter((b) => b.msPerAddedPage !== null && b.msPerAddedPage > BUDGET_MS_PER_PAGE);
if (over.length > 0 || (repros && !repros.ok)) {
  for (const b of over) console.error(`over budget: ${b.msPerAddedPage?.toFixed(1)} ms per added page at ${b.pages} pages (budget ${BUDGET_MS_PER_PAGE} ms)`);
  process.exit(1);
}
