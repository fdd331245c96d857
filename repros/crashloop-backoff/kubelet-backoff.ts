// The kubelet's container restart back-off (CrashLoopBackOff), ported from upstream so the page, the
// CLI, the real supervisor and the tests all compute it with one piece of code. Pure: no timers, no
// I/O; every function takes the time it should consider "now". Times are seconds (floats).
//
// Upstream, in call order:
//   k/k pkg/kubelet/apis/config/v1beta1/defaults.go     SetDefaults_KubeletConfiguration (the 300 s default)
//   k/k pkg/kubelet/kubelet.go                          newCrashLoopBackOff, NewMainKubelet (HasExpiredFunc)
//   k/k pkg/kubelet/kuberuntime/kuberuntime_manager.go  doBackOff
//   client-go util/flowcontrol/backoff.go               Backoff.Next, IsInBackOffSince, Get, hasExpired
//   k/k pkg/kubelet/pod_workers.go                      completeWork (only for the retry-granularity mode)

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
  /** Which expiry rule the kubelet's Backoff uses. */
  expiry: 'flat-600s' | 'twice-max';
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
  };
}

/** The run time a container needs for its next exit to reset the back-off: strictly more than this. */
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
// Retry granularity (kubelets without k/k PR #133066)
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

/** apimachinery wait.Jitter: duration + rand * maxFactor * duration. */
export function jitter(duration: number, maxFactor: number, rand: () => number): number {
  return duration + rand() * maxFactor * duration;
}

/**
 * When the kubelet next runs doBackOff for a pod it has just refused. With back-off propagation
 * (k/k PR #133066) the pod worker requeues for the expiry itself; before it, pod_workers.go
 * `completeWork` requeued every failed sync after wait.Jitter(backOffPeriod, 0.5), i.e. 10-15 s,
 * so the real restart lands on the first retry at or after the expiry (k/k issue #123602).
 */
export function nextSyncAfterRefusal(now: number, expiresAt: number, retryGranularity: boolean, rand: () => number): number {
  if (!retryGranularity) return expiresAt;
  return now + jitter(POD_WORKER_BACKOFF_PERIOD, POD_WORKER_JITTER_FACTOR, rand);
}

/** When the first sync after an exit runs: at once, or after PLEG's next relist (up to 1 s). */
export function firstSyncAfterExit(exitedAt: number, retryGranularity: boolean, rand: () => number): number {
  return retryGranularity ? exitedAt + (1 - rand()) * PLEG_RELIST_PERIOD : exitedAt;
}

// ---------------------------------------------------------------------------------------------
// Schedule: drive the ported functions through a sequence of container runs
// ---------------------------------------------------------------------------------------------

export interface ScheduleInput extends KubeletSettings {
  /** How long each container instance runs before it exits; the last value repeats. */
  runs: readonly number[];
  /** How many restarts to compute. */
  restarts: number;
  /** Model the pre-#133066 pod worker retry (restart lands up to ~15 s after the expiry). */
  retryGranularity?: boolean;
  /** Seed for the retry jitter in retryGranularity mode. */
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
  /** The exit found the entry expired (ran > reset time): restart at once, back-off back to initial. */
  reset: boolean;
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
  /** First restart whose wait reached the cap (nominal back-off == max), or null. */
  firstAtCap: number | null;
  /** Share of the window the container was running, 0..1. */
  availability: number;
  /** A container must run strictly longer than this for the next exit to reset the back-off. */
  resetAfter: number;
}

/** The run time of instance i (0 is the first start). */
export function runOf(runs: readonly number[], i: number): number {
  const r = runs[Math.min(i, runs.length - 1)];
  if (r === undefined) throw new BackoffConfigError('runs must list at least one run duration');
  return r;
}

/**
 * Runs the kubelet's logic over a sequence of exits: each exit triggers a sync that calls doBackOff;
 * refused syncs are retried when the kubelet would retry them; the restart happens at the first
 * sync doBackOff lets through. The clock is the simulated time.
 */
export function schedule(input: ScheduleInput): Schedule {
  const kubelet = resolveKubelet(input);
  if (!Number.isInteger(input.restarts) || input.restarts < 1) throw new BackoffConfigError(`restarts must be a whole number >= 1, got ${input.restarts}`);
  if (input.runs.length === 0) throw new BackoffConfigError('runs must list at least one run duration');
  for (const r of input.runs) {
    if (!Number.isFinite(r) || r <= 0) throw new BackoffConfigError(`every run duration must be a number of seconds > 0, got ${r}`);
  }
  const granular = input.retryGranularity === true;
  const rand = seededRandom(input.seed ?? 1);
  const clock = { t: 0, now(): number { return this.t; } };
  const backOff = newKubeletBackoff(kubelet, clock);
  const key = 'default/app/app';
  const restarts: RestartRow[] = [];
  const spans: Schedule['spans'] = [];
  let startedAt = 0;
  for (let i = 1; i <= input.restarts; i++) {
    const ran = runOf(input.runs, i - 1);
    const exitedAt = startedAt + ran;
    spans.push({ kind: 'running', from: startedAt, to: exitedAt });
    const entryBefore = backOff.entry(key);
    const reset = entryBefore !== undefined && backOff.hasExpired(exitedAt, entryBefore.lastUpdate, backOff.maxDuration);
    clock.t = firstSyncAfterExit(exitedAt, granular, rand);
    let refusals = 0;
    let nominal = 0;
    for (;;) {
      const d = doBackOff(backOff, key, exitedAt);
      if (!d.inBackOff) break;
      refusals += 1;
      nominal = backOff.get(key);
      const next = nextSyncAfterRefusal(clock.t, d.expiresAt ?? clock.t, granular, rand);
      // exitedAt + backoff can round so that (exitedAt + backoff) - exitedAt < backoff; then move
      // on by the smallest step a float allows, or the loop would never end.
      clock.t = next > clock.t ? next : clock.t + Math.max(Math.abs(clock.t), 1) * Number.EPSILON;
    }
    const restartedAt = clock.t;
    if (restartedAt > exitedAt) spans.push({ kind: 'backoff', from: exitedAt, to: restartedAt });
    restarts.push({ restart: i, exitedAt, restartedAt, backoffSeconds: restartedAt - exitedAt, nominalBackoff: nominal, ranSeconds: ran, reset, refusals });
    startedAt = restartedAt;
  }
  const lastRun = runOf(input.runs, input.restarts);
  spans.push({ kind: 'running', from: startedAt, to: startedAt + lastRun });
  const windowEnd = startedAt + lastRun;
  const running = spans.filter((s) => s.kind === 'running').reduce((a, s) => a + (s.to - s.from), 0);
  const capRow = restarts.find((r) => r.nominalBackoff === kubelet.max);
  return {
    kubelet,
    retryGranularity: granular,
    restarts,
    spans,
    windowEnd,
    firstAtCap: capRow ? capRow.restart : null,
    availability: windowEnd > 0 ? running / windowEnd : 1,
    resetAfter: resetRunTime(kubelet),
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
