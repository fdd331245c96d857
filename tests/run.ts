// `npm test`: every check, with one summary at the end.
//   1. the stand-in test files whose claims are wall-clock timings (node --test), normal priority
//   2. beside 1., at the lowest CPU priority (nice 19): the other stand-in test files and
//      cleanup.test.ts's stand-in cases
//   3. then the real tier (tests/repros/<slug>.real.test.ts and the real-tier cases of
//      cleanup.test.ts), at normal priority, so its time reads off the summary
//   4. beside 3., niced: the base-path build + its browser tests (KB_BASE=/sre/kb/, one worker), and
//      the type check
//   5. claim coverage (every claim asserted; writes test-results/claims.json, which the build shows)
//   6. site build (astro build -> dist/)
//   7. the live-panel browser runs whose claims are wall-clock timings (@timing), alone
//   8. the other browser tests (Playwright, built site, three workers)
// Why priorities: work whose claims are wall-clock timings (the supervisor's waits within 250 ms, a
// 502 burst within +- 2 requests, the real kubelet's restarts) runs at normal priority, beside niced
// work only, so the CPU is theirs the moment a timer fires; the niced work takes what is left.
// Chromium starts a session of its own, which would escape its niceness under the kernel's autogroup
// scheduling, so a niced browser step's sessions are lowered too (tests/lib/autogroup.ts). Steps
// that run beside another print their output when they finish. The summary gives each step's own
// time and the wall time with and without the real tier.
// Options: --skip-browser (no browser steps), --only <pattern> (node tests whose file path matches).
import { spawn } from 'node:child_process';
import { existsSync, globSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { findChromium } from './lib/browser.ts';
import { RESULTS_DIR } from './lib/claims.ts';
import { claimCoverage } from './lib/coverage.ts';
import { sessionNicer, type SessionNicer } from './lib/autogroup.ts';
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
  /** When the step started, among the others: the summary lists steps in that order. */
  order?: number;
  note?: string;
}
const results: StepResult[] = [];
let started = 0;

/** Where a step's output goes: straight to the terminal, or kept and printed when the step ends. */
interface Out {
  log(s: string): void;
  /** Output kept for later; undefined: the child writes to the terminal. */
  buf?: string[];
}
const terminal: Out = { log: (s) => console.log(s) };

/**
 * Niceness of the work that runs beside timing-sensitive steps: the lowest CPU priority (19) on a
 * machine that is otherwise idle. On a machine already busy with other work a niced step would get
 * almost no CPU (a nice-19 process gets about 1.5% of a core against one at nice 0) and run into its
 * deadlines, so there everything runs at normal priority and nothing runs beside work with timing
 * claims. KB_TEST_NICE (0-19) sets it; 0 is the busy machine's schedule.
 */
let low: number | undefined;
/** Gives the sessions that niced browser steps start (Chromium's) the same low priority. */
let nicer: SessionNicer | undefined;

/** Share of the CPU that other processes used over half a second, from /proc/stat; undefined off Linux. */
async function busyElsewhere(): Promise<number | undefined> {
  const read = (): number[] | undefined => {
    try {
      return readFileSync('/proc/stat', 'utf8').split('\n')[0]?.split(/\s+/).slice(1, 9).map(Number);
    } catch {
      return undefined;
    }
  };
  const a = read();
  await new Promise((r) => setTimeout(r, 500));
  const b = read();
  if (!a || !b) return undefined;
  const d = b.map((v, i) => v - (a[i] ?? 0));
  const total = d.reduce((x, y) => x + y, 0);
  const idle = (d[3] ?? 0) + (d[4] ?? 0);
  return total > 0 ? (total - idle) / total : undefined;
}

/** A machine with more than this share of its CPU in use before the tests start counts as busy. */
const BUSY_SHARE = 0.25;

