// The kubelet's container restart back-off (CrashLoopBackOff), ported from upstream so the page, the
// CLI, the real supervisor and the tests all compute it with one piece of code. Pure: no timers, no
// I/O; every function takes the time it should consider "now". Times are seconds (floats).
//
// Upstream, in call order:
//   k/k pkg/kubelet/apis/config/v1beta1/defaults.go     SetDefaults_KubeletConfiguration (the 300 s default)
//   k/k pkg/kubelet/kubelet.go                          newCrashLoopBackOff, NewMainKubelet (HasExpiredFunc),
//                                                       housekeepingPeriod, syncLoopIteration (housekeeping)
//   k/k pkg/kubelet/kuberuntime/kuberuntime_manager.go  doBackOff
//   client-go util/flowcontrol/backoff.go               Backoff.Next, IsInBackOffSince, Get, GC, hasExpired
//   k/k pkg/kubelet/kubelet_pods.go                     HandlePodCleanups (calls the back-off's GC)
//   k/k pkg/kubelet/pod_workers.go                      completeWork (when a refused pod is synced again)
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

// ---------------------------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------------------------

/** k/k pkg/kubelet/kubelet.go `initialCrashLoopBackOff`. */
export const INITIAL_CRASHLOOP_BACKOFF = 10;
/** k/k pkg/kubelet/apis/config/v1beta1 `MaxContainerBackOff` (kubelet.go `MaxCrashLoopBackOff`). */
export const MAX_CRASHLOOP_BACKOFF = 300;
/** k/k pkg/kubelet/kubelet.go `reducedInitialCrashLoopBackOff` (ReduceDefaultCrashLoopBackOffDecay). */
export const REDUCED_INITIAL_CRASHLOOP_BACKOFF = 1;
/** k/k pkg/kubelet/kubelet.go `reducedMaxCrashLoopBackOff` (ReduceDefaultCrashLoopBackOffDecay). */
export const REDUCED_MAX_CRASHLOOP_BACKOFF = 60;
/** k/k pkg/kubelet/kubelet.go, the `HasExpiredFunc` the kubelet installs since 1.32. */
export const STABLE_RUN_RESET = 600;
/** Kubelet config validation: `crashLoopBackOff.maxContainerRestartPeriod` is 1 s to 300 s. */
export const MIN_RESTART_PERIOD = 1;
export const MAX_RESTART_PERIOD = 300;
/** k/k pkg/kubelet/kubelet.go `backOffPeriod`: the pod worker's retry after a failed sync. */
export const POD_WORKER_BACKOFF_PERIOD = 10;
/** k/k pkg/kubelet/pod_workers.go `workerBackOffPeriodJitterFactor`. */
export const POD_WORKER_JITTER_FACTOR = 0.5;
/** k/k pkg/kubelet/kubelet.go `genericPlegRelistPeriod`: an exit is noticed within this long. */
export const PLEG_RELIST_PERIOD = 1;
/** k/k pkg/kubelet/kubelet.go `housekeepingPeriod`: how often HandlePodCleanups (and so the back-off GC) runs. */
export const HOUSEKEEPING_PERIOD = 2;
/**
 * The pod worker's resync interval: the kubelet's `syncFrequency`, default 1 m
 * (k/k pkg/kubelet/apis/config/v1beta1/defaults.go). Since k/k PR #133066 it caps the requeue of a pod
 * refused for back-off.
 */
export const POD_WORKER_RESYNC_INTERVAL = 60;

// ---------------------------------------------------------------------------------------------
// Versions and feature gates (k/k pkg/features/kube_features.go, defaultVersionedKubernetesFeatureGates)
// ---------------------------------------------------------------------------------------------

export const VERSIONS = ['1.31', '1.32', '1.33', '1.34', '1.35'] as const;
export type K8sVersion = (typeof VERSIONS)[number];

export const GATES = ['KubeletCrashLoopBackOffMax', 'ReduceDefaultCrashLoopBackOffDecay', 'ContainerRestartRules'] as const;
export type GateName = (typeof GATES)[number];

interface GateStage {
  version: K8sVersion;
  defaultOn: boolean;
  stage: 'alpha' | 'beta';
}

/** The versioned specs of each gate; a gate does not exist before its first stage. */
export const GATE_SPECS: Readonly<Record<GateName, readonly GateStage[]>> = {
  KubeletCrashLoopBackOffMax: [
    { version: '1.32', defaultOn: false, stage: 'alpha' },
    { version: '1.35', defaultOn: true, stage: 'beta' },
  ],
  ReduceDefaultCrashLoopBackOffDecay: [{ version: '1.33', defaultOn: false, stage: 'alpha' }],
  // KEP-5307 per-container restart rules. Restarts it triggers go through the same back-off, so the
  // gate is accepted (and validated) but changes no number here.
  ContainerRestartRules: [
    { version: '1.34', defaultOn: false, stage: 'alpha' },
    { version: '1.35', defaultOn: true, stage: 'beta' },
  ],
};

