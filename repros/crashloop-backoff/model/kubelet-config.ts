// The kubelet's back-off settings: its constants, the versions and feature gates the model knows,
// the configuration defaults and validation, and the Backoff it builds from them. Pure.
//
// Upstream:
//   k/k pkg/kubelet/kubelet.go                          constants, newCrashLoopBackOff, NewMainKubelet
//                                                       (the HasExpiredFunc override since 1.32)
//   k/k pkg/kubelet/apis/config/v1beta1/defaults.go     SetDefaults_KubeletConfiguration
//   k/k pkg/features/kube_features.go                   the gates and their stages per version
//   k/k pkg/kubelet/pod_workers.go                      which requeue a refused pod gets (PodWorkerRetry)
import { Backoff, type Clock } from './client-go-backoff.ts';

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

