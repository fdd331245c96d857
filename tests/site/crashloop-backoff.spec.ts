// The back-off calculator on the CrashLoopBackOff page, driven like a reader would (labels and the
// keyboard), with every number it shows compared with the model module it imports.
import { expect, type Page } from '@playwright/test';
import { test } from './pages.ts';
import { schedule, waits, type ScheduleInput } from '../../repros/crashloop-backoff/kubelet-backoff.ts';
import { GC_EXAMPLE, INCIDENT } from '../../repros/crashloop-backoff/constants.ts';
import { percent, clock } from '../../src/components/crashloop-backoff/calc-view.ts';

const PAGE = 'incidents/crashloop-backoff/';

async function shownWaits(page: Page): Promise<number[]> {
  const cells = page.getByTestId('clb-table').locator('tbody td[data-wait]');
  return (await cells.evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('data-wait')))));
}

async function expectMatchesModel(page: Page, input: ScheduleInput): Promise<void> {
  const s = schedule(input);
  await expect.poll(() => shownWaits(page)).toEqual(waits(s).map((w) => Number(w.toFixed(2))));
  // Restart number, exited at, restarted at: one read of the whole table.
  const shown = await page.getByTestId('clb-table').locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [tr.getAttribute('data-restart'), tr.children[1]?.textContent, tr.children[2]?.textContent]));
  expect(shown).toEqual(s.restarts.map((r) => [String(r.restart), clock(r.exitedAt), clock(r.restartedAt)]));
  await expect(page.getByTestId('clb-first-cap')).toHaveText(
    s.firstAtCap === null ? /No restart in this window/ : new RegExp(`^Restart ${s.firstAtCap} is the first`),
  );
  await expect(page.getByTestId('clb-availability')).toContainText(percent(s.availability));
  await expect(page.getByTestId('clb-reset')).toContainText(`more than ${s.resetAfter / 60}m0s`);
  await expect(page.getByTestId('clb-timeline').locator('rect.clb-backoff')).toHaveCount(s.spans.filter((x) => x.kind === 'backoff').length);
  await expect(page.getByTestId('clb-timeline').locator('rect.clb-running')).toHaveCount(s.spans.filter((x) => x.kind === 'running').length);
  // Restarts the back-off GC ended early, row by row, and the cut-short spans on the chart.
  const gcRows = await page.getByTestId('clb-table').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-gc')));
  expect(gcRows).toEqual(s.restarts.map((r) => (r.gcEndedEarly ? 'ended-early' : r.gcDeleted ? 'deleted' : null)));
  await expect(page.getByTestId('clb-timeline').locator('rect.clb-gc')).toHaveCount(s.restarts.filter((r) => r.gcEndedEarly).length);
}

test.beforeEach(async ({ page }) => {
  await page.goto(PAGE);
  await expect(page.locator('.clb-calc[data-ready="true"]')).toBeVisible();
});

test('the first view (built at build time) shows the incident as the model computes it', async ({ page }) => {
  await expectMatchesModel(page, { version: INCIDENT.version, runs: [INCIDENT.killEvery], restarts: INCIDENT.restarts });
  await expect(page.locator('tbody tr.at-cap')).toHaveAttribute('data-restart', '7');
});

test('kill interval, run list and restart count drive the table, chart and summary', async ({ page }) => {
  const every = page.getByRole('spinbutton', { name: 'Seconds of run time between kills' });
  await every.fill('601');
  await expectMatchesModel(page, { version: INCIDENT.version, runs: [601], restarts: INCIDENT.restarts });

  await page.getByRole('radio', { name: /Run durations/ }).check();
  await page.getByRole('textbox', { name: /Run durations in seconds/ }).fill('210, 210, 210, 600, 210');
  await page.getByRole('spinbutton', { name: 'Restarts to show' }).fill('5');
  await expectMatchesModel(page, { version: INCIDENT.version, runs: [210, 210, 210, 600, 210], restarts: 5 });
  await page.getByRole('textbox', { name: /Run durations in seconds/ }).fill('210, 210, 210, 601, 210');
  await expectMatchesModel(page, { version: INCIDENT.version, runs: [210, 210, 210, 601, 210], restarts: 5 });
});

