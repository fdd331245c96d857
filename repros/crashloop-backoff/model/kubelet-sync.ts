// The kubelet's use of the back-off: the restart decision (doBackOff), when a pod refused for back-off
// is synced again (the pod worker), when an exit is noticed (PLEG), and the housekeeping that
// garbage-collects back-off entries. Pure: every function takes the time it should consider "now".
//
// Upstream:
//   k/k pkg/kubelet/kuberuntime/kuberuntime_manager.go  doBackOff
//   k/k pkg/kubelet/pod_workers.go                      completeWork (the requeue after a refusal)
//   k/k pkg/kubelet/kubelet.go                          syncLoop / syncLoopIteration (housekeeping ticks)
//   k/k pkg/kubelet/kubelet_pods.go                     HandlePodCleanups (calls the back-off's GC)
//   apimachinery pkg/util/wait                           Jitter
//
// Versions read: client-go v0.31.0 (02a19c37) and v0.35.0 (9bcb6943) for backoff.go, i.e. the client-go
// of Kubernetes 1.31 and 1.35 (v0.32.0 to v0.34.0 have the same GC as v0.35.0). The k/k files could not
// be read at release tags here; what each function below rests on is said above it.
//
// Where upstream leaves a range, the model takes one point of it and says so:
//   - the pod worker's retry after a refusal is jittered (wait.Jitter, factor 0.5): the model takes the
//     earliest retry (no jitter) unless `retryGranularity` asks it to draw the jitter from a seed;
//   - PLEG notices an exit up to 1 s late: the model syncs at the exit itself unless `retryGranularity`;
//   - housekeeping runs every 2 s at a phase nobody controls: the model runs it at whole multiples of 2 s
//     from the first container start, and before a pod sync due at the same instant;
//   - the sync loop checks for due pod work every 1 s: the model runs a retry at the instant it is due.
import { goDuration } from '../../lib/go-duration.ts';
import type { Backoff } from './client-go-backoff.ts';
import {
  HOUSEKEEPING_PERIOD,
  PLEG_RELIST_PERIOD,
  POD_WORKER_BACKOFF_PERIOD,
  POD_WORKER_JITTER_FACTOR,
  POD_WORKER_RESYNC_INTERVAL,
  type PodWorkerRetry,
} from './kubelet-config.ts';

// ---------------------------------------------------------------------------------------------
// k/k pkg/kubelet/kuberuntime/kuberuntime_manager.go
// ---------------------------------------------------------------------------------------------

export interface BackOffDecision {
  /** True: refuse to start; the container shows Waiting / CrashLoopBackOff. */
  inBackOff: boolean;
  /** The event the kubelet records when it refuses (reason BackOff, type Warning). */
  event?: string;
  /** The sync error text, as in the kubelet log. */
  message?: string;
  /** When the refusal ends: FinishedAt + the entry's back-off. */
  expiresAt?: number;
}

export { goDuration };

/**
 * kuberuntime_manager.go `doBackOff`. `finishedAt` is the FinishedAt of the newest exited instance,
 * or undefined when no instance has exited (the first start). When not in back-off it calls
 * `backOff.Next(key, ts)` before returning, exactly as upstream, so the entry is created at the
 * first restart and doubled at every later one.
 */
export function doBackOff(backOff: Backoff, key: string, finishedAt: number | undefined, container = 'app', pod = 'app'): BackOffDecision {
  if (finishedAt === undefined) return { inBackOff: false };
  // "Use the finished time of the latest exited container as the start point"
  const ts = finishedAt;
  if (backOff.isInBackOffSince(key, ts)) {
    const current = backOff.get(key);
    return {
      inBackOff: true,
      event: 'Back-off restarting failed container',
      message: `back-off ${goDuration(current)} restarting failed container=${container} pod=${pod}`,
      expiresAt: ts + current,
    };
  }
  backOff.next(key, ts);
  return { inBackOff: false };
}

// ---------------------------------------------------------------------------------------------
// When the kubelet syncs a pod: pod worker retries, PLEG, housekeeping
// ---------------------------------------------------------------------------------------------

/** A small seeded PRNG (mulberry32), so a "random" schedule is the same on the page and in tests. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The model's default reading of every jitter: its lower end (no jitter at all). */
export const NO_JITTER = (): number => 0;

/** apimachinery wait.Jitter: duration + rand * maxFactor * duration. */
export function jitter(duration: number, maxFactor: number, rand: () => number): number {
  return duration + rand() * maxFactor * duration;
}

/**
 * k/k pkg/kubelet/pod_workers.go `completeWork`, the branch a back-off refusal takes: when the pod
 * worker syncs the pod again. Before 1.35 (k/k issue #123602 explains why the refusal arrives as an
 * error): wait.Jitter(backOffPeriod, workerBackOffPeriodJitterFactor), i.e. 10 to 15 s. From 1.35
 * (k/k PR #133066, as merged: read in the PR's diff and in copies of the merged file, not at a tag):
 * the back-off's expiry minus now, clamped to [0, resyncInterval], then the same wait.Jitter. With
 * `rand` = NO_JITTER the retry is the earliest upstream allows.
 */
export function nextSyncAfterRefusal(now: number, expiresAt: number, retry: PodWorkerRetry, rand: () => number): number {
  if (retry === 'fixed-period') return now + jitter(POD_WORKER_BACKOFF_PERIOD, POD_WORKER_JITTER_FACTOR, rand);
  const delay = Math.min(Math.max(expiresAt - now, 0), POD_WORKER_RESYNC_INTERVAL);
  return now + jitter(delay, POD_WORKER_JITTER_FACTOR, rand);
}

/** When the first sync after an exit runs: at once, or after PLEG's next relist (up to 1 s) when jittered. */
export function firstSyncAfterExit(exitedAt: number, jittered: boolean, rand: () => number): number {
  return jittered ? exitedAt + (1 - rand()) * PLEG_RELIST_PERIOD : exitedAt;
}

/**
 * The last housekeeping tick at or before `t`. k/k pkg/kubelet/kubelet.go: syncLoop ticks
 * `housekeepingPeriod` (2 s) and syncLoopIteration calls HandlePodCleanups on each tick once the pod
 * sources are ready; HandlePodCleanups (kubelet_pods.go) ends with the back-off's GC() ("Cleanup any
 * backoff entries", `kl.backOff.GC()` in the copies read; the field is `crashLoopBackOff` from 1.32).
 * The model puts the ticks at whole multiples of HOUSEKEEPING_PERIOD from the first container start.
 */
export function lastHousekeepingAt(t: number): number {
  return Math.floor(t / HOUSEKEEPING_PERIOD) * HOUSEKEEPING_PERIOD;
}

/**
 * Runs the back-off GC as housekeeping would have between two moments: once for the last tick in
 * (from, to] suffices, because an entry's lastUpdate changes only at a pod sync and hasExpired grows
 * with the time it is asked about. Returns the keys deleted.
 */
export function housekeepingBetween(backOff: Backoff, setNow: (t: number) => void, from: number, to: number): string[] {
  const tick = lastHousekeepingAt(to);
  if (tick <= from) return [];
  setNow(tick);
  const deleted = backOff.gc();
  setNow(to);
  return deleted;
}

