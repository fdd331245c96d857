// The "Run it here" panel, driven through the page: the project's own server (npm start's
// repros/lib/live/server.ts, started here on 127.0.0.1 and a free port) runs each incident's broken
// and fixed scenarios at a small time scale, and the page must show the documented behaviour and
// every claim passing. Also: a second Run while one runs is refused as busy, Stop ends a run, leaving
// the page ends a run, another origin cannot start one, and on plain static hosting (the shared
// `astro preview` of globalSetup) the panel is one line and the page requests nothing more.
// After every run the server's process tree is back to the server alone, with only its own socket.
import { expect, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { claims as clbClaims } from '../../repros/crashloop-backoff/claims.ts';
import { INCIDENT, SUPERVISOR_TOLERANCE_MS } from '../../repros/crashloop-backoff/constants.ts';
import { schedule, waits } from '../../repros/crashloop-backoff/kubelet-backoff.ts';
import { claims as csClaims } from '../../repros/containerd-stopped/claims.ts';
import { PREDICTIONS } from '../../repros/containerd-stopped/constants.ts';
import { formatExpected } from '../../repros/lib/claims.ts';
import { HAVE_PROC, listenersOf, treeOf } from '../lib/procs.ts';
import { axeViolations, guard, test } from './pages.ts';
import { HOST_PATTERN } from '../../repros/lib/address.ts';

const SERVER = join(import.meta.dirname, '..', '..', 'repros', 'lib', 'live', 'server.ts');
/** keepalive-502's own tests run at 0.2: its ± 2 requests are then ± 400 ms of timer lateness. */
const KEEPALIVE_SCALE = 0.2;
/** containerd-stopped's tests run at 0.01 (the hang is counted in requests, not timed). */
const CONTAINERD_SCALE = 0.01;
/** The chaos run takes about 13 s at 0.005; the supervisor's tolerance is in wall-clock ms. */
const CRASHLOOP_SCALE = 0.005;
const RUN_MS = 90_000;

let server: ChildProcess;
let live = '';


test.beforeAll(async () => {
  server = spawn(process.execPath, [SERVER, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  live = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      const m = new RegExp(`on (http://${HOST_PATTERN}:\\d+/\\S*)`).exec(out);
      if (m) resolve(m[1] as string);
    });
    server.once('exit', (code) => reject(new Error(`the live server exited with ${code}: ${out}`)));
  });
});

test.afterAll(async () => {
  if (server.exitCode === null) {
    const gone = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await gone;
  }
});

/** The server alone again: no CLI, no repro process, no socket but its own (polls; runs wind down). */
async function nothingLeft(): Promise<void> {
  if (!HAVE_PROC) return;
  await expect.poll(() => {
    const tree = treeOf(server.pid as number);
    return { processes: tree.length, sockets: listenersOf(tree).length };
  }, { timeout: 15_000, message: 'the server holds no process or socket of a run' }).toEqual({ processes: 1, sockets: 1 });
}

async function open(page: Page, slug: string): Promise<ReturnType<typeof guard>> {
  const g = guard(page);
  await page.goto(`${live}incidents/${slug}/`);
  await expect(page.locator('[data-live] form')).toBeVisible();
  return g;
}

async function runFromPanel(page: Page, scenario: string, scale: number): Promise<void> {
  const panel = page.locator('[data-live]');
  await page.getByLabel('Scenario', { exact: true }).selectOption(scenario);
  // The scale list offers what a reader picks; a test picks its own small scale the same way.
  await page.getByLabel('Time scale').evaluate((el, v) => {
    const sel = el as HTMLSelectElement;
    if (![...sel.options].some((o) => o.value === v)) sel.add(new Option(v, v));
    sel.value = v;
  }, String(scale));
  await page.getByRole('button', { name: 'Run' }).click();
  await expect(panel).toHaveAttribute('data-end', 'finished', { timeout: RUN_MS });
  await expect(panel).toHaveAttribute('data-shown', scenario);
}

