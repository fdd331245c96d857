// The keepalive-502 scenarios, run for real (processes on 127.0.0.1) at scale 0.2: preStop 3 s, grace
// period 6 s, one request every 200 ms, fail_timeout 2 s. At this scale the claims' tolerances of
// ± 2 requests / ± 2 s are ± 400 ms of timer lateness, which a busy 2-core machine stays well inside.
// Each run feeds several claims; the recordings the page charts are checked against the same runs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { TimelineEntry } from '../../repros/keepalive-502/timeline.ts';
import { runScenario, type RunReport } from '../../repros/lib/runner.ts';
import { assertReport } from '../lib/claims.ts';
import { HOST_PATTERN } from '../../repros/lib/address.ts';

const SCALE = 0.2;
const ROOT = join(import.meta.dirname, '..', '..');
const reports = new Map<string, RunReport>();

interface Observations {
  deletedPod: string;
  statusRunsAfterDeletion: number[];
  status503: number;
  balancerConnectionsAfterDeletion: { endpoint: string; endpointState: string }[];
  timeline: TimelineEntry[];
}
const obs = (r: RunReport): Observations => r.observations as unknown as Observations;

async function run(scenario: string): Promise<RunReport> {
  const r = await runScenario('keepalive-502', scenario, { scale: SCALE });
  reports.set(scenario, r);
  assertReport(r);
  return r;
}

// The five runs go at once: each is its own processes on its own ports, mostly waiting on timers,
// so side by side they keep inside the tolerances above; the recording checks below read their reports.
describe('scenario runs', { concurrency: 5 }, () => {
  test('broken: the old connection serves the deleted pod through preStop, then one 503 and a burst of 502s', { timeout: 60_000 }, async () => {
    const o = obs(await run('broken'));
    assert.equal(o.status503, 1, 'the halting pod answers one 503 and closes the connection');
    // The claim "no new connection to a terminating pod" is not vacuous: the gateway did reconnect.
    assert.ok(o.balancerConnectionsAfterDeletion.length >= 1);
    for (const c of o.balancerConnectionsAfterDeletion) {
      assert.notEqual(c.endpoint, o.deletedPod);
      assert.equal(c.endpointState, 'ready');
    }
  });

  test('fixed: no non-2xx, and the pod closes its connection after one response once draining', { timeout: 60_000 }, async () => {
    const o = obs(await run('fixed'));
    assert.ok(o.balancerConnectionsAfterDeletion.length >= 1, 'the client\'s next request opened a new connection');
    assert.ok(o.balancerConnectionsAfterDeletion.every((c) => c.endpoint !== o.deletedPod));
    const lastFromDeleted = o.timeline.filter((e) => e.pod === o.deletedPod).at(-1);
    const firstFromOther = o.timeline.find((e) => e.s > 0 && e.pod !== o.deletedPod);
    assert.ok(lastFromDeleted && firstFromOther && firstFromOther.s > lastFromDeleted.s, 'the next answer after the close came from the other pod');
  });

  test('direct: the gateway drops only the deleted pod, no 502', { timeout: 60_000 }, async () => {
    const o = obs(await run('direct'));
    assert.deepEqual(o.statusRunsAfterDeletion, [200], 'the 503 is retried on the other pod, so the client sees only 200s');
  });

  test('single-replica: a balancer that deregisters the pod refuses new connections once the only pod is deleted', { timeout: 60_000 }, async () => {
    const o = obs(await run('single-replica'));
    assert.deepEqual(o.balancerConnectionsAfterDeletion, []);
  });

  test('single-replica-service: through a Service the terminating pod keeps getting new connections', { timeout: 60_000 }, async () => {
    const o = obs(await run('single-replica-service'));
    assert.ok(o.balancerConnectionsAfterDeletion.length >= 1);
    assert.ok(o.balancerConnectionsAfterDeletion.every((c) => c.endpoint === o.deletedPod && c.endpointState === 'terminating'));
  });
});

// The page charts recordings of real runs at scale 1 (repros/keepalive-502/recordings/*.json, made
// with `npm run -s repro -- keepalive-502 <scenario> --json`). They must still look like what the repro
// produces now: the same fields, the same sequence of statuses, every claim passed.
for (const scenario of ['broken', 'fixed', 'direct', 'single-replica', 'single-replica-service']) {
  test(`the ${scenario} recording has the shape and the status sequence of a run today`, () => {
    const fresh = reports.get(scenario);
    assert.ok(fresh, `the ${scenario} run above must have passed`);
    const file = join(ROOT, 'repros', 'keepalive-502', 'recordings', `${scenario}.json`);
    assert.ok(existsSync(file), `${file} is missing; record it with npm run -s repro -- keepalive-502 ${scenario} --json > ${file}`);
    const rec = JSON.parse(readFileSync(file, 'utf8')) as RunReport;
    assert.equal(rec.slug, 'keepalive-502');
    assert.equal(rec.scenario, scenario);
    assert.equal(typeof rec.scale, 'number');
    assert.ok(!Number.isNaN(Date.parse(rec.startedAt)));
    assert.deepEqual(Object.keys(rec.observations).sort(), Object.keys(fresh.observations).sort());
    const keys = (r: RunReport): string[] => Object.keys(obs(r).timeline[0] ?? {}).sort();
    assert.deepEqual(keys(rec), keys(fresh));
    assert.deepEqual(obs(rec).statusRunsAfterDeletion, obs(fresh).statusRunsAfterDeletion);
    assert.deepEqual(rec.results.map((r) => r.id), fresh.checks.map((c) => c.claim.id));
    assert.ok(rec.results.every((r) => r.pass), `every claim passed in the recorded run: ${JSON.stringify(rec.results)}`);
  });
}

test('bad input: topology flags on a fixed scenario, and a malformed address, exit 2', () => {
  const cli = (...a: string[]) => spawnSync(process.execPath, [join(ROOT, 'repros', 'cli.ts'), 'keepalive-502', ...a], { encoding: 'utf8', timeout: 30_000 });
  const f = cli('broken', '--fix');
  assert.equal(f.status, 2);
  assert.match(f.stderr, /--fix applies to the up scenario/);
  const p = cli('up', '--policy', 'round-robin');
  assert.equal(p.status, 2);
  assert.match(p.stderr, /kube-proxy, deregister/);
  const g = cli('incident-gateway', '--upstreams', 'lb=nowhere');
  assert.equal(g.status, 2);
  assert.match(g.stderr, /endpoint "lb=nowhere" must be host:port or name=host:port/);
  const c = cli('client', '--target', 'example.com');
  assert.equal(c.status, 2);
  assert.match(c.stderr, new RegExp(`--target must be an http URL on ${HOST_PATTERN}`));
});