function minor(v: K8sVersion): number {
  return Number(v.split('.')[1]);
}

/** The stage of a gate in a version, or undefined when the gate does not exist there. */
export function gateStage(gate: GateName, version: K8sVersion): GateStage | undefined {
  let found: GateStage | undefined;
  for (const s of GATE_SPECS[gate]) if (minor(s.version) <= minor(version)) found = s;
  return found;
}

/** A combination that no real kubelet accepts. The page shows the message; the CLI exits 2. */
export class BackoffConfigError extends Error {
  override name = 'BackoffConfigError';
}

export interface KubeletSettings {
  version: K8sVersion;
  /** Explicit --feature-gates; gates left out take the version's default. */
  featureGates?: Partial<Record<GateName, boolean>>;
  /** KubeletConfiguration `crashLoopBackOff.maxContainerRestartPeriod`, seconds. */
  maxContainerRestartPeriod?: number | undefined;
}

export interface ResolvedKubelet {
  version: K8sVersion;
  gates: Record<GateName, boolean>;
  /** The back-off the first refused restart waits. */
  initial: number;
  /** The cap. */
  max: number;
  /** The value after defaulting, when KubeletCrashLoopBackOffMax is on. */
  maxContainerRestartPeriod: number | undefined;
  /** Which expiry rule the kubelet's Backoff uses (for Next and for GC alike). */
  expiry: 'flat-600s' | 'twice-max';
  /** When the pod worker syncs a pod again after a back-off refusal (see nextSyncAfterRefusal). */
  podWorkerRetry: PodWorkerRetry;
}

/**
 * How the pod worker requeues a pod whose sync was refused for back-off (k/k pkg/kubelet/pod_workers.go,
 * completeWork):
 * - 'fixed-period' (1.31 to 1.34): the refusal comes back as a sync error (the kubelet's attempt to
 *   swallow back-off errors never works, k/k issue #123602), so the pod is requeued after
 *   wait.Jitter(backOffPeriod 10 s, 0.5): 10 to 15 s, whatever the back-off.
 * - 'propagated' (1.35, k/k PR #133066): the error carries the back-off's expiry; the requeue delay is
 *   expiry - now, clamped to [0, resyncInterval], then wait.Jitter(delay, 0.5).
 * The model assumes PR #133066 is in 1.35: it was merged in autumn 2025, after review in late
 * September, before the 1.35 release; the release notes were not read here.
 */
export type PodWorkerRetry = 'fixed-period' | 'propagated';

export function podWorkerRetryOf(version: K8sVersion): PodWorkerRetry {
  return minor(version) >= 35 ? 'propagated' : 'fixed-period';
}

/**
 * Gates as the kubelet sees them, refusing gates that do not exist in the version
 * (component-base featuregate: "unrecognized feature gate").
 */
export function resolveGates(version: K8sVersion, explicit: Partial<Record<GateName, boolean>> = {}): Record<GateName, boolean> {
  const out = {} as Record<GateName, boolean>;
  for (const g of GATES) {
    const stage = gateStage(g, version);
    const set = explicit[g];
    if (!stage) {
      if (set !== undefined) {
        const first = GATE_SPECS[g][0]?.version ?? '?';
        throw new BackoffConfigError(`feature gate ${g} does not exist in Kubernetes ${version} (it was added in ${first})`);
      }
      out[g] = false;
    } else out[g] = set ?? stage.defaultOn;
  }
  return out;
}

/**
 * k/k pkg/kubelet/apis/config/v1beta1/defaults.go, SetDefaults_KubeletConfiguration: with
 * KubeletCrashLoopBackOffMax on, an unset maxContainerRestartPeriod defaults to MaxContainerBackOff
 * (300 s). Plus the config validation range (1 s to 300 s) and a refusal to set the field while
 * the gate is off, where the kubelet would silently ignore it.
 */