async function chooseNiceness(): Promise<number | undefined> {
  const env = process.env.KB_TEST_NICE;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 0 || n > 19) {
      console.error(`npm test: KB_TEST_NICE must be a whole number from 0 to 19, got "${env}"`);
      process.exit(2);
    }
    return n === 0 ? undefined : n;
  }
  const busy = await busyElsewhere();
  if (busy !== undefined && busy > BUSY_SHARE) {
    console.log(`The machine is busy (${Math.round(busy * 100)}% of the CPU in use before the tests start): every step runs at normal priority, and nothing runs beside the tests with timing claims.`);
    return undefined;
  }
  return 19;
}

/**
 * Runs a command (at niceness `nice` when given, through nice(1) so its children inherit it). With
 * `lowerSessions`, a session a descendant starts gets the same niceness (tests/lib/autogroup.ts):
 * for Playwright, whose Chromium starts its own. Not for the node tests: cleanup.test.ts's runs start
 * sessions too, and lowered, the children of a SIGKILLed run missed their 5 s to notice and exit
 * (2 of 33 cases in one run); they are light, and stay at their session's normal priority.
 */
function sh(cmd: string, argv: string[], env: Record<string, string> = {}, out: Out = terminal, nice?: number, lowerSessions = false): Promise<number> {
  if (nice !== undefined) [cmd, argv] = ['nice', ['-n', String(nice), cmd, ...argv]];
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, {
      cwd: ROOT,
      stdio: out.buf ? ['ignore', 'pipe', 'pipe'] : 'inherit',
      env: { ...process.env, PATH: `${BIN}:${process.env.PATH ?? ''}`, ...(process.env.CI ? {} : { FORCE_COLOR: '1' }), ...env },
    });
    if (nice !== undefined && lowerSessions && child.pid !== undefined) nicer?.add(child.pid);
    child.stdout?.on('data', (d: Buffer) => out.buf?.push(d.toString()));
    child.stderr?.on('data', (d: Buffer) => out.buf?.push(d.toString()));
    child.on('close', (code, signal) => {
      if (child.pid !== undefined) nicer?.remove(child.pid);
      resolve(code ?? (signal ? 128 : 1));
    });
    child.on('error', () => resolve(127));
  });
}

type StepBody = (out: Out) => Promise<Omit<StepResult, 'name' | 'seconds'>>;

/**
 * Runs one step. `beside` marks a step that runs while another prints: its output is kept and
 * printed in one piece under its own heading when it ends.
 */
