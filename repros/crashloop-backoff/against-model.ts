// A chaos run's measured waits next to the ported model's: the stand-in processes (scenarios.ts,
// chaos) and the real containers (real/scenario.ts) compare the same way, into the same observations.
import type { RunContext } from '../lib/repro.ts';
import { INCIDENT, SUPERVISOR_TOLERANCE_MS } from './constants.ts';
import { schedule, type ResolvedKubelet, type Schedule, type ScheduleInput } from './kubelet-backoff.ts';

/** What every measured restart has: its number and the wait before it, model seconds. */
export interface MeasuredWait {
  restart: number;
  backoffSeconds: number;
}

/** A measured restart with the model's wait for it and the difference, wall ms. */
export type AgainstModel<R extends MeasuredWait> = R & { modelBackoffSeconds: number; deviationMs: number };

export interface Comparison<R extends MeasuredWait> {
  rows: AgainstModel<R>[];
  /** The model given the run times that really happened. */
  model: Schedule;
  /** Largest |measured wait - model's wait|, wall ms. */
  maxDeviationMs: number;
  /** The first restart whose measured wait is the cap, within the supervisor tolerance; or null. */
  firstAtCap: number | null;
}

/**
 * Each measured wait next to the model's, given `ranSeconds`: how long each instance really ran (one
 * per restart; the schedule's last run time stands for the instance still running).
 */
export function againstModel<R extends MeasuredWait>(input: ScheduleInput, kubelet: ResolvedKubelet, measured: readonly R[], ranSeconds: readonly number[], scale: number): Comparison<R> {
  const model = schedule({ ...input, runs: ranSeconds.concat([input.runs.at(-1) ?? INCIDENT.killEvery]) });
  const rows = measured.map((r, i) => {
    const modelWait = model.restarts[i]?.backoffSeconds ?? Number.NaN;
    return { ...r, modelBackoffSeconds: modelWait, deviationMs: Math.abs(r.backoffSeconds - modelWait) * 1000 * scale };
  });
  const maxDeviationMs = Math.max(0, ...rows.map((r) => r.deviationMs));
  const tolModel = SUPERVISOR_TOLERANCE_MS / (1000 * scale);
  const firstAtCap = rows.find((r) => Math.abs(r.backoffSeconds - kubelet.max) <= tolModel)?.restart ?? null;
  return { rows, model, maxDeviationMs, firstAtCap };
}

export function logComparison(ctx: RunContext, c: Comparison<MeasuredWait>): void {
  ctx.log(`largest difference from the model: ${c.maxDeviationMs.toFixed(1)} ms of wall time; first wait at the cap: ${c.firstAtCap === null ? 'none' : `restart ${c.firstAtCap}`}`);
}

/**
 * The observations of a chaos run with processes (not --simulate), whatever runs them; `counts` are
 * what that tier counted besides (kills, BackOff events, exit codes...), in the order to report them.
 */
export function chaosRunObservations<R extends MeasuredWait>(kubelet: ResolvedKubelet, c: Comparison<R>, counts: Record<string, unknown>): Record<string, unknown> {
  return {
    mode: 'real',
    kubelet,
    restarts: c.rows,
    maxDeviationMs: c.maxDeviationMs,
    firstAtCap: c.firstAtCap,
    ...counts,
    model: { restarts: c.model.restarts, firstAtCap: c.model.firstAtCap },
  };
}
