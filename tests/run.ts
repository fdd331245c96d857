// `npm test`: every check, in order, with one summary at the end.
//   1. type check (astro sync + tsc)           4. site build (astro build -> dist/)
//   2. unit and repro tests (node --test)       5. browser tests (Playwright, built site)
//   3. claim coverage (every claim asserted)    6. base-path build + link tests (KB_BASE=/sre/kb/)
// Options: --skip-browser (steps 1-4 only), --only <pattern> (node tests whose file path matches).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { findChromium } from './lib/browser.ts';
import { RESULTS_DIR } from './lib/claims.ts';
import { claimCoverage } from './lib/coverage.ts';
import { ALL_TOOLS, debPackages, isDebianLike, isRoot, missingTools, realTierProblem } from '../repros/lib/real/tools.ts';

const ROOT = join(import.meta.dirname, '..');
const OUT = join(ROOT, 'test-results');
const BIN = join(ROOT, 'node_modules', '.bin');
const args = process.argv.slice(2);
const skipBrowser = args.includes('--skip-browser');
const onlyIdx = args.indexOf('--only');
const only = onlyIdx >= 0 ? args[onlyIdx + 1] : undefined;
const known = new Set(['--skip-browser', '--only']);
for (const [i, a] of args.entries()) {
  if (a.startsWith('--') && !known.has(a)) {
    console.error(`npm test: unknown option ${a}. Valid: --skip-browser, --only <file pattern>`);
    process.exit(2);
  }
  if (!a.startsWith('--') && args[i - 1] !== '--only') {
    console.error(`npm test: unexpected argument "${a}". Valid: --skip-browser, --only <file pattern>`);
    process.exit(2);
  }
}

interface StepResult {
  name: string;
  passed: number;
  failed: number;
  /** Tests that ran and reported why they had nothing to check (node's t.skip, Playwright's test.skip). */
  skipped?: number;
  seconds: number;
  note?: string;
}
const results: StepResult[] = [];

function sh(cmd: string, argv: string[], env: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, PATH: `${BIN}:${process.env.PATH ?? ''}`, ...(process.env.CI ? {} : { FORCE_COLOR: '1' }), ...env },
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    child.on('error', () => resolve(127));
  });
}

async function step(name: string, fn: () => Promise<Omit<StepResult, 'name' | 'seconds'>>): Promise<StepResult> {
  console.log(`\n━━ ${name} ━━`);
  const t0 = performance.now();
  let r: Omit<StepResult, 'name' | 'seconds'>;
  try {
    r = await fn();
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    r = { passed: 0, failed: 1, note: 'error' };
  }
  const res = { name, seconds: (performance.now() - t0) / 1000, ...r };
  results.push(res);
  return res;
}

const exitStep = (code: number): Omit<StepResult, 'name' | 'seconds'> => (code === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1, note: `exit ${code}` });

function tapCounts(file: string): { pass: number; fail: number; skip: number } {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const num = (k: string): number => Number(text.match(new RegExp(`^# ${k} (\\d+)$`, 'm'))?.[1] ?? 0);
  return { pass: num('pass'), fail: num('fail') + num('cancelled'), skip: num('skipped') };
}

function playwrightCounts(file: string): { pass: number; fail: number; skip: number } {
  if (!existsSync(file)) return { pass: 0, fail: 1, skip: 0 };
  const s = (JSON.parse(readFileSync(file, 'utf8')) as { stats: { expected: number; unexpected: number; flaky: number; skipped: number } }).stats;
  return { pass: s.expected, fail: s.unexpected + s.flaky, skip: s.skipped };
}

