// The kubelet's container restart back-off (CrashLoopBackOff), ported from upstream so the page, the
// CLI, the real supervisor and the tests all compute it with one piece of code. Pure: no timers, no
// I/O; every function takes the time it should consider "now". Times are seconds (floats).
//
// The ports live one upstream file (or concern) each under model/:
//   model/client-go-backoff.ts  client-go util/flowcontrol/backoff.go: Backoff (Next, IsInBackOffSince, GC)
//   model/kubelet-config.ts     the kubelet's constants, versions, feature gates, config defaults
//   model/kubelet-sync.ts       doBackOff, the pod worker's requeue, PLEG, housekeeping (GC every 2 s)
// This file re-exports them, so imports from kubelet-backoff.ts keep working, and drives them
// through a sequence of container runs (schedule).
export * from './model/client-go-backoff.ts';
export * from './model/kubelet-config.ts';
export * from './model/kubelet-sync.ts';
import { BackoffConfigError, newKubeletBackoff, resetRunTime, resolveKubelet, type KubeletSettings, type ResolvedKubelet } from './model/kubelet-config.ts';
import { doBackOff, firstSyncAfterExit, housekeepingBetween, nextSyncAfterRefusal, NO_JITTER, seededRandom } from './model/kubelet-sync.ts';

// ---------------------------------------------------------------------------------------------
// Schedule: drive the ported functions through a sequence of container runs
// ---------------------------------------------------------------------------------------------

export interface ScheduleInput extends KubeletSettings {
  /** How long each container instance runs before it exits; the last value repeats. */
  runs: readonly number[];
  /** How many restarts to compute. */
  restarts: number;
  /**
   * Draw the jitters upstream leaves open (PLEG delay up to 1 s, the pod worker's wait.Jitter) from
   * `seed`, instead of taking the earliest point of each range.
   */
  retryGranularity?: boolean;
  /** Seed for the jitter when retryGranularity is set. */
  seed?: number;
}

export interface RestartRow {
  /** 1-based, the RESTARTS count after it. */
  restart: number;
  /** Seconds since the first container start. */
  exitedAt: number;
  restartedAt: number;
  /** restartedAt - exitedAt. */
  backoffSeconds: number;
  /** The back-off doBackOff enforced (the entry's value at the last refusal), 0 if none. */
  nominalBackoff: number;
  /** How long the instance that exited had run. */
  ranSeconds: number;
  /**
   * The exit found the back-off over (the instance ran more than the reset time since the last
   * restart): restart at once, back-off back to initial. Either Next found the entry expired, or GC
   * had already deleted it while the container ran.
   */
  reset: boolean;
  /**
   * GC deleted the entry while the container waited in back-off: the restart came at the first pod
   * sync after that, and the back-off starts over from the initial value.
   */
  gcDeleted: boolean;
  /** gcDeleted, and the restart came before the back-off would have expired. */
  gcEndedEarly: boolean;
  /** How many times the kubelet refused (BackOff events) before this restart. */
  refusals: number;
}

export interface Schedule {
  kubelet: ResolvedKubelet;
  retryGranularity: boolean;
  restarts: RestartRow[];
  /** The timeline: the first start at 0, then alternating run and back-off spans. */
  spans: { kind: 'running' | 'backoff'; from: number; to: number }[];
  /** End of the window: the last restarted instance has run its full time. */
  windowEnd: number;
  /** First restart that waited the full cap (nominal back-off == max, not cut short by GC), or null. */
  firstAtCap: number | null;
  /** Share of the window the container was running, 0..1. */
  availability: number;
  /** A container must run strictly longer than this for the next exit to reset the back-off. */
  resetAfter: number;
  /** GC deletes an entry once more than this has passed since the last restart, running or waiting. */
  gcAfter: number;
}

/** The run time of instance i (0 is the first start). */
export function runOf(runs: readonly number[], i: number): number {
  const r = runs[Math.min(i, runs.length - 1)];
  if (r === undefined) throw new BackoffConfigError('runs must list at least one run duration');
  return r;
}

/**
 * Runs the kubelet's logic over a sequence of exits: each exit triggers a sync that calls doBackOff;
 * refused syncs are retried when the pod worker would retry them; housekeeping garbage-collects the
 * entry on its 2 s ticks; the restart happens at the first sync doBackOff lets through. The clock is
 * the simulated time.
 */
