// crashloop-backoff on the real tier: the mini kubelet restarts real containers (containerd + runc
// through the CRI), the chaos killer SIGKILLs the container's process, and every wait is measured
// between the runtime's own timestamps (FinishedAt of the dead instance, CreatedAt of the next).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REAL_TOOLS } from '../../repros/crashloop-backoff/real/kubelet.ts';
import { runScenario } from '../../repros/lib/runner.ts';
import { assertReport } from '../lib/claims.ts';
import { realTier } from '../lib/real.ts';

test('real chaos: SIGKILLed containers exit 137, and the ported back-off restarts them when the model says', async (t) => {
  if (!realTier(t, REAL_TOOLS)) return;
  // Seven restarts reach the cap (the claim's restart 7) at the claim's scale of 0.01.
  const report = await runScenario('crashloop-backoff', 'chaos', { scale: 0.01, tier: 'real', flags: { restarts: 7 } });
  assert.equal(report.tier, 'real');
  assert.deepEqual(report.checks.map((c) => c.claim.id).sort(), ['seventh-restart-hits-cap', 'supervisor-matches-model']);
  assertReport(report);
  const o = report.observations as { exitCodes: number[]; killedByChaos: number; restarts: { refusals: number }[] };
  assert.deepEqual(o.exitCodes, [137, 137, 137, 137, 137, 137, 137], 'ContainerStatus reports 128 + SIGKILL for every killed instance');
  assert.equal(o.killedByChaos, 7, 'the chaos killer killed each instance that exited');
  assert.equal(o.restarts[0]?.refusals, 0, 'the first restart is not refused (no back-off entry yet)');
  // Later restarts are refused (CrashLoopBackOff) while the back-off runs; at this scale a 10 s
  // back-off is 100 ms, which a busy machine can spend before the kubelet even sees the exit, so only
  // the long ones are certain to be refused.
  assert.ok(o.restarts.slice(4).every((r) => r.refusals >= 1), `restarts 5-7 (80-300 s back-off) were refused first: ${o.restarts.map((r) => r.refusals).join(', ')}`);
});