/** Starts the chaos test in real time (about 40 minutes: it runs until stopped) and waits until the app runs. */
async function startLong(page: Page): Promise<void> {
  await page.getByLabel('Scenario', { exact: true }).selectOption('chaos');
  await page.getByLabel('Time scale').selectOption('1');
  await page.getByRole('button', { name: 'Run' }).click();
  await expect(page.getByTestId('live-log')).toContainText(/1\/1 +Running/, { timeout: 30_000 });
}

/** Every claim row of the live table: id, documented expectation, result. */
async function claimRows(page: Page): Promise<{ id: string; expected: string; result: string }[]> {
  const rows = page.locator('[data-testid="live-claims"] tbody tr');
  return rows.evaluateAll((trs) => trs.map((tr) => ({
    id: tr.getAttribute('data-claim') ?? '',
    expected: tr.querySelector('[data-expected]')?.textContent ?? '',
    result: tr.getAttribute('data-result') ?? '',
  })));
}

async function allPass(page: Page): Promise<string[]> {
  const rows = await claimRows(page);
  expect(rows.length, 'the run checked claims').toBeGreaterThan(0);
  expect(rows.filter((r) => r.result !== 'PASS').map((r) => r.id), 'every live claim passes').toEqual([]);
  return rows.map((r) => r.id);
}