export function schedule(input: ScheduleInput): Schedule {
  const kubelet = resolveKubelet(input);
  if (!Number.isInteger(input.restarts) || input.restarts < 1) throw new BackoffConfigError(`restarts must be a whole number >= 1, got ${input.restarts}`);
  if (input.runs.length === 0) throw new BackoffConfigError('runs must list at least one run duration');
  for (const r of input.runs) {
    if (!Number.isFinite(r) || r <= 0) throw new BackoffConfigError(`every run duration must be a number of seconds > 0, got ${r}`);
  }
  const granular = input.retryGranularity === true;
  const rand = granular ? seededRandom(input.seed ?? 1) : NO_JITTER;
  const clock = { t: 0, now(): number { return this.t; } };
  const setNow = (t: number): void => { clock.t = t; };
  const backOff = newKubeletBackoff(kubelet, clock);
  const key = 'default/app/app';
  const restarts: RestartRow[] = [];
  const spans: Schedule['spans'] = [];
  let startedAt = 0;
  let lastSync = 0;
  for (let i = 1; i <= input.restarts; i++) {
    const ran = runOf(input.runs, i - 1);
    const exitedAt = startedAt + ran;
    spans.push({ kind: 'running', from: startedAt, to: exitedAt });
    clock.t = firstSyncAfterExit(exitedAt, granular, rand);
    // Housekeeping while the container ran (and until the first sync).
    const hadEntry = backOff.entry(key) !== undefined;
    housekeepingBetween(backOff, setNow, lastSync, clock.t);
    const atExit = backOff.entry(key);
    const reset = hadEntry && (atExit === undefined || backOff.hasExpired(exitedAt, atExit.lastUpdate, backOff.maxDuration));
    let refusals = 0;
    let nominal = 0;
    let gcDeleted = false;
    for (;;) {
      if (refusals > 0 && housekeepingBetween(backOff, setNow, lastSync, clock.t).length > 0) gcDeleted = true;
      lastSync = clock.t;
      const d = doBackOff(backOff, key, exitedAt);
      if (!d.inBackOff) break;
      refusals += 1;
      nominal = backOff.get(key);
      const next = nextSyncAfterRefusal(clock.t, d.expiresAt ?? clock.t, kubelet.podWorkerRetry, rand);
      // exitedAt + backoff can round so that (exitedAt + backoff) - exitedAt < backoff; then move
      // on by the smallest step a float allows, or the loop would never end.
      clock.t = next > clock.t ? next : clock.t + Math.max(Math.abs(clock.t), 1) * Number.EPSILON;
    }
    const restartedAt = clock.t;
    if (restartedAt > exitedAt) spans.push({ kind: 'backoff', from: exitedAt, to: restartedAt });
    const gcEndedEarly = gcDeleted && restartedAt - exitedAt < nominal - 1e-9;
    restarts.push({ restart: i, exitedAt, restartedAt, backoffSeconds: restartedAt - exitedAt, nominalBackoff: nominal, ranSeconds: ran, reset, gcDeleted, gcEndedEarly, refusals });
    startedAt = restartedAt;
  }
  const lastRun = runOf(input.runs, input.restarts);
  spans.push({ kind: 'running', from: startedAt, to: startedAt + lastRun });
  const windowEnd = startedAt + lastRun;
  const running = spans.filter((s) => s.kind === 'running').reduce((a, s) => a + (s.to - s.from), 0);
  const capRow = restarts.find((r) => r.nominalBackoff === kubelet.max && !r.gcEndedEarly);
  return {
    kubelet,
    retryGranularity: granular,
    restarts,
    spans,
    windowEnd,
    firstAtCap: capRow ? capRow.restart : null,
    availability: windowEnd > 0 ? running / windowEnd : 1,
    resetAfter: resetRunTime(kubelet),
    gcAfter: resetRunTime(kubelet),
  };
}

/** The waits (seconds) before restarts 1..n, for statements like "0, 10, 20, ... s". */
export function waits(s: Schedule): number[] {
  return s.restarts.map((r) => Number(r.backoffSeconds.toFixed(6)));
}

