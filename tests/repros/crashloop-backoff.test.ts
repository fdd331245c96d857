// The back-off model: every claim the page makes about it, plus the properties of the port that the
// claims rest on (the strict > 600 s reset, the refusals for versions and gates that do not exist).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runScenario } from '../../repros/lib/runner.ts';
import { UsageError } from '../../repros/lib/repro.ts';
import { assertReport } from '../lib/claims.ts';
import { claims } from '../../repros/crashloop-backoff/claims.ts';
import { inputFromFlags } from '../../repros/crashloop-backoff/repro.ts';
import {
  Backoff,
  BackoffConfigError,
  doBackOff,
  goDuration,
  newKubeletBackoff,
  parseFeatureGates,
  resolveKubelet,
  schedule,
  waits,
} from '../../repros/crashloop-backoff/kubelet-backoff.ts';

test('every model claim holds (model scenario)', async () => {
  const report = await runScenario('crashloop-backoff', 'model');
  const ids = report.checks.map((c) => c.claim.id).sort();
  const modelIds = Object.values(claims).filter((c) => c.id !== 'supervisor-matches-model').map((c) => c.id).sort();
  assert.deepEqual(ids, modelIds);
  assertReport(report);
});

test('--simulate reports restarts with the fields the issue names, and checks the default claims', async () => {
  const report = await runScenario('crashloop-backoff', 'chaos', { flags: { simulate: true } });
  const restarts = report.observations.restarts as { restart: number; exitedAt: number; restartedAt: number; backoffSeconds: number }[];
  assert.equal(restarts.length, 8);
  assert.deepEqual(restarts.map((r) => r.restart), [1, 2, 3, 4, 5, 6, 7, 8]);
  for (const r of restarts) assert.equal(r.restartedAt - r.exitedAt, r.backoffSeconds);
  assertReport(report);
});

test('client-go Backoff: Next creates, doubles and caps; IsInBackOffSince is strict', () => {
  const clock = { t: 0, now(): number { return this.t; } };
  const b = new Backoff(10, 300, clock);
  assert.equal(b.isInBackOffSince('k', 0), false, 'no entry: never in back-off');
  b.next('k', 0);
  assert.equal(b.get('k'), 10);
  clock.t = 9.999;
  assert.equal(b.isInBackOffSince('k', 0), true);
  clock.t = 10;
  assert.equal(b.isInBackOffSince('k', 0), false, 'now - eventTime == backoff is not < backoff');
  for (let i = 0; i < 10; i++) b.next('k', clock.t);
  assert.equal(b.get('k'), 300);
});

test('the reset needs strictly more than 600 s of run time; before 1.32 it was 2 x max', () => {
  const run = (version: '1.31' | '1.35', x: number): number[] => waits(schedule({ version, runs: [210, x, 210], restarts: 3 }));
  assert.deepEqual(run('1.35', 600), [0, 10, 20]);
  assert.deepEqual(run('1.35', 600.001), [0, 0, 10]);
  assert.deepEqual(run('1.31', 600.001), [0, 0, 10]);
  const k = resolveKubelet({ version: '1.35', maxContainerRestartPeriod: 5 });
  assert.equal(k.expiry, 'flat-600s', 'a lower max does not shorten the reset since 1.32');
  assert.deepEqual(waits(schedule({ version: '1.35', maxContainerRestartPeriod: 5, runs: [20, 20, 601, 20], restarts: 4 })), [0, 5, 0, 5]);
});

test('doBackOff: first start and first restart are immediate, the refusal message uses Go durations', () => {
  const clock = { t: 0, now(): number { return this.t; } };
  const b = newKubeletBackoff(resolveKubelet({ version: '1.35' }), clock);
  assert.equal(doBackOff(b, 'k', undefined).inBackOff, false);
  clock.t = 210;
  assert.equal(doBackOff(b, 'k', 210).inBackOff, false, 'no entry yet: restart 1 is immediate');
  clock.t = 420;
  const d = doBackOff(b, 'k', 420, 'app', 'p_default');
  assert.equal(d.inBackOff, true);
  assert.equal(d.event, 'Back-off restarting failed container');
  assert.equal(d.message, 'back-off 10s restarting failed container=app pod=p_default');
  assert.equal(d.expiresAt, 430);
  assert.equal(goDuration(300), '5m0s');
  assert.equal(goDuration(160), '2m40s');
});