// Each worker starts its own live server (beforeAll), so these runs spread over the workers: a
// worker runs one at a time and checks its server's process tree between runs. @timing marks the
// runs whose claims are wall-clock timings (the supervisor's waits within 250 ms, keepalive-502's
// requests within ± 400 ms at scale 0.2): npm test runs them on their own, before the other browser
// tests, as CPU-heavy pages beside them pushed the supervisor's waits past their tolerance.
test.describe('runs from the panel', () => {
  test('keepalive-502 from the page: broken shows a 503 then 502s; every claim passes @timing', async ({ page }) => {
    test.setTimeout(RUN_MS);
    const g = await open(page, 'keepalive-502');
    await runFromPanel(page, 'broken', KEEPALIVE_SCALE);
    expect(await allPass(page)).toContain('broken-503-then-502');
    const log = (await page.getByTestId('live-log').textContent()) ?? '';
    const first503 = log.search(/^\s+\S+ s {2}503 /m);
    const first502 = log.search(/^\s+\S+ s {2}502 /m);
    expect(first503, 'a 503 from the draining pod').toBeGreaterThan(-1);
    expect(first502, 'then 502s from the gateway').toBeGreaterThan(first503);
    await expect(page.getByTestId('live-statuses')).toContainText('1 × 503');
    await expect(page.getByTestId('live-statuses')).toContainText('× 502');
    // The chart is the run: one mark per request of its timeline, 502s drawn as the gateway's own.
    await expect(page.locator('[data-testid="live-out"] svg[role="img"] .pt.gateway').first()).toBeVisible();
    expect(g.problems).toEqual([]);
    await nothingLeft();
  });

  // Its own test (the two runs take about 25 s together), so another worker can run it meanwhile; a
  // second run from the same page is covered by containerd-stopped's test below.
  test('keepalive-502 from the page: fixed shows no 502 and no 503; every claim passes @timing', async ({ page }) => {
    test.setTimeout(RUN_MS);
    const g = await open(page, 'keepalive-502');
    await runFromPanel(page, 'fixed', KEEPALIVE_SCALE);
    await allPass(page);
    await expect(page.getByTestId('live-statuses')).not.toContainText('502');
    await expect(page.getByTestId('live-statuses')).not.toContainText('503');
    expect((await page.getByTestId('live-log').textContent()) ?? '').not.toMatch(/^\s+\S+ s {2}50[23] /m);
    expect(g.problems).toEqual([]);
    await nothingLeft();
  });

  test('containerd-stopped from the page: the logger hangs after the predicted number of requests and recovers; the fixed logger never hangs', async ({ page }) => {
    test.setTimeout(2 * RUN_MS);
    const g = await open(page, 'containerd-stopped');
    await runFromPanel(page, 'pipe-hang', CONTAINERD_SCALE);
    const ids = await allPass(page);
    for (const id of ['hang-requests', 'waiting-requests-complete', 'log-exactly-once']) expect(ids).toContain(id);
    const hang = page.locator('[data-claim="hang-requests"]');
    await expect(hang).toContainText(formatExpected(csClaims['hang-requests'].expected));
    // The narration's count and the table's observation are the same measurement, near the prediction.
    const answered = Number(/the app answered (\d+) requests/.exec((await page.getByTestId('live-log').textContent()) ?? '')?.[1]);
    const observed = Number(((await hang.locator('[data-observed]').textContent()) ?? '').replace(/[^\d]/g, ''));
    expect(observed).toBe(answered);
    const e = csClaims['hang-requests'].expected;
    expect(e.kind === 'approx' && Math.abs(answered - PREDICTIONS.requestsBeforeHang) <= e.tolerance).toBe(true);
    await expect(page.getByTestId('live-log')).toContainText(/\d+ of \d+ waiting requests answered/);
    await expect(page.getByTestId('live-hang')).toContainText(`the app answered ${answered.toLocaleString('en-US')} requests`);
    await expect(page.getByTestId('live-hang')).toContainText(/When containerd came back, (\d+) of \1 waiting requests were answered/);
    await nothingLeft();

    await runFromPanel(page, 'fixed-logger', CONTAINERD_SCALE);
    expect(await allPass(page)).toContain('fixed-logger-never-hangs');
    expect(g.problems).toEqual([]);
    await nothingLeft();
  });

  test('crashloop-backoff from the page: the supervisor\'s waits follow the back-off schedule; every claim passes @timing', async ({ page }) => {
    test.setTimeout(RUN_MS);
    const g = await open(page, 'crashloop-backoff');
    await runFromPanel(page, 'chaos', CRASHLOOP_SCALE);
    expect(await allPass(page)).toContain('supervisor-matches-model');
    await expect(page.locator('[data-claim="supervisor-matches-model"]')).toContainText(formatExpected(clbClaims['supervisor-matches-model'].expected));
    const rows = page.locator('[data-testid="live-waits"] tbody tr');
    const got = await rows.evaluateAll((trs) => trs.map((tr) => ({
      wait: Number(tr.querySelector('[data-wait]')?.getAttribute('data-wait')),
      model: Number(tr.querySelector('[data-model]')?.getAttribute('data-model')),
    })));
    const expected = waits(schedule({ version: INCIDENT.version, runs: [INCIDENT.killEvery], restarts: INCIDENT.restarts }));
    // The model's waits for the measured run times are the documented schedule (runs of ~210 s).
    expect(got.map((r) => r.model)).toEqual(expected);
    // Each measured wait is within the supervisor's wall-clock tolerance, in run-time seconds.
    const tol = SUPERVISOR_TOLERANCE_MS / 1000 / CRASHLOOP_SCALE;
    for (const [i, r] of got.entries()) expect(Math.abs(r.wait - r.model), `restart ${i + 1}`).toBeLessThanOrEqual(tol);
    await expect(page.locator('[data-testid="live-out"] svg.clb-timeline')).toBeVisible();
    expect(g.problems).toEqual([]);
    await nothingLeft();
  });

  test('a second Run while one runs is refused as busy; Stop ends the run and leaves nothing behind', async ({ page, context }) => {
    test.setTimeout(RUN_MS);
    await open(page, 'crashloop-backoff');
    await startLong(page);
    await expect(page.getByRole('button', { name: 'Run' })).toBeDisabled();

    const second = await context.newPage();
    await open(second, 'crashloop-backoff');
    await second.getByLabel('Scenario', { exact: true }).selectOption('model');
    await second.getByRole('button', { name: 'Run' }).click();
    await expect(second.getByTestId('live-status')).toContainText('Busy: crashloop-backoff is already running chaos');
    await second.close();

    await page.getByRole('button', { name: 'Stop' }).click();
    await expect(page.locator('[data-live]')).toHaveAttribute('data-end', 'stopped', { timeout: 20_000 });
    await expect(page.getByTestId('live-status')).toContainText('Stopped');
    await expect(page.getByRole('button', { name: 'Run' })).toBeEnabled();
    await nothingLeft();
  });

  test('leaving the page mid-run stops the run', async ({ page }) => {
    test.setTimeout(RUN_MS);
    await open(page, 'crashloop-backoff');
    await startLong(page);
    if (HAVE_PROC) expect(treeOf(server.pid as number).length).toBeGreaterThan(1);
    await page.goto('about:blank');
    await nothingLeft();
  });
});

