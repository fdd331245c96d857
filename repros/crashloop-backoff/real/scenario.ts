// The chaos scenario on the real tier: the mini kubelet of ./kubelet.ts restarts real containers,
// and the measured waits (the runtime's FinishedAt to the kubelet's restart) are compared with the
// ported model, as the stand-in run compares its child processes (../repro.ts, chaos).
import { UsageError, type RunContext, type ScenarioResult } from '../../lib/repro.ts';
import { INCIDENT } from '../claims.ts';
import { chaosChecks, measuredAgainstModel } from '../checks.ts';
import { resolveKubelet, schedule, type ScheduleInput } from '../kubelet-backoff.ts';
import { runRealKubelet } from './kubelet.ts';

const fmt = (n: number): string => String(Number(n.toFixed(2)));

export async function realChaos(ctx: RunContext, input: ScheduleInput): Promise<ScenarioResult> {
  if (ctx.flags.simulate === true) throw new UsageError('--simulate computes the model without processes; it has no real tier. Drop --tier real or --simulate.');
  const k = resolveKubelet(input);
  ctx.log(`kubelet ${k.version}: back-off starts at ${k.initial} s, doubles, caps at ${k.max} s; containers run by a private containerd + runc`);
  const measured = await runRealKubelet(ctx, { kubelet: k, runs: input.runs, restarts: input.restarts, retryGranularity: input.retryGranularity === true, seed: input.seed ?? 1 });
  // The model, given the run times the runtime recorded, says how long each wait should have been.
  const model = schedule({ ...input, runs: measured.restarts.map((r) => r.ranSeconds).concat([input.runs.at(-1) ?? INCIDENT.killEvery]) });
  const rows = measured.restarts.map((r, i) => {
    const modelWait = model.restarts[i]?.backoffSeconds ?? Number.NaN;
    return { ...r, modelBackoffSeconds: modelWait, deviationMs: Math.abs(r.backoffSeconds - modelWait) * 1000 * ctx.scale };
  });
  ctx.log('');
  ctx.log('restart  exit  finishedAt  restarted   waited   model  |diff| (wall ms)  to CreatedAt, StartedAt (ms)');
  for (const r of rows) {
    ctx.log(
      `${String(r.restart).padStart(7)}  ${String(r.exitCode).padStart(4)}  ${fmt(r.exitedAt).padStart(9)}s  ${fmt(r.restartedAt).padStart(8)}s  ${fmt(r.backoffSeconds).padStart(6)}s  ${fmt(r.modelBackoffSeconds).padStart(5)}s  ${r.deviationMs.toFixed(1).padStart(7)}  ${`${r.createLatencyMs.toFixed(0)}, +${r.startLatencyMs.toFixed(0)}`.padStart(20)}`,
    );
  }
  const { maxDeviationMs, firstAtCap } = measuredAgainstModel(rows, k.max, ctx.scale);
  ctx.log(`largest difference from the model: ${maxDeviationMs.toFixed(1)} ms of wall time; first wait at the cap: ${firstAtCap === null ? 'none' : `restart ${firstAtCap}`}`);

  const checks = chaosChecks({ kubelet: k, runs: input.runs, restarts: input.restarts, retryGranularity: input.retryGranularity === true, firstAtCap, maxDeviationMs });
  return {
    observations: {
      mode: 'real',
      kubelet: k,
      restarts: rows,
      maxDeviationMs,
      firstAtCap,
      exitCodes: rows.map((r) => r.exitCode),
      killedByChaos: measured.killedByChaos,
      backOffEvents: measured.backOffEvents,
      timings: measured.timings,
      model: { restarts: model.restarts, firstAtCap: model.firstAtCap },
    },
    checks,
  };
}
