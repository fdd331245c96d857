// The keepalive-502 page: the topology diagram, and one chart per recorded run whose marks are the
// recording's requests (the chart is the real run, not a drawing), with its alert links.
import { expect } from '@playwright/test';
import { test } from './pages.ts';
import { readFileSync } from 'node:fs';
import type { Recording } from '../../src/components/keepalive-502/chart.ts';

const recording = (name: string): Recording =>
  JSON.parse(readFileSync(new URL(`../../repros/keepalive-502/recordings/${name}.json`, import.meta.url), 'utf8')) as Recording;

test('keepalive-502: the topology and one chart per recorded run, one mark per recorded request @base-path', async ({ page }) => {
  await page.goto('incidents/keepalive-502/');
  await expect(page.getByRole('img', { name: 'Topology of the incident and of its repro' })).toBeVisible();
  const charts = page.locator('figure.kl502-chart');
  await expect(charts).toHaveCount(3);
  for (const [i, name] of ['broken', 'fixed', 'direct'].entries()) {
    const rec = recording(name);
    const chart = charts.nth(i);
    await expect(chart.locator('svg[role="img"] .pt')).toHaveCount(rec.observations.timeline.length);
    await expect(chart.locator('figcaption')).toContainText(`keepalive-502 ${name} --json`);
    await expect(chart.locator('figcaption')).toContainText(rec.startedAt.slice(0, 10));
  }
  // The broken run's 502s are the gateway's own answers: as many squares as recorded 502s.
  const broken = recording('broken');
  await expect(charts.nth(0).locator('svg[role="img"] .pt.gateway')).toHaveCount(broken.observations.timeline.filter((e) => e.status === 502).length);
});

test('keepalive-502: the alert links lead to the alert pages @base-path', async ({ page }) => {
  await page.goto('incidents/keepalive-502/');
  for (const name of ['GatewayHigh5xxRate', 'KubePodNotReady', 'KubeDeploymentReplicasMismatch']) {
    const link = page.locator('.content').getByRole('link', { name, exact: true }).first();
    await expect(link).toBeVisible();
    const res = await page.request.get((await link.getAttribute('href')) ?? '');
    expect(res.status(), name).toBe(200);
  }
});

test('keepalive-502: "If you are paged" opens the page, every kubectl line has -n, and the claim links land on claims @base-path', async ({ page }) => {
  await page.goto('incidents/keepalive-502/');
  const box = page.locator('.content section.if-paged');
  await expect(box.getByRole('heading', { name: 'If you are paged' })).toBeVisible();
  const summary = page.locator('.content h2#summary');
  const [boxY, summaryY] = await Promise.all([box.boundingBox(), summary.boundingBox()]);
  expect(boxY && summaryY && boxY.y < summaryY.y, 'the box comes before the Summary').toBeTruthy();
  const code = (await page.locator('.content pre').allInnerTexts()).join('\n');
  const kubectl = code.split('\n').filter((l) => /^\s*kubectl /.test(l));
  expect(kubectl.length).toBeGreaterThanOrEqual(2);
  for (const l of kubectl) expect(l, l).toMatch(/ -n "\$NAMESPACE" /);
  expect(code).not.toContain('upstream marked down');
  for (const link of await page.locator('.content a[href^="#claim-"]').all()) {
    const id = ((await link.getAttribute('href')) ?? '').slice(1);
    await expect(page.locator(`[id="${id}"]`)).toHaveCount(1);
  }
});