export function defaultMaxContainerRestartPeriod(gateOn: boolean, configured: number | undefined, version: K8sVersion): number | undefined {
  if (configured !== undefined) {
    if (!Number.isFinite(configured) || configured < MIN_RESTART_PERIOD || configured > MAX_RESTART_PERIOD) {
      throw new BackoffConfigError(
        `crashLoopBackOff.maxContainerRestartPeriod must be between ${MIN_RESTART_PERIOD} s and ${MAX_RESTART_PERIOD} s, got ${configured} s`,
      );
    }
    if (!gateOn) {
      throw new BackoffConfigError(
        gateStage('KubeletCrashLoopBackOffMax', version)
          ? `crashLoopBackOff.maxContainerRestartPeriod needs the KubeletCrashLoopBackOffMax feature gate, which is off in ${version} unless enabled`
          : `crashLoopBackOff.maxContainerRestartPeriod does not exist in Kubernetes ${version} (KubeletCrashLoopBackOffMax arrived in 1.32)`,
      );
    }
    return configured;
  }
  return gateOn ? MAX_CRASHLOOP_BACKOFF : undefined;
}

/**
 * k/k pkg/kubelet/kubelet.go, newCrashLoopBackOff: the reduced defaults first, then the operator's
 * maxContainerRestartPeriod "always has precedence", lowering the initial value if it is smaller.
 * Before 1.32 (no function yet) the kubelet used NewBackOff(backOffPeriod, MaxContainerBackOff).
 */
export function newCrashLoopBackOff(gates: Record<GateName, boolean>, maxContainerRestartPeriod: number | undefined): { max: number; initial: number } {
  let boMax = MAX_CRASHLOOP_BACKOFF;
  let boInitial = INITIAL_CRASHLOOP_BACKOFF;
  if (gates.ReduceDefaultCrashLoopBackOffDecay) {
    boMax = REDUCED_MAX_CRASHLOOP_BACKOFF;
    boInitial = REDUCED_INITIAL_CRASHLOOP_BACKOFF;
  }
  if (gates.KubeletCrashLoopBackOffMax && maxContainerRestartPeriod !== undefined) {
    boMax = maxContainerRestartPeriod;
    if (boMax < boInitial) boInitial = boMax;
  }
  return { max: boMax, initial: boInitial };
}

/** Validates a settings combination and computes what the kubelet would run with. */
export function resolveKubelet(settings: KubeletSettings): ResolvedKubelet {
  if (!(VERSIONS as readonly string[]).includes(settings.version)) {
    throw new BackoffConfigError(`Kubernetes version must be one of ${VERSIONS.join(', ')}, got "${String(settings.version)}"`);
  }
  const gates = resolveGates(settings.version, settings.featureGates);
  const period = defaultMaxContainerRestartPeriod(gates.KubeletCrashLoopBackOffMax, settings.maxContainerRestartPeriod, settings.version);
  const { max, initial } = newCrashLoopBackOff(gates, period);
  return {
    version: settings.version,
    gates,
    initial,
    max,
    maxContainerRestartPeriod: period,
    // The HasExpiredFunc override arrived with KEP-4603 in 1.32; before it client-go's default
    // (2 x max = 600 s with the fixed 300 s max) applied.
    expiry: minor(settings.version) >= 32 ? 'flat-600s' : 'twice-max',
    podWorkerRetry: podWorkerRetryOf(settings.version),
  };
}

/**
 * The run time a container needs for its next exit to reset the back-off in Next: strictly more than
 * this. GC uses the same number, counted from the last restart whether the container runs or waits.
 */
export function resetRunTime(k: ResolvedKubelet): number {
  return k.expiry === 'flat-600s' ? STABLE_RUN_RESET : 2 * k.max;
}

// ---------------------------------------------------------------------------------------------
// client-go util/flowcontrol/backoff.go
// ---------------------------------------------------------------------------------------------

interface BackoffEntry {
  backoff: number;
  lastUpdate: number;
}

export type HasExpiredFunc = (eventTime: number, lastUpdate: number, maxDuration: number) => boolean;

export interface Clock {
  now(): number;
}

/** client-go util/flowcontrol/backoff.go `Backoff` with jitter factor 0 (`NewBackOff`). */
export class Backoff {
  private readonly perItemBackoff = new Map<string, BackoffEntry>();
  readonly clock: Clock;
  readonly defaultDuration: number;
  readonly maxDuration: number;
  /** The kubelet sets this (kubelet.go, NewMainKubelet) since 1.32. */
  hasExpiredFunc: HasExpiredFunc | undefined;

  constructor(initial: number, max: number, clock: Clock) {
    this.defaultDuration = initial;
    this.maxDuration = max;
    this.clock = clock;
  }

  /** backoff.go `Get`: the current back-off of an entry, 0 without one. */
  get(id: string): number {
    return this.perItemBackoff.get(id)?.backoff ?? 0;
  }

