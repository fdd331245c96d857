// npm run bench [-- --sizes 100,500,1000] [--repeat 3] [--no-starlight] [--no-search] [--no-repros] [--keep]
// npm run bench -- --dist <built site folder>   (search only, against a site built earlier)
// Measures how the site scales and how fast search and the repro suite are, prints a table and keeps
// the results in tests/bench/results.json (committed, so changes show up in review).
//  - build: the real site plus N synthetic incidents (copies of the real ones under new slugs, each
//    with its own repro entry and body module; each build in a folder under .cache/bench/): build time (wall and
//    CPU), time per added incident and per added page, peak memory, search index size. Budget: under
//    50 ms per added page, in CPU time where it is known (wall time on a shared machine moves with
//    the other work).
//  - starlight: beside each of those builds, a default Starlight site (tests/bench/starlight.ts) built
//    from the same incident Markdown with the same number of documents, cold builds alternated with
//    ours, so both see the same load: its time per added document is the target for ours (issue 16).
//  - search: time from the keystroke to the first result on screen, in Chromium on the largest build,
//    timed in the page: the first query on a freshly opened page with an empty cache (cold), five
//    times, and the later queries on the same page (warm). --keep keeps the largest build's folder
//    and --dist measures only search against a built site, so search can be measured again quickly.
//  - repros: wall time of all scaled repro scenarios (node --test tests/repros/).
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from '@playwright/test';
import { preview } from 'astro';
import { chromiumArgs, findChromium } from '../lib/browser.ts';
import { HOST } from '../../repros/lib/address.ts';
import { flagHelp, numberList, parseArgs } from '../../repros/lib/flags.ts';
import { registerRepros } from '../../repros/lib/registry-file.ts';
import { UsageError, type FlagSpec } from '../../repros/lib/repro.ts';
import { keepSandbox, OWN_CACHE_DIR, removeSandbox, sandboxDir } from './sandbox.ts';
import { STARLIGHT_VERSION, starlightInstalled, starlightSandbox } from './starlight.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const RESULTS = join(import.meta.dirname, 'results.json');
const BUDGET_MS_PER_PAGE = 50;
// Issue 16's targets. The build target is Starlight's cost per added document, measured in the same
// run; this reference (Starlight 0.42.4 on Astro 7.3.4, measured for the issue) stands in only when
// Starlight is not installed or --no-starlight is given.
const REFERENCE_STARLIGHT_MS_PER_DOCUMENT = 25;
const TARGET_PEAK_MB = 2300;
const TARGET_SEARCH_MS = 300;
/** The search box waits this long after the last keystroke (src/pages/search.astro). */
const DEBOUNCE_MS = 200;