async function step(name: string, fn: StepBody, beside = false): Promise<StepResult> {
  const buf: string[] = [];
  const out: Out = beside ? { log: (s) => buf.push(`${s}\n`), buf } : terminal;
  if (beside) console.log(`\n━━ ${name} (started; runs beside other steps, output follows when it ends) ━━`);
  else console.log(`\n━━ ${name} ━━`);
  const t0 = performance.now();
  const order = started++;
  let r: Omit<StepResult, 'name' | 'seconds'>;
  try {
    r = await fn(out);
  } catch (err) {
    out.log(err instanceof Error ? err.message : String(err));
    r = { passed: 0, failed: 1, note: 'error' };
  }
  const res = { name, order, seconds: (performance.now() - t0) / 1000, ...r };
  if (beside) {
    console.log(`\n━━ ${name} (output) ━━`);
    process.stdout.write(buf.join(''));
  }
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

/** The real tier's tests: whole files, and the cases of cleanup.test.ts whose names say "real tier". */
const REAL_FILE = /\.real\.test\.ts$/;
const MIXED_FILE = 'tests/repros/cleanup.test.ts';
const REAL_CASES = 'real tier';

/**
 * node --test over the given groups of files, at once or one after another (each group its own node
 * process, so a name pattern can apply to one file only); TAP counts summed.
 */
async function nodeTests(name: string, groups: { files: string[]; args?: string[]; concurrency?: number }[], out: Out, oneAfterAnother = false, nice?: number): Promise<Omit<StepResult, 'name' | 'seconds'>> {
  groups = groups.filter((g) => g.files.length > 0);
  if (groups.length === 0) {
    out.log('no test files match');
    return { passed: 0, failed: 0 };
  }
  // Most test files spend their time waiting on timers, sockets and child processes, not on the
  // CPU, so several run at once (each in its own process). KB_TEST_CONCURRENCY overrides.
  const concurrency = process.env.KB_TEST_CONCURRENCY ?? '4';
  const run = async (g: { files: string[]; args?: string[]; concurrency?: number }, i: number): Promise<Omit<StepResult, 'name' | 'seconds'>> => {
    const tap = join(OUT, `node-tests-${name}-${i}.tap`);
    rmSync(tap, { force: true });
    const code = await sh(process.execPath, [
      '--test', `--test-concurrency=${g.concurrency ?? concurrency}`, ...(g.args ?? []),
      '--test-reporter=spec', '--test-reporter-destination=stdout',
      '--test-reporter=tap', `--test-reporter-destination=${tap}`,
      ...g.files,
    ], {}, out, nice);
    const c = tapCounts(tap);
    return { passed: c.pass, failed: c.fail + (code !== 0 && c.fail === 0 ? 1 : 0), skipped: c.skip };
  };
  const runs: Omit<StepResult, 'name' | 'seconds'>[] = [];
  if (oneAfterAnother) for (const [i, g] of groups.entries()) runs.push(await run(g, i));
  else runs.push(...(await Promise.all(groups.map(run))));
  return sum(runs);
}

function sum(runs: Omit<StepResult, 'name' | 'seconds'>[]): Omit<StepResult, 'name' | 'seconds'> {
  return runs.reduce((a, r) => ({ passed: a.passed + r.passed, failed: a.failed + r.failed, skipped: (a.skipped ?? 0) + (r.skipped ?? 0) }), { passed: 0, failed: 0, skipped: 0 });
}

/**
 * Stand-in test files whose claims are timings on a wall clock: the supervisor's measured waits
 * (250 ms), keepalive-502's request counts at scale 0.2 (± 400 ms). They run at normal priority in
 * a step of their own, with only niced work beside them.
 */
const TIMING_SENSITIVE = ['tests/repros/crashloop-backoff.scenarios.test.ts', 'tests/repros/keepalive-502.scenarios.test.ts', 'tests/repros/keepalive-502.clients.test.ts'];

async function main(): Promise<void> {
  low = await chooseNiceness();
  if (low !== undefined) nicer = sessionNicer(low);
  const t0 = performance.now();
  rmSync(RESULTS_DIR, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });

  // The real tier (containerd + runc, the kernel's NAT, nginx) and promtool: installed here when
  // missing, as root on Debian, like Chromium below. Elsewhere the real-tier tests skip with the
  // reason; under CI=true they fail instead.
  let realTierRan = false;
  await step('real-tier tools', async (out) => {
    const missing = missingTools(ALL_TOOLS);
    if (missing.length && isRoot() && isDebianLike()) {
      const pkgs = debPackages(missing);
      out.log(`installing ${pkgs.join(' ')} (for ${missing.join(', ')})`);
      const ok = (await sh('apt-get', ['update', '-qq'], {}, out)) === 0 &&
        (await sh('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], { DEBIAN_FRONTEND: 'noninteractive' }, out)) === 0;
      if (!ok) out.log('apt-get failed; see above');
    }
    const problem = realTierProblem(ALL_TOOLS, true);
    realTierRan = problem === undefined;
    if (problem) {
      out.log(`real tier will be skipped: ${problem}`);
      return process.env.CI ? { passed: 0, failed: 1, note: 'CI=true: the real tier must run' } : { passed: 0, failed: 0, skipped: 1, note: 'real tier skipped' };
    }
    out.log(`all present: ${ALL_TOOLS.join(', ')}`);
    return { passed: 1, failed: 0 };
  });

  const files = globSync(only ? `tests/**/*${only}*.test.ts` : 'tests/**/*.test.ts', { cwd: ROOT }).sort();
  const standIn = files.filter((f) => !REAL_FILE.test(f) && f !== MIXED_FILE);
  const timed = standIn.filter((f) => TIMING_SENSITIVE.includes(f));
  const untimed = standIn.filter((f) => !TIMING_SENSITIVE.includes(f));
  const real = files.filter((f) => REAL_FILE.test(f));
  const mixed = files.includes(MIXED_FILE) ? [MIXED_FILE] : [];

  const browserTests = !skipBrowser && !only;
  let chromiumEnv: Record<string, string> = {};
  const browser = browserTests
    ? await step('browser', async () => {
      const b = findChromium();
      if (b.executablePath) chromiumEnv = { KB_CHROMIUM_PATH: b.executablePath };
      console.log(`using ${b.origin}`);
      return { passed: 1, failed: 0 };
    })
    : undefined;
  const browserOk = browser?.failed === 0;
  const playwright = async (out: Out, args: string[], json: string, more: Record<string, string> = {}, nice?: number): Promise<Omit<StepResult, 'name' | 'seconds'>> => {
    rmSync(json, { force: true });
    await sh('playwright', ['test', '-c', 'tests/playwright.config.ts', ...args], { ...chromiumEnv, KB_PW_JSON: json, ...more }, out, nice, true);
    const c = playwrightCounts(json);
    // Traces are off by default (tests/playwright.config.ts); a failure says how to get one.
    // (Without a report Playwright failed before running a test, and left no screenshot either.)
    const note = c.fail > 0 && existsSync(json) && process.env.KB_PW_TRACE !== '1' ? 'a screenshot per failing test is in test-results/; KB_PW_TRACE=1 also keeps a trace' : undefined;
    return { passed: c.pass, failed: c.fail, skipped: c.skip, ...(note ? { note } : {}) };
  };

  // Phase 1. At normal priority, the stand-in files with wall-clock claims; niced beside them, every
  // other stand-in test file (four at a time) and cleanup.test.ts's stand-in cases (they interrupt
  // stand-in runs and check what those leave; the real tier's own checks look for its run
  // directories only).
  const untimedStep = step('unit and repro tests without timing claims', (out) => nodeTests('stand-in', [{ files: untimed }], out, false, low), true);
  const interrupts = step('interrupt tests, stand-in runs (cleanup.test.ts)', (out) => nodeTests('stand-in-cleanup', [{ files: mixed, args: [`--test-skip-pattern=${REAL_CASES}`] }], out, false, low), true);
  // On a busy machine nothing is niced, so nothing runs beside work with timing claims: under load
  // from elsewhere, a chaos run's app beside the other files at normal priority did not come up
  // within its kill interval.
  if (low === undefined) await Promise.all([untimedStep, interrupts]);
  await step('repro tests with timing claims', (out) => nodeTests('stand-in-timed', [{ files: timed }], out));

  // Phase 2. Niced beside the real tier: the base-path site and its browser tests (they check paths
  // and links, not verdicts, so they need no test result), and the type check. Both run astro
  // (build, sync), which writes .astro/; the site build waits until they are done with it.
  let astroDone = (): void => undefined;
  const astroFree = new Promise<void>((resolve) => (astroDone = resolve));
  const site = (async (): Promise<void> => {
    const typeCheck = (): Promise<StepResult> => step('type check', async (out) => {
      let sync: number;
      try {
        sync = await sh('astro', ['sync'], {}, out, low);
      } finally {
        astroDone();
      }
      if (sync !== 0) return exitStep(sync);
      return exitStep(await sh('tsc', ['--noEmit', '-p', '.'], {}, out, low));
    }, true);
    if (!(browserTests && browserOk)) {
      await typeCheck();
      return;
    }
    // The type check starts once the base-path build is done with .astro/, and runs beside its tests.
    let checked: Promise<StepResult> | undefined;
    await step('base path build and links (KB_BASE=/sre/kb/)', async (out) => {
      const dist = 'test-results/dist-base';
      const b = await sh('astro', ['build', '--outDir', dist], { KB_BASE: '/sre/kb/' }, out, low);
      checked = typeCheck();
      if (b !== 0) return exitStep(b);
      return playwright(out, ['--grep', '@base-path', '--workers', '1'], join(OUT, 'playwright-base.json'), { KB_BASE: '/sre/kb/', KB_DIST: dist, KB_PW_OUTPUT: join(OUT, 'playwright-base') }, low);
    }, true);
    await checked;
  })();

  if (low === undefined) await site;

  // The real tier after the stand-in files with timing claims, not beside them: its timings (a real
  // kubelet back-off, nginx, conntrack) are measured on a real clock, and the summary shows its own
  // time. cleanup.test.ts's real cases run after the real-tier files, not beside them: the files
  // check that no process of a real run is left anywhere, and a run that cleanup.test.ts is
  // interrupting at that moment would count. The files run one at a time too: beside the containerd
  // and nginx runs, the real kubelet's waits missed the model by 303 ms against a 250 ms tolerance
  // (49 ms alone on the same machine).
  const realStep = await step('real tier (containerd, runc, nginx, NAT)', (out) => nodeTests('real', [
    { files: real, concurrency: 1 },
    { files: mixed, args: [`--test-name-pattern=${REAL_CASES}`] },
  ], out, true));
  await untimedStep; // its claims count in the coverage and show on the site
  if (!only) {
    await step('claim coverage', async () => {
      const cov = await claimCoverage(join(OUT, 'claims.json'), { realTierRan });
      console.log(`${cov.total} claims: ${cov.verified} verified, ${cov.failed.length} failed, ${cov.unchecked.length} not checked by any test`);
      for (const f of cov.failed) console.log(`  FAILED     ${f}`);
      for (const u of cov.unchecked) console.log(`  UNCHECKED  ${u}: add a test that asserts it (tests/lib/claims.ts assertClaim)`);
      return { passed: cov.verified, failed: cov.failed.length + cov.unchecked.length };
    });
  }

  // Phase 3: the site with this run's verdicts; the live-panel runs whose claims are wall-clock
  // timings, with nothing else running (three workers: each runs one light, timing-sensitive run, as
  // the stand-in timing files do side by side); then the other browser tests (three workers). Beside
  // the other browser tests, niced (but with Chromium escaping its niceness through its own session,
  // before tests/lib/autogroup.ts), keepalive-502's 502 burst in a live run missed its +- 2 requests
  // (1 run in 4); beside the stand-in timing files and niced work, the stand-in supervisor's waits
  // missed their 250 ms (450 ms, 1 run in 2).
  await astroFree;
  const build = await step('site build', async () => exitStep(await sh('astro', ['build'])));
  const besideDone = Promise.all([untimedStep, interrupts, site]);
  if (browserTests && build.failed === 0 && browserOk) {
    await besideDone;
    await step('browser tests: live runs with timing claims', (out) => playwright(out, ['--grep', '@timing', '--workers', '3'], join(OUT, 'playwright-timing.json'), { KB_PW_OUTPUT: join(OUT, 'playwright-timing') }));
    await step('browser tests', (out) => playwright(out, ['--grep-invert', '@timing'], join(OUT, 'playwright.json')));
  }
  await besideDone;

  const wall = (performance.now() - t0) / 1000;
  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  const skipped = results.reduce((n, r) => n + (r.skipped ?? 0), 0);
  console.log('\n━━ summary ━━');
  for (const r of [...results].sort((a, b) => (a.order ?? 0) - (b.order ?? 0))) {
    console.log(`${r.failed === 0 ? 'PASS' : 'FAIL'}  ${r.name.padEnd(46)} ${String(r.passed).padStart(4)} passed ${String(r.failed).padStart(3)} failed  ${r.seconds.toFixed(1).padStart(6)} s${r.skipped ? `  (${r.skipped} skipped)` : ''}${r.note ? `  (${r.note})` : ''}`);
  }
  if (nicer && nicer.lowered.size > 0) console.log(`\n${nicer.lowered.size} Chromium sessions of niced browser steps ran at their niceness too (tests/lib/autogroup.ts)`);
  console.log(`\nwall time ${wall.toFixed(1)} s: ${realStep.seconds.toFixed(1)} s in the real tier, ${(wall - realStep.seconds).toFixed(1)} s for everything else`);
  console.log(`\nnpm test: ${failed === 0 ? 'all checks passed' : 'FAILED'}`);
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exit(failed === 0 ? 0 : 1);
}

await main();
