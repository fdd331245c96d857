// The back-off model: every claim the page makes about it, plus the properties of the port that the
// claims rest on (the strict > 600 s reset, the GC that follows it, the pod worker's retries per
// version, the refusals for versions and gates that do not exist).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runScenario } from '../../repros/lib/runner.ts';
import { UsageError } from '../../repros/lib/repro.ts';
import { assertReport } from '../lib/claims.ts';
import { claims } from '../../repros/crashloop-backoff/claims.ts';
import { inputFromFlags } from '../../repros/crashloop-backoff/scenarios.ts';
import {
  Backoff,
  BackoffConfigError,
  doBackOff,
  goDuration,
  housekeepingBetween,
  lastHousekeepingAt,
  newKubeletBackoff,
  nextSyncAfterRefusal,
  NO_JITTER,
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

test('the reset at the exit needs strictly more than 600 s of run time; before 1.32 it was 2 x max', () => {
  const run = (version: '1.31' | '1.35', x: number): number[] => waits(schedule({ version, runs: [210, x, 210], restarts: 3 }));
  // Exactly 600 s: Next does not reset, the exit is refused for 10 s, and by the retry at the expiry
  // housekeeping has deleted the entry (more than 600 s since the restart at 210 s): a fresh 10 s.
  const s600 = schedule({ version: '1.35', runs: [210, 600, 210], restarts: 3 });
  assert.deepEqual(waits(s600), [0, 10, 10]);
  assert.equal(s600.restarts[1]?.reset, false);
  assert.equal(s600.restarts[1]?.gcDeleted, true);
  assert.equal(s600.restarts[1]?.gcEndedEarly, false, 'the retry came at the expiry: not early');
  assert.deepEqual(run('1.35', 600.001), [0, 0, 10]);
  assert.deepEqual(run('1.31', 600.001), [0, 0, 10]);
  const k = resolveKubelet({ version: '1.35', maxContainerRestartPeriod: 5 });
  assert.equal(k.expiry, 'flat-600s', 'a lower max does not shorten the reset since 1.32');
  assert.deepEqual(waits(schedule({ version: '1.35', maxContainerRestartPeriod: 5, runs: [20, 20, 601, 20], restarts: 4 })), [0, 5, 0, 5]);
});

test('client-go Backoff.GC: deletes an entry only when more than 600 s passed since its last update, waiting included', () => {
  const clock = { t: 0, now(): number { return this.t; } };
  const b = newKubeletBackoff(resolveKubelet({ version: '1.35' }), clock);
  clock.t = 100;
  b.next('a', 100);
  clock.t = 400;
  b.next('b', 400);
  clock.t = 700;
  assert.deepEqual(b.gc(), [], 'exactly 600 s: kept');
  clock.t = 700.5;
  assert.deepEqual(b.gc(), ['a']);
  assert.equal(b.entry('a'), undefined);
  assert.ok(b.entry('b'));
  // The GC clock is "now", so a container that exited at 450 and is still waiting loses its entry.
  clock.t = 1000.1;
  assert.deepEqual(b.gc(), ['b']);
  // 1.31: no HasExpiredFunc, 2 x max; the same 600 s with the fixed 300 s maximum.
  const old = newKubeletBackoff(resolveKubelet({ version: '1.31' }), clock);
  clock.t = 0;
  old.next('c', 0);
  clock.t = 600;
  assert.deepEqual(old.gc(), []);
  clock.t = 601;
  assert.deepEqual(old.gc(), ['c']);
});

test('housekeeping ticks every 2 s from the first start and runs the GC once per sync gap', () => {
  assert.equal(lastHousekeepingAt(1261), 1260);
  assert.equal(lastHousekeepingAt(1262), 1262);
  const clock = { t: 0, now(): number { return this.t; } };
  const b = newKubeletBackoff(resolveKubelet({ version: '1.35' }), clock);
  clock.t = 660;
  b.next('k', 660);
  const setNow = (t: number): void => { clock.t = t; };
  assert.deepEqual(housekeepingBetween(b, setNow, 660, 1261), [], 'tick 1260 is exactly 600 s after');
  assert.equal(clock.t, 1261);
  assert.deepEqual(housekeepingBetween(b, setNow, 1261, 1263), ['k'], 'tick 1262 is past it');
});

test('pod worker retry after a refusal: 10-15 s before 1.35, the expiry capped at 60 s from 1.35', () => {
  assert.equal(resolveKubelet({ version: '1.34' }).podWorkerRetry, 'fixed-period');
  assert.equal(resolveKubelet({ version: '1.35' }).podWorkerRetry, 'propagated');
  assert.equal(nextSyncAfterRefusal(100, 400, 'fixed-period', NO_JITTER), 110);
  assert.equal(nextSyncAfterRefusal(100, 400, 'fixed-period', () => 1), 115);
  assert.equal(nextSyncAfterRefusal(100, 400, 'propagated', NO_JITTER), 160, 'capped at the resync interval');
  assert.equal(nextSyncAfterRefusal(100, 130, 'propagated', NO_JITTER), 130);
  assert.equal(nextSyncAfterRefusal(100, 130, 'propagated', () => 1), 145, 'wait.Jitter: up to 1.5 x the delay');
  assert.equal(nextSyncAfterRefusal(100, 90, 'propagated', NO_JITTER), 100, 'already expired: at once');
});

test('--simulate marks the restarts that GC ended early, in the log and the observations', async () => {
  const lines: string[] = [];
  const report = await runScenario('crashloop-backoff', 'chaos', { flags: { simulate: true, 'kill-every': 400, restarts: 9 }, log: (l) => lines.push(l) });
  const restarts = report.observations.restarts as { restart: number; backoffSeconds: number; gcEndedEarly: boolean; nominalBackoff: number }[];
  assert.deepEqual(restarts.filter((r) => r.gcEndedEarly).map((r) => r.restart), [7]);
  assert.ok(restarts[6] && restarts[6].backoffSeconds < restarts[6].nominalBackoff);
  const row7 = lines.find((l) => /^\s+7\s/.test(l));
  assert.match(row7 ?? '', /GC ended the 300 s back-off early/);
  assert.equal(lines.filter((l) => /GC ended/.test(l)).length, 1);
  assert.match(lines.find((l) => l.startsWith('restart')) ?? '', /^restart {2}exited at {2}restarted at {2}waited$/, 'the table keeps its header');
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
  assert.equal(s.gcAfter, 600);
  const never = schedule({ version: '1.35', runs: [210], restarts: 6 });
  assert.equal(never.firstAtCap, null);
});

test('jittered retries: restarts land on or after the nominal expiry, never before (no GC at 210 s runs)', () => {
  for (const version of ['1.34', '1.35'] as const) {
    for (let seed = 1; seed <= 50; seed++) {
      const s = schedule({ version, runs: [210], restarts: 8, retryGranularity: true, seed });
      for (const r of s.restarts) assert.ok(r.backoffSeconds >= r.nominalBackoff, `${version} seed ${seed} restart ${r.restart}`);
    }
  }
});

test('run times that are not whole seconds still give a finite schedule (float rounding at the expiry)', () => {
  const runs = [210.95, 210.47, 221.33, 209.99, 210.000001, 0.1 + 0.2];
  const s = schedule({ version: '1.35', runs, restarts: 6 });
  assert.deepEqual(waits(s), [0, 10, 20, 40, 80, 160]);
});
