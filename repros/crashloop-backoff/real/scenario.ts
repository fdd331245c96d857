// The chaos scenario on the real tier: the mini kubelet of ./kubelet.ts restarts real containers,
// and the measured waits (the runtime's FinishedAt to the kubelet's restart) are compared with the
// ported model, as the stand-in run compares its child processes (../repro.ts, chaos).
import { UsageError, type RunContext, type ScenarioResult } from '../../lib/repro.ts';
import { againstModel, chaosRunObservations, logComparison } from '../against-model.ts';
import { chaosChecks } from '../checks.ts';
import { resolveKubelet, type ScheduleInput } from '../kubelet-backoff.ts';
import { runRealKubelet } from './kubelet.ts';

const fmt = (n: number): string => String(Number(n.toFixed(2)));

export async function realChaos(ctx: RunContext, input: ScheduleInput): Promise<ScenarioResult> {
  if (ctx.flags.simulate === true) throw new UsageError('--simulate computes the model without processes; it has no real tier. Drop --tier real or --simulate.');
  const k = resolveKubelet(input);
  ctx.log(`kubelet ${k.version}: back-off starts at ${k.initial} s, doubles, caps at ${k.max} s; containers run by a private containerd + runc`);
  const measured = await runRealKubelet(ctx, { kubelet: k, runs: input.runs, restarts: input.restarts, retryGranularity: input.retryGranularity === true, seed: input.seed ?? 1 });
  // The model, given the run times the runtime recorded, says how long each wait should have been.
  const cmp = againstModel(input, k, measured.restarts, measured.restarts.map((r) => r.ranSeconds), ctx.scale);
  ctx.log('');
  ctx.log('restart  exit  finishedAt  restarted   waited   model  |diff| (wall ms)  to CreatedAt, StartedAt (ms)');
  for (const r of cmp.rows) {
    ctx.log(
      `${String(r.restart).padStart(7)}  ${String(r.exitCode).padStart(4)}  ${fmt(r.exitedAt).padStart(9)}s  ${fmt(r.restartedAt).padStart(8)}s  ${fmt(r.backoffSeconds).padStart(6)}s  ${fmt(r.modelBackoffSeconds).padStart(5)}s  ${r.deviationMs.toFixed(1).padStart(7)}  ${`${r.createLatencyMs.toFixed(0)}, +${r.startLatencyMs.toFixed(0)}`.padStart(20)}`,
    );
  }
  logComparison(ctx, cmp);
  return {
    observations: chaosRunObservations(k, cmp, { exitCodes: cmp.rows.map((r) => r.exitCode), killedByChaos: measured.killedByChaos, backOffEvents: measured.backOffEvents, timings: measured.timings }),
    checks: chaosChecks({ kubelet: k, runs: input.runs, restarts: input.restarts, retryGranularity: input.retryGranularity === true, firstAtCap: cmp.firstAtCap, maxDeviationMs: cmp.maxDeviationMs }),
  };
}