  /** backoff.go `Next`: "move backoff to the next mark, capping at maxDuration". */
  next(id: string, eventTime: number): void {
    let entry = this.perItemBackoff.get(id);
    if (!entry || this.hasExpired(eventTime, entry.lastUpdate, this.maxDuration)) {
      entry = this.initEntryUnsafe(id);
    } else {
      const delay = entry.backoff * 2; // exponential; jitter is 0 for the kubelet's Backoff
      entry.backoff = Math.min(delay, this.maxDuration);
    }
    entry.lastUpdate = this.clock.now();
  }

  /** backoff.go `IsInBackOffSince`: "the elapsed time since eventTime is smaller than the current backoff window". */
  isInBackOffSince(id: string, eventTime: number): boolean {
    const entry = this.perItemBackoff.get(id);
    if (!entry) return false;
    if (this.hasExpired(eventTime, entry.lastUpdate, this.maxDuration)) return false;
    return this.clock.now() - eventTime < entry.backoff;
  }

  /**
   * backoff.go `GC` (client-go v0.32.0 to v0.35.0): "Garbage collect records that have aged past their
   * expiration": deletes every entry for which hasExpired(now, lastUpdate, maxDuration) holds. Note the
   * first argument is now, not an exit time: time spent waiting in back-off counts. client-go v0.31.0
   * compared `now - lastUpdate > 2 * maxDuration` directly, which is the same thing when no
   * HasExpiredFunc is set, as on a 1.31 kubelet. Returns the deleted keys (upstream returns nothing).
   */
  gc(): string[] {
    const now = this.clock.now();
    const deleted: string[] = [];
    for (const [id, entry] of this.perItemBackoff) {
      if (this.hasExpired(now, entry.lastUpdate, this.maxDuration)) {
        this.perItemBackoff.delete(id);
        deleted.push(id);
      }
    }
    return deleted;
  }

  /** backoff.go `initEntryUnsafe`. */
  private initEntryUnsafe(id: string): BackoffEntry {
    const entry: BackoffEntry = { backoff: this.defaultDuration, lastUpdate: 0 };
    this.perItemBackoff.set(id, entry);
    return entry;
  }

  /** backoff.go `hasExpired`: the override if set, else "consider stable if it's ok for twice the maxDuration". */
  hasExpired(eventTime: number, lastUpdate: number, maxDuration: number): boolean {
    if (this.hasExpiredFunc) return this.hasExpiredFunc(eventTime, lastUpdate, maxDuration);
    return eventTime - lastUpdate > maxDuration * 2;
  }

  /** The entry as the kubelet holds it (for narration and tests). */
  entry(id: string): Readonly<BackoffEntry> | undefined {
    return this.perItemBackoff.get(id);
  }
}

/**
 * k/k pkg/kubelet/kubelet.go, NewMainKubelet: `klet.crashLoopBackOff = flowcontrol.NewBackOff(base,
 * boMax)` and, since 1.32, `HasExpiredFunc = eventTime.Sub(lastUpdate) > 600*time.Second`.
 */
export function newKubeletBackoff(k: ResolvedKubelet, clock: Clock): Backoff {
  const b = new Backoff(k.initial, k.max, clock);
  if (k.expiry === 'flat-600s') {
    b.hasExpiredFunc = (eventTime, lastUpdate) => eventTime - lastUpdate > STABLE_RUN_RESET;
  }
  return b;
}

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

/** Go's time.Duration String() for whole and fractional seconds, e.g. 5m0s, 2m40s, 10s, 1.5s. */
export function goDuration(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  if (ms === 0) return '0s';
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  const sec = `${Number.isInteger(s) ? s : s.toFixed(3).replace(/0+$/, '')}s`;
  if (h > 0) return `${h}h${m}m${sec}`;
  if (m > 0) return `${m}m${sec}`;
  return sec;
}

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

/** "Name=true,Other=false" items into a gate map, refusing unknown names and values. */
export function parseFeatureGates(items: readonly string[]): Partial<Record<GateName, boolean>> {
  const out: Partial<Record<GateName, boolean>> = {};
  for (const item of items) {
    const m = /^([A-Za-z0-9]+)=(true|false)$/.exec(item.trim());
    if (!m) throw new BackoffConfigError(`feature gate "${item}" must look like Name=true or Name=false`);
    const name = m[1] as string;
    if (!(GATES as readonly string[]).includes(name)) {
      throw new BackoffConfigError(`unknown feature gate ${name}. Known here: ${GATES.join(', ')}`);
    }
    out[name as GateName] = m[2] === 'true';
  }
  return out;
}
