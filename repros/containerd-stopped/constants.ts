// The incident's numbers, each written once: the runs' fixed inputs, the model's moments, the
// derived predictions the page quotes, the eviction window, the alert timing and the upstream revision
// it is quoted from. Claims, scenarios, checks, the cluster recipe and the page import them from here.
import { DEFAULT_TOLERATION_SECONDS } from './cluster.ts';
import { DEFAULT_KUBELET_CONFIG } from './kubelet.ts';
import { DEFAULT_CONTROLLER_CONFIG, NODE_EVICTION_PERIOD_MS } from './node-lifecycle-controller.ts';
import { chainCeilingBytes, DEFAULT_PIPE_BYTES, linesPerPipe, predictedRequestsBeforeHang } from './pipe-math.ts';

export const SLUG = 'containerd-stopped';

/** The fixed inputs of the runs the claims speak about. */
export const RUN = {
  /** Bytes per access-log line, newline included: a typical JSON access log line. */
  lineBytes: 243,
  /** F_SETPIPE_SZ target for the bigger-pipe variant: /proc/sys/fs/pipe-max-size's default. */
  bigPipeBytes: 1_048_576,
  /** Requests sent with the console.log app after the copier stopped. */
  consoleRequests: 4000,
  /** Requests sent with the dropping logger after the copier stopped. */
  fixedRequests: 2000,
  /** Requests answered (and logged) before the copier stops, on every tier and on a cluster. */
  warmupRequests: 16,
  /** How long containerd stays down with requests waiting, before it starts again (seconds, scaled). */
  holdS: 30,
  /** A bound on the requests sent until the hang, far above where it comes even with 1 MiB pipes. */
  maxRequestsUntilHang: 1_000_000,
  /**
   * Upper bound for what should happen promptly once the copier is back: a waiting request's answer,
   * a log line. The real containerd re-attaches in about 1-3 s, after its own start-up, so it gets more;
   * on a kind node, the wait for the request left waiting once systemd has started containerd.
   */
  recoveryTimeoutMs: { 'stand-in': 15_000, real: 30_000, cluster: 15_000 },
} as const;

/**
 * "No response within this long" means hung. Generous on purpose (a request to a healthy app takes
 * milliseconds even on a busy machine) and not scaled: it is a detection threshold, not story time.
 */
export const HANG_TIMEOUT_MS = 2000;
/** The kubelet's default probe timeoutSeconds: a probe setting, kept at its real value. */
export const PROBE_TIMEOUT_MS = 1000;

const CEILING = chainCeilingBytes(DEFAULT_PIPE_BYTES, DEFAULT_PIPE_BYTES);
const PREDICTED_REQUESTS = predictedRequestsBeforeHang(RUN.lineBytes, DEFAULT_PIPE_BYTES, DEFAULT_PIPE_BYTES);
const PREDICTED_RATIO = predictedRequestsBeforeHang(RUN.lineBytes, RUN.bigPipeBytes, RUN.bigPipeBytes) / PREDICTED_REQUESTS;

/**
 * How long a kind cluster run keeps containerd stopped by default: long enough to see the not-ready
 * taint's default 300 s toleration run out and the pod evicted.
 */
export const CLUSTER_HOLD_S = 420;

/** How long after the stop the model watches the DaemonSet pod (an outage far longer than the eviction). */
export const DAEMONSET_HOLD_S = 3600;
/** When the delete-the-pod mitigation runs in the model, seconds after containerd stopped. */
export const DELETE_AT_S = 60;
/** How long after that deletion the model's endpoint and kube-proxy's choice are read, seconds. */
export const DELETED_POD_SEEN_AFTER_S = 60;

/** The tolerationSeconds the page recommends for the not-ready / unreachable taints of stateless pods. */
export const SHORT_TOLERATION_S = 30;

/** Derived numbers the page quotes next to the claims. */
export const PREDICTIONS = {
  ceilingBytes: CEILING,
  linesPerPipe: linesPerPipe(DEFAULT_PIPE_BYTES, RUN.lineBytes),
  requestsBeforeHang: PREDICTED_REQUESTS,
  naiveRequests: Math.floor(CEILING / RUN.lineBytes),
  bigPipeRatio: PREDICTED_RATIO,
} as const;

/** The node lifecycle controller's monitor period, seconds (its default, from the ported config). */
export const NODE_MONITOR_PERIOD_S = DEFAULT_CONTROLLER_CONFIG.nodeMonitorPeriodMs / 1000;
const k = DEFAULT_KUBELET_CONFIG;
/** Earliest and latest eviction after containerd stops: see the claim's method. */
const EVICT_MIN_S = DEFAULT_TOLERATION_SECONDS + (k.runtimeSyncThresholdMs - k.runtimeUpPeriodMs) / 1000;
const EVICT_MAX_S =
  DEFAULT_TOLERATION_SECONDS + (k.runtimeSyncThresholdMs + k.nodeStatusUpdateFrequencyMs) / 1000 + NODE_MONITOR_PERIOD_S + NODE_EVICTION_PERIOD_MS / 1000;
/** Earliest and latest moment (s after containerd stopped) the Deployment pod is evicted, as the claim states. */
export const EVICTION_WINDOW_S = { min: EVICT_MIN_S, max: EVICT_MAX_S } as const;

/**
 * kubernetes-mixin at commit aa38e2bf (alerts/kubelet.libsonnet, alerts/apps_alerts.libsonnet):
 * KubeNodeNotReady and KubePodNotReady both wait `for: 15m`.
 */
export const MIXIN_COMMIT = 'aa38e2bfa7ea6ec6870420b483046afe790a6411';
export const ALERT_FOR_S = 15 * 60;
