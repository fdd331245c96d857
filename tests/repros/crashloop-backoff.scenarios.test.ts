// The real repro, scaled: a mini kubelet restarts a real HTTP app that a separate chaos-killer
// process SIGKILLs every 210 s of (scaled) run time. At scale 0.01 the seven restarts take ~21 s;
// with runs of 400 s, where the back-off GC ends the 7th wait early, about 34 s. The two runs go at
// once: each spends its time waiting on its own processes' timers.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runScenario } from '../../repros/lib/runner.ts';
import { assertReport } from '../lib/claims.ts';

describe('chaos runs', { concurrency: 2 }, () => {
  test('measured waits match the model; restart 7 is the first at the 300 s cap', { timeout: 90_000 }, async () => {
    const report = await runScenario('crashloop-backoff', 'chaos', { scale: 0.01, flags: { restarts: 7 } });
    const obs = report.observations as {
      restarts: { restart: number; exitSignal: string | null; backoffSeconds: number; readyAfterMs: number }[];
      killedByChaos: number;
    };
    assert.equal(obs.restarts.length, 7);
    assert.ok(obs.restarts.every((r) => r.exitSignal === 'SIGKILL'), 'every instance died by the chaos killer\'s SIGKILL');
    assert.equal(obs.killedByChaos, 7);
    assert.ok(obs.restarts.every((r) => Number.isFinite(r.readyAfterMs)), 'every new instance answered /healthz');
    assert.deepEqual(report.checks.map((c) => c.claim.id).sort(), ['seventh-restart-hits-cap', 'supervisor-matches-model']);
    assertReport(report);
  });

  test('runs of 400 s on real processes: the mini kubelet\'s housekeeping GC cuts the 7th wait short, as the model says', { timeout: 120_000 }, async () => {
    const report = await runScenario('crashloop-backoff', 'chaos', { scale: 0.01, flags: { 'kill-every': 400, restarts: 7 } });
    const obs = report.observations as {
      restarts: { restart: number; backoffSeconds: number; modelBackoffSeconds: number }[];
      model: { restarts: { restart: number; gcEndedEarly: boolean; nominalBackoff: number; backoffSeconds: number }[] };
      firstAtCap: number | null;
    };
    const cut = obs.model.restarts.filter((r) => r.gcEndedEarly);
    assert.deepEqual(cut.map((r) => r.restart), [7], 'the model, fed the measured runs, has GC end the 7th wait');
    const seventh = obs.restarts[6];
    assert.ok(seventh && seventh.backoffSeconds < 300, `the 7th measured wait (${seventh?.backoffSeconds} s) is shorter than the 300 s back-off`);
    assert.equal(obs.firstAtCap, null, 'no measured wait reached the cap');
    assert.deepEqual(report.checks.map((c) => c.claim.id), ['supervisor-matches-model']);
    assertReport(report);
  });
});
