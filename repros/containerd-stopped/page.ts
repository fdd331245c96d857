// containerd-stopped as the site sees it: the one module incident pages and site components import.
// Pure data and functions (no process, socket or real-tier code; tests/site/site-surface.test.ts checks).
export { claims } from './claims.ts';
export {
  ALERT_FOR_S, DAEMONSET_HOLD_S, DELETE_AT_S, EVICTION_WINDOW_S, MIXIN_COMMIT, PREDICTIONS, RUN, SHORT_TOLERATION_S,
} from './constants.ts';
export { DEFAULT_PIPE_BYTES, GO_COPY_DEFAULT_BYTES, PAGE_BYTES, SHIM_BUFFER_BYTES, predictedRequestsBeforeHang } from './pipe-math.ts';
export { CRI_READ_BUFFER_BYTES, MAX_CONTAINER_LOG_LINE_BYTES } from './cri-logger.ts';
export { DEFAULT_KUBELET_CONFIG } from './kubelet.ts';
export { DEFAULT_TOLERATION_SECONDS } from './cluster.ts';
export { DEFAULT_CONTROLLER_CONFIG } from './node-lifecycle-controller.ts';
export { GRACE_PERIOD_S, SCENARIO_LABELS } from './node-simulation.ts';
import { simulate as runModel, simulateAll as runAll, type SimulationOptions, type SimulationResult } from './node-simulation.ts';
export type { K8sVersion, NodeScenario, SimulationResult, TimelinePoint } from './node-simulation.ts';

/** Files shown on the incident page, relative to the repo root. */
export const SOURCE_FILES: readonly string[] = [
  'repros/containerd-stopped/app.ts',
  'repros/containerd-stopped/shim.ts',
  'repros/containerd-stopped/cri-log-copier.ts',
  'repros/containerd-stopped/cri-logger.ts',
  'repros/containerd-stopped/pipe-math.ts',
  'repros/containerd-stopped/node-lifecycle-controller.ts',
  'repros/containerd-stopped/kubelet.ts',
  'repros/containerd-stopped/taint-eviction.ts',
  'repros/containerd-stopped/kube-proxy-topology.ts',
];

// The model is deterministic and a page asks for the same runs several times (the body module, the timelines,
// the key-times table): each distinct run is computed once per process and its result shared, read-only.
const runs = new Map<string, Readonly<SimulationResult>>();
let all: readonly Readonly<SimulationResult>[] | undefined;

export function simulate(opts: SimulationOptions): Readonly<SimulationResult> {
  const key = JSON.stringify(opts);
  let r = runs.get(key);
  if (!r) {
    r = runModel(opts);
    runs.set(key, r);
  }
  return r;
}

export function simulateAll(): readonly Readonly<SimulationResult>[] {
  all ??= runAll();
  return all;
}