async function main(): Promise<void> {
  rmSync(RESULTS_DIR, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });

  await step('type check', async () => {
    const sync = await sh('astro', ['sync']);
    if (sync !== 0) return exitStep(sync);
    return exitStep(await sh('tsc', ['--noEmit', '-p', '.']));
  });

  // The real tier (containerd + runc, the kernel's NAT, nginx) and promtool: installed here when
  // missing, as root on Debian, like Chromium below. Elsewhere the real-tier tests skip with the
  // reason; under CI=true they fail instead.
  let realTierRan = false;
  await step('real-tier tools', async () => {
    const missing = missingTools(ALL_TOOLS);
    if (missing.length && isRoot() && isDebianLike()) {
      const pkgs = debPackages(missing);
      console.log(`installing ${pkgs.join(' ')} (for ${missing.join(', ')})`);
      const ok = (await sh('apt-get', ['update', '-qq'])) === 0 &&
        (await sh('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], { DEBIAN_FRONTEND: 'noninteractive' })) === 0;
      if (!ok) console.log('apt-get failed; see above');
    }
    const problem = realTierProblem(ALL_TOOLS, true);
    realTierRan = problem === undefined;
    if (problem) {
      console.log(`real tier will be skipped: ${problem}`);
      return process.env.CI ? { passed: 0, failed: 1, note: 'CI=true: the real tier must run' } : { passed: 0, failed: 0, skipped: 1, note: 'real tier skipped' };
    }
    console.log(`all present: ${ALL_TOOLS.join(', ')}`);
    return { passed: 1, failed: 0 };
  });

  await step('unit and repro tests', async () => {
    const tap = join(OUT, 'node-tests.tap');
    rmSync(tap, { force: true });
    const files = only ? [`tests/**/*${only}*.test.ts`] : ['tests/**/*.test.ts'];
    // Most test files spend their time waiting on timers, sockets and child processes, not on the
    // CPU, so several run at once (each in its own process). KB_TEST_CONCURRENCY overrides.
    const concurrency = process.env.KB_TEST_CONCURRENCY ?? '4';
    const code = await sh(process.execPath, [
      '--test', `--test-concurrency=${concurrency}`,
      '--test-reporter=spec', '--test-reporter-destination=stdout',
      '--test-reporter=tap', `--test-reporter-destination=${tap}`,
      ...files,
    ]);
    const c = tapCounts(tap);
    return { passed: c.pass, failed: c.fail + (code !== 0 && c.fail === 0 ? 1 : 0), skipped: c.skip };
  });

  if (!only) {
    await step('claim coverage', async () => {
      const cov = await claimCoverage(join(OUT, 'claims.json'), { realTierRan });
      console.log(`${cov.total} claims: ${cov.verified} verified, ${cov.failed.length} failed, ${cov.unchecked.length} not checked by any test`);
      for (const f of cov.failed) console.log(`  FAILED     ${f}`);
      for (const u of cov.unchecked) console.log(`  UNCHECKED  ${u}: add a test that asserts it (tests/lib/claims.ts assertClaim)`);
      return { passed: cov.verified, failed: cov.failed.length + cov.unchecked.length };
    });
  }

  const build = await step('site build', async () => exitStep(await sh('astro', ['build'])));

  if (!skipBrowser && !only) {
    let chromium: string | undefined;
    const browser = await step('browser', async () => {
      const b = findChromium();
      chromium = b.executablePath;
      console.log(`using ${b.origin}`);
      return { passed: 1, failed: 0 };
    });
    if (build.failed === 0 && browser.failed === 0) {
      const env = chromium ? { KB_CHROMIUM_PATH: chromium } : {};
      await step('browser tests', async () => {
        const json = join(OUT, 'playwright.json');
        rmSync(json, { force: true });
        await sh('playwright', ['test', '-c', 'tests/playwright.config.ts'], env);
        const c = playwrightCounts(json);
        return { passed: c.pass, failed: c.fail, skipped: c.skip };
      });
      await step('base path build and links (KB_BASE=/sre/kb/)', async () => {
        const dist = 'test-results/dist-base';
        const b = await sh('astro', ['build', '--outDir', dist], { KB_BASE: '/sre/kb/' });
        if (b !== 0) return exitStep(b);
        const json = join(OUT, 'playwright.json');
        rmSync(json, { force: true });
        await sh('playwright', ['test', '-c', 'tests/playwright.config.ts', '--grep', '@base-path'], { ...env, KB_BASE: '/sre/kb/', KB_DIST: dist });
        const c = playwrightCounts(json);
        return { passed: c.pass, failed: c.fail, skipped: c.skip };
      });
    }
  }

  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  const skipped = results.reduce((n, r) => n + (r.skipped ?? 0), 0);
  console.log('\n━━ summary ━━');
  for (const r of results) {
    console.log(`${r.failed === 0 ? 'PASS' : 'FAIL'}  ${r.name.padEnd(46)} ${String(r.passed).padStart(4)} passed ${String(r.failed).padStart(3)} failed  ${r.seconds.toFixed(1).padStart(6)} s${r.skipped ? `  (${r.skipped} skipped)` : ''}${r.note ? `  (${r.note})` : ''}`);
  }
  console.log(`\nnpm test: ${failed === 0 ? 'all checks passed' : 'FAILED'}`);
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exit(failed === 0 ? 0 : 1);
}

await main();