test('combinations that cannot exist are refused', () => {
  assert.throws(() => resolveKubelet({ version: '1.32', featureGates: { ReduceDefaultCrashLoopBackOffDecay: true } }), BackoffConfigError);
  assert.throws(() => resolveKubelet({ version: '1.31', featureGates: { KubeletCrashLoopBackOffMax: true } }), /does not exist in Kubernetes 1.31/);
  assert.throws(() => resolveKubelet({ version: '1.33', featureGates: { ContainerRestartRules: true } }), BackoffConfigError);
  assert.throws(() => resolveKubelet({ version: '1.34', maxContainerRestartPeriod: 30 }), /needs the KubeletCrashLoopBackOffMax/);
  assert.throws(() => resolveKubelet({ version: '1.35', maxContainerRestartPeriod: 301 }), /between 1 s and 300 s/);
  assert.throws(() => resolveKubelet({ version: '1.35', maxContainerRestartPeriod: 0.5 }), /between 1 s and 300 s/);
  assert.throws(() => parseFeatureGates(['Nope=true']), /unknown feature gate Nope/);
  assert.throws(() => parseFeatureGates(['KubeletCrashLoopBackOffMax=yes']), /Name=true/);
  assert.throws(() => inputFromFlags({ version: '1.32', 'feature-gates': ['ReduceDefaultCrashLoopBackOffDecay=true'] }), UsageError);
  assert.doesNotThrow(() => resolveKubelet({ version: '1.35', featureGates: { KubeletCrashLoopBackOffMax: false, ReduceDefaultCrashLoopBackOffDecay: true } }));
});

test('gate defaults per version: 1.35 turns KubeletCrashLoopBackOffMax on and defaults its period to 300 s', () => {
  assert.equal(resolveKubelet({ version: '1.34' }).gates.KubeletCrashLoopBackOffMax, false);
  const k = resolveKubelet({ version: '1.35' });
  assert.equal(k.gates.KubeletCrashLoopBackOffMax, true);
  assert.equal(k.maxContainerRestartPeriod, 300);
  const reducedOnly = resolveKubelet({ version: '1.35', featureGates: { ReduceDefaultCrashLoopBackOffDecay: true, KubeletCrashLoopBackOffMax: false } });
  assert.deepEqual([reducedOnly.initial, reducedOnly.max], [1, 60]);
  const both = resolveKubelet({ version: '1.33', featureGates: { ReduceDefaultCrashLoopBackOffDecay: true, KubeletCrashLoopBackOffMax: true }, maxContainerRestartPeriod: 30 });
  assert.deepEqual([both.initial, both.max], [1, 30], 'the operator period overrides the reduced max, the reduced initial stays');
});

test('schedule summary: availability, first restart at the cap, timeline spans', () => {
  const s = schedule({ version: '1.35', runs: [210], restarts: 8 });
  const running = 9 * 210;
  assert.equal(s.windowEnd, running + 910);
  assert.equal(s.availability, running / s.windowEnd);
  assert.equal(s.spans.filter((x) => x.kind === 'backoff').length, 7, 'restart 1 has no back-off span');
  assert.equal(s.resetAfter, 600);
  const never = schedule({ version: '1.35', runs: [210], restarts: 6 });
  assert.equal(never.firstAtCap, null);
});

test('retry granularity: restarts land on or after the nominal expiry, never before', () => {
  for (let seed = 1; seed <= 50; seed++) {
    const s = schedule({ version: '1.34', runs: [210], restarts: 8, retryGranularity: true, seed });
    for (const r of s.restarts) assert.ok(r.backoffSeconds >= r.nominalBackoff, `seed ${seed} restart ${r.restart}`);
  }
});

test('run times that are not whole seconds still give a finite schedule (float rounding at the expiry)', () => {
  const runs = [210.95, 210.47, 221.33, 209.99, 210.000001, 0.1 + 0.2];
  const s = schedule({ version: '1.35', runs, restarts: 6 });
  assert.deepEqual(waits(s), [0, 10, 20, 40, 80, 160]);
});