test('runs of 400 s: the back-off GC cuts the capped wait short and the back-off starts over, as in the model', async ({ page }) => {
  const every = page.getByRole('spinbutton', { name: 'Seconds of run time between kills' });
  await every.fill(String(GC_EXAMPLE.runEvery));
  await page.getByRole('spinbutton', { name: 'Restarts to show' }).fill(String(GC_EXAMPLE.restarts));
  const input = { version: INCIDENT.version, runs: [GC_EXAMPLE.runEvery], restarts: GC_EXAMPLE.restarts } as const;
  await expectMatchesModel(page, input);
  const s = schedule(input);
  const cut = s.restarts.filter((r) => r.gcEndedEarly);
  expect(cut.length).toBeGreaterThan(0);
  for (const r of cut) {
    await expect(page.locator(`tbody tr[data-restart="${r.restart}"]`)).toContainText('GC deleted the entry mid-wait');
  }
  await expect(page.getByTestId('clb-first-cap')).toContainText('No restart in this window waits the full cap');
  await expect(page.getByTestId('clb-first-cap')).toContainText(`GC cut ${cut.length === 1 ? 'one wait' : `${cut.length} waits`} short`);

  // The same on 1.34, whose pod worker retries every 10 s: the cut comes sooner.
  await page.getByLabel('Kubernetes version').selectOption('1.34');
  await expectMatchesModel(page, { ...input, version: '1.34' });
});

test('feature gates and the maximum restart period, as the model resolves them', async ({ page }) => {
  await page.getByLabel('Kubernetes version').selectOption('1.33');
  await page.getByLabel('ReduceDefaultCrashLoopBackOffDecay').selectOption('true');
  await page.getByRole('spinbutton', { name: 'Restarts to show' }).fill('9');
  await expectMatchesModel(page, { version: '1.33', featureGates: { ReduceDefaultCrashLoopBackOffDecay: true }, runs: [INCIDENT.killEvery], restarts: 9 });

  await page.getByLabel('Kubernetes version').selectOption('1.35');
  await expectMatchesModel(page, { version: '1.35', featureGates: { ReduceDefaultCrashLoopBackOffDecay: true }, runs: [INCIDENT.killEvery], restarts: 9 });

  await page.getByLabel(/maxContainerRestartPeriod/).fill('5');
  await expectMatchesModel(page, { version: '1.35', featureGates: { ReduceDefaultCrashLoopBackOffDecay: true }, maxContainerRestartPeriod: 5, runs: [INCIDENT.killEvery], restarts: 9 });
});

test('combinations no kubelet accepts are refused with the reason', async ({ page }) => {
  await page.getByLabel('Kubernetes version').selectOption('1.32');
  await page.getByLabel('ReduceDefaultCrashLoopBackOffDecay').selectOption('true');
  await expect(page.getByRole('alert')).toContainText('does not exist in Kubernetes 1.32');
  await expect(page.getByTestId('clb-table')).toBeHidden();
  await page.getByLabel('ReduceDefaultCrashLoopBackOffDecay').selectOption('');
  await page.getByLabel(/maxContainerRestartPeriod/).fill('400');
  await expect(page.getByRole('alert')).toContainText('between 1 s and 300 s');
  await page.getByLabel(/maxContainerRestartPeriod/).fill('');
  await expect(page.getByRole('alert')).toBeHidden();
  await expect(page.getByTestId('clb-table')).toBeVisible();
});

test('usable by keyboard alone', async ({ page }) => {
  const every = page.getByRole('spinbutton', { name: 'Seconds of run time between kills' });
  await every.focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('700');
  await expectMatchesModel(page, { version: INCIDENT.version, runs: [700], restarts: INCIDENT.restarts });
  // Tab on through the form to the version select and change it with the arrow keys.
  const version = page.getByLabel('Kubernetes version');
  for (let i = 0; i < 10 && !(await version.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  await expect(version).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await expect(page.getByTestId('clb-kubelet')).toContainText('Kubernetes 1.34');
  await expectMatchesModel(page, { version: '1.34', runs: [700], restarts: INCIDENT.restarts });
});

test('typing in a field selects its mode; tabbing past it does not', async ({ page }) => {
  await page.getByRole('textbox', { name: /Run durations in seconds/ }).focus();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('radio', { name: 'Killed every' })).toBeChecked();
  await page.getByRole('textbox', { name: /Run durations in seconds/ }).fill('100, 700');
  await expect(page.getByRole('radio', { name: /Run durations/ })).toBeChecked();
  await expectMatchesModel(page, { version: INCIDENT.version, runs: [100, 700], restarts: INCIDENT.restarts });
});

test('each gate says what the selected version does with it', async ({ page }) => {
  const gate = page.getByLabel('KubeletCrashLoopBackOffMax');
  await expect(gate.locator('option').first()).toHaveText('version default (on, beta)');
  await page.getByLabel('Kubernetes version').selectOption('1.32');
  await expect(gate.locator('option').first()).toHaveText('version default (off, alpha)');
  await page.getByLabel('Kubernetes version').selectOption('1.31');
  await expect(gate.locator('option').first()).toHaveText('not in 1.31');
});