const BENCH_FLAGS: readonly FlagSpec[] = [
  { name: 'sizes', type: 'list', description: 'synthetic incidents to add, one build each', default: '100,500,1000' },
  { name: 'repeat', type: 'number', description: 'builds of the largest size (each site, alternated); its figures are their medians', default: '3' },
  { name: 'no-starlight', type: 'boolean', description: 'compare with the reference figure instead of building Starlight beside each build' },
  { name: 'no-search', type: 'boolean', description: 'skip the search measurement' },
  { name: 'no-repros', type: 'boolean', description: 'skip the repro suite\'s wall time' },
  { name: 'keep', type: 'boolean', description: 'keep the largest build (for --dist)' },
  { name: 'dist', type: 'string', description: 'measure only search, against this built site folder' },
  { name: 'help', type: 'boolean', description: 'show this help' },
];
const args = (() => {
  try {
    const { positionals, values } = parseArgs(process.argv.slice(2), BENCH_FLAGS);
    if (values.help === true) {
      console.log(`npm run bench -- [flags]\n${flagHelp(BENCH_FLAGS)}`);
      process.exit(0);
    }
    if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const sizes = numberList({ name: 'sizes', type: 'list', description: '', min: 1 }, (values.sizes as string[] | undefined) ?? ['100', '500', '1000']);
    if (sizes.some((n) => !Number.isInteger(n))) throw new UsageError(`--sizes must be whole numbers, got "${sizes.join(',')}"`);
    const dist = values.dist as string | undefined;
    if (dist !== undefined && !existsSync(join(dist, 'pagefind', 'pagefind-entry.json'))) {
      throw new UsageError(`--dist needs a built site folder with its search index (<folder>/pagefind/pagefind-entry.json), got "${dist}"`);
    }
    const repeat = values.repeat === undefined ? 3 : Number(values.repeat);
    if (!Number.isInteger(repeat) || repeat < 1) throw new UsageError(`--repeat must be a whole number of at least 1, got "${String(values.repeat)}"`);
    return { sizes, repeat, dist, starlight: values['no-starlight'] !== true, search: values['no-search'] !== true, repros: values['no-repros'] !== true, keep: values.keep === true };
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`${err.message}\n\nnpm run bench -- [flags]\n${flagHelp(BENCH_FLAGS)}`);
    process.exit(2);
  }
})();
const distArg = args.dist;
const sizes = args.sizes;
const starlightVersion = starlightInstalled(ROOT);
const withStarlight = args.starlight && starlightVersion !== undefined;
if (args.starlight && starlightVersion === undefined) {
  console.warn(`@astrojs/starlight is not installed (npm ci installs it): comparing with the reference ${REFERENCE_STARLIGHT_MS_PER_DOCUMENT} ms per added document instead`);
}
if (starlightVersion !== undefined && starlightVersion !== STARLIGHT_VERSION) console.warn(`Starlight ${starlightVersion} installed; issue 16's reference is ${STARLIGHT_VERSION}`);

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
  const dir = sandboxDir(ROOT, 'kb-bench-');
  for (const p of ['src', 'content', 'repros', 'astro.config.mjs', 'package.json', 'tsconfig.json']) {
    cpSync(join(ROOT, p), join(dir, p), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  const config = join(dir, 'astro.config.mjs');
  const text = readFileSync(config, 'utf8');
  if (!text.includes('export default defineConfig({')) throw new Error('astro.config.mjs no longer has "export default defineConfig({": update sandbox() in tests/bench/run.ts');
  writeFileSync(config, text.replace('export default defineConfig({', `export default defineConfig({\n  ${OWN_CACHE_DIR}`));
  return dir;
}

/**
 * Adds n synthetic incidents: copies of the real pages under new slugs, each owning a repro alias that
 * is registered in repros/lib/registry.ts as `npm run new-incident` registers a new repro, and a body
 * module of its own that gives the page the values and parts of the page it copies.
 */
function addSynthetic(dir: string, n: number): void {
  const incDir = join(dir, 'content', 'incidents');
  const real = readdirSync(join(ROOT, 'content', 'incidents')).filter((f) => f.endsWith('.md')).sort();
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const file = real[i % real.length] as string;
    const slug = file.replace(/\.md$/, '');
    const id = `bench-${String(i).padStart(4, '0')}-${slug}`;
    const text = readFileSync(join(ROOT, 'content', 'incidents', file), 'utf8')
      .replace(/^title: (["']?)(.*?)\1$/m, (_m, _q, t: string) => `title: ${JSON.stringify(`${t} (synthetic ${i})`)}`);
    writeFileSync(join(incDir, `${id}.md`), text);
    mkdirSync(join(dir, 'src', 'components', id), { recursive: true });
    writeFileSync(join(dir, 'src', 'components', id, 'body.ts'), `export { body } from '../${slug}/body.ts';\n`);
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

interface BuildResult {
  incidents: number;
  pages: number;
  seconds: number;
  cpuSeconds: number | null;
  msPerAddedIncident: number | null;
  cpuMsPerAddedIncident: number | null;
  msPerAddedPage: number | null;
  cpuMsPerAddedPage: number | null;
  peakMemoryMb: number;
  searchIndexKb: number;
}
interface StarlightResult {
  documents: number;
  pages: number;
  seconds: number;
  cpuSeconds: number | null;
  msPerAddedDocument: number | null;
  cpuMsPerAddedDocument: number | null;
  peakMemoryMb: number;
}

function buildOnce(dir: string): { ms: number; cpuMs: number | null; maxRssMb: number } {
  const r = spawnSync(process.execPath, [join(import.meta.dirname, 'build-once.ts'), dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`build failed in ${dir}:\n${r.stderr.slice(-3000)}`);
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  const out = JSON.parse(line) as { ms: number; cpuMs?: number; maxRssMb: number };
  return { ms: out.ms, cpuMs: out.cpuMs ?? null, maxRssMb: out.maxRssMb };
}

const perAdded = (v: number | null, base: number | null, n: number): number | null => (n === 0 || v === null || base === null ? null : (v - base) / n);

const realCount = readdirSync(join(ROOT, 'content', 'incidents')).filter((f) => f.endsWith('.md')).length;
const builds: BuildResult[] = [];
const starlight: StarlightResult[] = [];
let largest: string | undefined;
if (distArg === undefined) console.log(`build scaling: the real site (${realCount} incidents), then +${sizes.join(', +')} synthetic incidents${withStarlight ? `; beside each, a default Starlight ${starlightVersion} site with as many documents, cold builds alternated` : ''}`);

function buildOurs(n: number): void {
  const dir = sandbox();
  addSynthetic(dir, n);
  const { ms, cpuMs, maxRssMb } = buildOnce(dir);
  // A page is an HTML file: an incident brings its own page and its repro's source page.
  const pages = walkHtml(join(dir, 'dist'));
  const base = builds[0];
  const r: BuildResult = {
    incidents: realCount + n,
    pages,
    seconds: ms / 1000,
    cpuSeconds: cpuMs === null ? null : cpuMs / 1000,
    msPerAddedIncident: perAdded(ms, base ? base.seconds * 1000 : null, n),
    cpuMsPerAddedIncident: perAdded(cpuMs, base?.cpuSeconds == null ? null : base.cpuSeconds * 1000, n),
    msPerAddedPage: n === 0 || !base ? null : (ms - base.seconds * 1000) / (pages - base.pages),
    cpuMsPerAddedPage: n === 0 || !base || cpuMs === null || base.cpuSeconds === null ? null : (cpuMs - base.cpuSeconds * 1000) / (pages - base.pages),
    peakMemoryMb: maxRssMb,
    searchIndexKb: dirSize(join(dir, 'dist', 'pagefind')) / 1024,
  };
  builds.push(r);
  console.log(`  this site, ${r.incidents} incidents, ${r.pages} pages: ${r.seconds.toFixed(1)} s (CPU ${r.cpuSeconds?.toFixed(1) ?? '?'} s)${r.msPerAddedPage !== null ? `, ${r.msPerAddedIncident?.toFixed(0)} ms per added incident (CPU ${r.cpuMsPerAddedIncident?.toFixed(0) ?? '?'} ms), ${r.msPerAddedPage.toFixed(1)} ms per added page` : ''}, peak ${r.peakMemoryMb.toFixed(0)} MB, search index ${r.searchIndexKb.toFixed(0)} KB`);
  if (largest) removeSandbox(largest);
  largest = dir;
}

function buildStarlight(n: number): void {
  const dir = starlightSandbox(ROOT, n);
  try {
    const { ms, cpuMs, maxRssMb } = buildOnce(dir);
    const base = starlight[0];
    const r: StarlightResult = {
      documents: realCount + n,
      pages: walkHtml(join(dir, 'dist')),
      seconds: ms / 1000,
      cpuSeconds: cpuMs === null ? null : cpuMs / 1000,
      msPerAddedDocument: perAdded(ms, base ? base.seconds * 1000 : null, n),
      cpuMsPerAddedDocument: perAdded(cpuMs, base?.cpuSeconds == null ? null : base.cpuSeconds * 1000, n),
      peakMemoryMb: maxRssMb,
    };
    starlight.push(r);
    console.log(`  Starlight, ${r.documents} documents, ${r.pages} pages: ${r.seconds.toFixed(1)} s (CPU ${r.cpuSeconds?.toFixed(1) ?? '?'} s)${r.msPerAddedDocument !== null ? `, ${r.msPerAddedDocument.toFixed(0)} ms per added document (CPU ${r.cpuMsPerAddedDocument?.toFixed(0) ?? '?'} ms)` : ''}, peak ${r.peakMemoryMb.toFixed(0)} MB`);
  } finally {
    removeSandbox(dir);
  }
}

// Alternated, and in turn first and second, so a change in the machine's load falls on both sites.
// The largest size is built --repeat times: one build of each site moves by a tenth from one run to
// the next on a shared machine, more than the difference the target asks about.
const largestSize = Math.max(...sizes);
const schedule = distArg === undefined ? [0, ...sizes, ...Array.from({ length: args.repeat - 1 }, () => largestSize)] : [];
for (const [i, n] of schedule.entries()) {
  if (withStarlight && i % 2 === 1) buildStarlight(n);
  buildOurs(n);
  if (withStarlight && i % 2 === 0) buildStarlight(n);
}

/** The queries typed, in order: the first on a freshly opened page is the cold one. */
const SEARCH_QUERIES = ['kubelet back-off', 'containerd pipe', 'keep-alive 502', 'endpoints', 'preStop', 'CrashLoopBackOff'];
/** Fresh page loads (each in a new browser context, so with an empty cache) whose first query is cold. */
const COLD_LOADS = 5;
interface SearchResult {
  incidents: number;
  /** Keystroke to first result on screen, minus the debounce, for the first query of each fresh load. */
  coldRunsMs: number[];
  coldMs: number;
  /** The same for the later queries on each of those pages. */
  warmRunsMs: number[];
  warmMedianMs: number;
  /** The machine's 1-minute load average before and after (2 cores shared with other work). */
  loadAverage: [number, number];
}
/** The middle value; for an even count, the mean of the two middle ones. */
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length === 0 ? NaN : s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/**
 * Times search in Chromium against a built site. Each query is timed in the page, from the input
 * event's timestamp to the animation frame in which the first result link is in the list and visible
 * (a MutationObserver sees it inserted): a Playwright waitFor polls every 500 ms once it has waited
 * 270 ms, which is coarser than the figure it measures.
 */
async function measureSearch(dist: string, incidents: number): Promise<SearchResult> {
  const b = findChromium();
  // An empty root: the folder is served as it is, without loading the project's configuration.
  const root = mkdtempSync(join(tmpdir(), 'kb-bench-preview-'));
  const server = await preview({ root, outDir: resolve(dist), server: { host: HOST, port: 0 }, logLevel: 'error' }).catch((e: unknown) => {
    rmSync(root, { recursive: true, force: true });
    throw e;
  });
  const before = loadavg()[0] ?? NaN;
  const cold: number[] = [];
  const warm: number[] = [];
  const browser = await chromium.launch({ ...(b.executablePath ? { executablePath: b.executablePath } : {}), args: chromiumArgs() }).catch(async (e: unknown) => {
    await server.stop();
    rmSync(root, { recursive: true, force: true });
    throw e;
  });
  try {
    for (let load = 0; load < COLD_LOADS; load++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`http://${HOST}:${server.port}/search/`);
      for (const [i, q] of SEARCH_QUERIES.entries()) {
        await page.locator('#q').fill('');
        await page.locator('#search-results a').first().waitFor({ state: 'detached' }).catch(() => undefined);
        await page.evaluate(() => {
          const list = document.getElementById('search-results') as HTMLElement;
          const input = document.getElementById('q') as HTMLInputElement;
          (window as unknown as { firstResult: Promise<number> }).firstResult = new Promise((resolve) => {
            let typed = NaN;
            input.addEventListener('input', (e) => { typed = e.timeStamp; }, { once: true });
            const seen = new MutationObserver(() => {
              if (!list.querySelector('a')?.checkVisibility()) return;
              seen.disconnect();
              requestAnimationFrame((frame) => resolve(frame - typed));
            });
            seen.observe(list, { childList: true, subtree: true });
          });
        });
        await page.locator('#q').fill(q);
        const ms = await page.evaluate(() => Promise.race([
          (window as unknown as { firstResult: Promise<number> }).firstResult,
          new Promise<number>((_, reject) => setTimeout(() => reject(new Error('no result within 30 s')), 30_000)),
        ]));
        // The figure is after the pause (the debounce taken off), as issue 16's target is stated.
        (i === 0 ? cold : warm).push(Math.round(ms - DEBOUNCE_MS));
      }
      await context.close();
    }
  } finally {
    await browser.close();
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  }
  return { incidents, coldRunsMs: cold, coldMs: median(cold), warmRunsMs: warm, warmMedianMs: median(warm), loadAverage: [before, loadavg()[0] ?? NaN] };
}

let search: SearchResult | undefined;
const searchSite = distArg ?? (largest ? join(largest, 'dist') : undefined);
if (args.search && searchSite) {
  const incidents = distArg === undefined ? builds.at(-1)?.incidents ?? 0 : readdirSync(join(distArg, 'incidents'), { withFileTypes: true }).filter((e) => e.isDirectory()).length;
  search = await measureSearch(searchSite, incidents);
  console.log(`search on ${search.incidents} incidents, first result after the ${DEBOUNCE_MS} ms pause: first query on a freshly opened page ${search.coldMs.toFixed(0)} ms (median of ${COLD_LOADS} loads: ${search.coldRunsMs.map((x) => x.toFixed(0)).join(', ')}), later queries median ${search.warmMedianMs.toFixed(0)} ms; load average ${search.loadAverage.map((x) => x.toFixed(1)).join(' -> ')} on ${cpus().length} cores`);
}
if (largest && args.keep) {
  keepSandbox(largest);
  console.log(`kept the largest build (delete it when done): npm run bench -- --dist ${join(largest, 'dist')}`);
} else if (largest) removeSandbox(largest);

let repros: { seconds: number; ok: boolean } | undefined;
if (args.repros && distArg === undefined) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--test', '--test-reporter=dot', 'tests/repros/*.test.ts'], { cwd: ROOT, encoding: 'utf8' });
  repros = { seconds: (performance.now() - t0) / 1000, ok: r.status === 0 };
  console.log(`repro suite (scaled scenarios): ${repros.seconds.toFixed(1)} s, ${repros.ok ? 'all passed' : 'FAILURES'}`);
}

const commit = (() => {
  try { return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim(); } catch { return 'unknown'; }
})();
/** The builds at the largest size, and one figure for them: per-added figures are medians, peak memory the highest. */
const atLargest = builds.filter((b) => b.incidents === Math.max(...builds.map((x) => x.incidents)));
const slAtLargest = starlight.filter((b) => b.documents === Math.max(...starlight.map((x) => x.documents)));
const medianOf = (xs: (number | null)[]): number | null => (xs.some((x) => x === null) || xs.length === 0 ? null : median(xs as number[]));
const big: BuildResult | undefined = atLargest.length === 0 ? undefined : {
  ...(atLargest.at(-1) as BuildResult),
  msPerAddedIncident: medianOf(atLargest.map((b) => b.msPerAddedIncident)),
  cpuMsPerAddedIncident: medianOf(atLargest.map((b) => b.cpuMsPerAddedIncident)),
  peakMemoryMb: Math.max(...atLargest.map((b) => b.peakMemoryMb)),
};
const slBig: StarlightResult | undefined = slAtLargest.length === 0 ? undefined : {
  ...(slAtLargest.at(-1) as StarlightResult),
  msPerAddedDocument: medianOf(slAtLargest.map((b) => b.msPerAddedDocument)),
  cpuMsPerAddedDocument: medianOf(slAtLargest.map((b) => b.cpuMsPerAddedDocument)),
};
const runsNote = atLargest.length > 1 ? `, median of ${atLargest.length} builds` : '';
// The target for the build: Starlight's cost per added document at the same size in this run, or the
// issue's reference when Starlight was not built.
const targetMsPerIncident = slBig?.msPerAddedDocument ?? REFERENCE_STARLIGHT_MS_PER_DOCUMENT;
const targetCpuMsPerIncident = slBig?.cpuMsPerAddedDocument ?? null;
// --dist measures search alone: the other figures of the last full run are kept, and the search
// figures say when, at which commit and on which site they were taken.
const previous = distArg !== undefined && existsSync(RESULTS) ? (JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, unknown>) : undefined;
const doc = previous ? { ...previous, search: search && { ...search, measuredAt: new Date().toISOString(), commit, site: distArg } } : {
  measuredAt: new Date().toISOString(),
  commit,
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version },
  budgetMsPerAddedPage: BUDGET_MS_PER_PAGE,
  targets: {
    msPerAddedIncident: targetMsPerIncident,
    msPerAddedIncidentFrom: slBig ? `Starlight ${starlightVersion}, measured in this run` : `reference (Starlight ${STARLIGHT_VERSION}, issue 16)`,
    cpuMsPerAddedIncident: targetCpuMsPerIncident,
    peakMemoryMb: TARGET_PEAK_MB,
    searchMsAfterPause: TARGET_SEARCH_MS,
  },
  builds,
  largest: big && { incidents: big.incidents, builds: atLargest.length, msPerAddedIncident: big.msPerAddedIncident, cpuMsPerAddedIncident: big.cpuMsPerAddedIncident, peakMemoryMb: big.peakMemoryMb, starlightMsPerAddedDocument: slBig?.msPerAddedDocument ?? null, starlightCpuMsPerAddedDocument: slBig?.cpuMsPerAddedDocument ?? null },
  starlight: starlight.length > 0 ? { version: starlightVersion, builds: starlight } : undefined,
  search,
  repros,
};
writeFileSync(RESULTS, JSON.stringify(doc, null, 2) + '\n');

const f0 = (v: number | null | undefined): string => (v === null || v === undefined ? '-' : v.toFixed(0));
if (builds.length > 0) console.log('\n| incidents | pages | build (s) | CPU (s) | ms per added incident | CPU ms per added incident | ms per added page | peak memory (MB) | search index (KB) |');
if (builds.length > 0) console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of builds) console.log(`| ${r.incidents} | ${r.pages} | ${r.seconds.toFixed(1)} | ${r.cpuSeconds?.toFixed(1) ?? '-'} | ${f0(r.msPerAddedIncident)} | ${f0(r.cpuMsPerAddedIncident)} | ${r.msPerAddedPage === null ? '-' : r.msPerAddedPage.toFixed(1)} | ${r.peakMemoryMb.toFixed(0)} | ${r.searchIndexKb.toFixed(0)} |`);
if (starlight.length > 0) {
  console.log(`\n| Starlight ${starlightVersion}: documents | pages | build (s) | CPU (s) | ms per added document | CPU ms per added document | peak memory (MB) |`);
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of starlight) console.log(`| ${r.documents} | ${r.pages} | ${r.seconds.toFixed(1)} | ${r.cpuSeconds?.toFixed(1) ?? '-'} | ${f0(r.msPerAddedDocument)} | ${f0(r.cpuMsPerAddedDocument)} | ${r.peakMemoryMb.toFixed(0)} |`);
}
if (search) console.log(`\nsearch, ${search.incidents} incidents: first result ${search.coldMs.toFixed(0)} ms cold (median of ${COLD_LOADS} fresh loads), ${search.warmMedianMs.toFixed(0)} ms warm (median)`);
if (repros) console.log(`repro suite: ${repros.seconds.toFixed(1)} s`);
const mark = (ok: boolean): string => (ok ? 'met' : 'NOT met');
const slLabel = slBig ? `Starlight per added document, ${slBig.documents} documents, this run${runsNote}` : `Starlight per added document, issue 16's reference`;
console.log('\n| figure | measured | target | |');
console.log('| --- | ---: | ---: | --- |');
if (big && big.msPerAddedIncident !== null) console.log(`| build time per added incident (${big.incidents} incidents${runsNote}) | ${big.msPerAddedIncident.toFixed(0)} ms | <= ${targetMsPerIncident.toFixed(0)} ms (${slLabel}) | ${mark(big.msPerAddedIncident <= targetMsPerIncident)} |`);
if (big && big.cpuMsPerAddedIncident !== null && targetCpuMsPerIncident !== null) console.log(`| build CPU time per added incident (${big.incidents} incidents${runsNote}) | ${big.cpuMsPerAddedIncident.toFixed(0)} ms | <= ${targetCpuMsPerIncident.toFixed(0)} ms (${slLabel}) | ${mark(big.cpuMsPerAddedIncident <= targetCpuMsPerIncident)} |`);
if (big) console.log(`| peak build memory (${big.incidents} incidents${atLargest.length > 1 ? `, highest of ${atLargest.length} builds` : ''}) | ${big.peakMemoryMb.toFixed(0)} MB | <= ${TARGET_PEAK_MB} MB | ${mark(big.peakMemoryMb <= TARGET_PEAK_MB)} |`);
if (search) {
  console.log(`| search, first result after the pause, freshly opened page (${search.incidents} incidents, median of ${COLD_LOADS}) | ${search.coldMs.toFixed(0)} ms | <= ${TARGET_SEARCH_MS} ms | ${mark(search.coldMs <= TARGET_SEARCH_MS)} |`);
  console.log(`| search, first result after the pause, later queries (median) | ${search.warmMedianMs.toFixed(0)} ms | <= ${TARGET_SEARCH_MS} ms | ${mark(search.warmMedianMs <= TARGET_SEARCH_MS)} |`);
}
console.log(`\nresults written to tests/bench/results.json`);
const perPage = (b: BuildResult): number | null => b.cpuMsPerAddedPage ?? b.msPerAddedPage;
const over = builds.filter((b) => (perPage(b) ?? 0) > BUDGET_MS_PER_PAGE);
if (over.length > 0 || (repros && !repros.ok)) {
  for (const b of over) console.error(`over budget: ${perPage(b)?.toFixed(1)} ms${b.cpuMsPerAddedPage !== null ? ' CPU' : ''} per added page at ${b.pages} pages (budget ${BUDGET_MS_PER_PAGE} ms)`);
  process.exit(1);
}