test('another origin cannot start a run: the browser blocks it, and the server refuses a foreign Origin or Host', async ({ page, baseURL }) => {
  // A page on another origin (the static preview server) with the token in hand still cannot call.
  const own = await page.context().newPage();
  await own.goto(`${live}incidents/keepalive-502/`);
  const token = await own.locator('meta[name="kb-live"]').getAttribute('content');
  await own.close();
  expect(token).toBeTruthy();
  await page.goto(baseURL ?? '/');
  const outcome = await page.evaluate(async ({ url, token }) => {
    try {
      const r = await fetch(`${url}_live/run`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-kb-live-token': token ?? '' }, body: JSON.stringify({ slug: 'keepalive-502', scenario: 'broken', scale: 0.2 }) });
      return `status ${r.status}`;
    } catch (e) {
      return `blocked: ${(e as Error).name}`;
    }
  }, { url: live, token });
  expect(outcome).toBe('blocked: TypeError');
  // What the server says to a request that skips the browser's checks: refused, nothing started.
  const origin = new URL(live).origin;
  const body = JSON.stringify({ slug: 'keepalive-502', scenario: 'broken', scale: 0.2 });
  const headers = { 'content-type': 'application/json', 'x-kb-live-token': token ?? '' };
  const foreign = await fetch(`${live}_live/run`, { method: 'POST', headers: { ...headers, origin: 'http://evil.example' }, body });
  expect(foreign.status).toBe(403);
  expect(((await foreign.json()) as { error: string }).error).toContain('Origin "http://evil.example" is not this site');
  const noToken = await fetch(`${live}_live/run`, { method: 'POST', headers: { 'content-type': 'application/json', origin }, body });
  expect(noToken.status).toBe(403);
  await nothingLeft();
});

test('static hosting: the panel is one line, and the page requests nothing else and logs no error', async ({ page, baseURL }) => {
  const g = guard(page);
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  for (const slug of ['keepalive-502', 'containerd-stopped', 'crashloop-backoff']) {
    await page.goto(`${baseURL}incidents/${slug}/`);
    await page.waitForLoadState('networkidle');
    const panel = page.locator('[data-live]');
    await expect(panel.locator('.live-off')).toHaveText(/clone the repository and run npm start/);
    await expect(panel.locator('form, button, select')).toHaveCount(0);
    await expect(page.locator('meta[name="kb-live"]')).toHaveCount(0);
    expect(requests.filter((u) => u.includes('_live') || u.includes('live-panel'))).toEqual([]);
    expect(g.problems).toEqual([]);
  }
});

test('the panel is keyboard usable and readable at 360 px in both themes', async ({ page }) => {
  test.setTimeout(2 * RUN_MS); // a run in each theme, like the runs above
  await page.setViewportSize({ width: 360, height: 800 });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await open(page, 'containerd-stopped');
    const panel = page.locator('[data-live]');
    await page.getByLabel('Scenario', { exact: true }).focus();
    await page.keyboard.press('Tab');
    await expect(page.getByLabel('Tier')).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(page.getByLabel('Time scale')).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(page.getByRole('button', { name: 'Run' })).toBeFocused();
    // Run by keyboard: focus moves to Stop while it runs, and back to Run when it ends.
    await page.getByLabel('Scenario', { exact: true }).selectOption('node-controller');
    await page.getByRole('button', { name: 'Run' }).focus();
    await page.keyboard.press('Enter');
    await expect(panel).toHaveAttribute('data-end', 'finished', { timeout: RUN_MS });
    await expect(page.getByRole('button', { name: 'Run' })).toBeFocused();
    const box = await panel.boundingBox();
    expect(box && box.x + box.width, 'the panel fits the viewport').toBeLessThanOrEqual(360);
    const colors = await panel.evaluate((el) => {
      const c = getComputedStyle(el);
      return { fg: c.color, bg: getComputedStyle(document.body).backgroundColor };
    });
    expect(colors.fg).not.toBe(colors.bg);
    expect(await axeViolations(page, undefined, '[data-live]'), scheme).toEqual([]);
  }
});
