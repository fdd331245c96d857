// One node with two pods (one replica of a Deployment, and a DaemonSet pod), a simulated clock, and
// the ported kubelet, node lifecycle controller, taint eviction controller, EndpointSlice view and
// kube-proxy endpoint choice. Pure and deterministic: the same options give the same timeline, in
// microseconds of real time, for the CLI, the tests and the page.
import {
  ApiServer, DEFAULT_TOLERATION_SECONDS, daemonSetTolerations, defaultTolerations, getReadyCondition, isPodReady, type ApiEvent, type ConditionStatus, type Pod,
} from './cluster.ts';
import { endpointConditions, type EndpointConditions } from './endpointslice.ts';
import { clusterEndpoints } from './kube-proxy-topology.ts';
import { DEFAULT_KUBELET_CONFIG, SimKubelet, type KubeletPhases } from './kubelet.ts';
import { DEFAULT_CONTROLLER_CONFIG, NODE_EVICTION_PERIOD_MS, NodeLifecycleController } from './node-lifecycle-controller.ts';
import { TaintEvictionController } from './taint-eviction.ts';

export const NODE_SCENARIOS = ['kubelet-stopped', 'containerd-stopped', 'containerd-then-kubelet-stopped'] as const;
export type NodeScenario = (typeof NODE_SCENARIOS)[number];

export const K8S_VERSIONS = ['1.31', '1.32'] as const;
export type K8sVersion = (typeof K8S_VERSIONS)[number];

/** node-monitor-grace-period default: 40 s up to 1.31, 50 s from 1.32 (k/k PR #126287). */
export const GRACE_PERIOD_S: Readonly<Record<K8sVersion, number>> = { '1.31': 40, '1.32': 50 };

export const SCENARIO_LABELS: Readonly<Record<NodeScenario, string>> = {
  'kubelet-stopped': 'systemctl stop kubelet',
  'containerd-stopped': 'systemctl stop containerd',
  'containerd-then-kubelet-stopped': 'stop containerd, then kubelet 90 s later',
};

/** Offsets (ms, relative to the stop at t = 0) of the periodic loops; each repeats at its period. */
export interface Phases extends KubeletPhases {
  monitorAt: number;
}

/**
 * Default phases: the kubelet's last runtime check 1 s, last lease renewal 3 s and last status sync
 * 8 s before the stop; the controller's monitor pass 2 s after each multiple of 5 s.
 */
export const DEFAULT_PHASES: Phases = { runtimeUpAt: -1_000, leaseAt: -3_000, statusAt: -8_000, monitorAt: 2_000 };

export interface SimulationOptions {
  scenario: NodeScenario;
  version: K8sVersion;
  phases?: Phases;
  /** For containerd-then-kubelet-stopped: when the kubelet is stopped too. */
  kubeletStopAtMs?: number;
  /** How long to simulate after the stop. */
  durationMs?: number;
  /** The Deployment pod's own tolerationSeconds for the not-ready and unreachable taints (default 300). */
  tolerationSeconds?: number;
  /** `kubectl delete pod` on the Deployment pod at this time (ms after the stop). */
  deletePodAtMs?: number;
}

/** The Deployment's pod on the node (the incident's replica) and the DaemonSet pod next to it. */
export const DEPLOYMENT_POD = { namespace: 'shop', name: 'orders-7d9f-1' } as const;
export const DAEMONSET_POD = { namespace: 'shop', name: 'orders-cache-x7k2p' } as const;

/** The endpoint as a reader of the EndpointSlice sees it: ready, or terminating and still serving, or neither. */
export type EndpointState = 'ready' | 'not ready' | 'terminating, serving' | 'terminating';

/**
 * Whether kube-proxy sends NEW connections to the pod (clusterEndpoints): "yes" while it is ready,
 * "if no other is ready" while it is terminating but serving (the fallback), "no" otherwise.
 */
export type NewConnections = 'yes' | 'if no other is ready' | 'no';

/** The state after each change, with t in ms relative to the stop. */
export interface TimelinePoint {
  t: number;
  nodeReady: ConditionStatus;
  podReady: boolean;
  endpoint: EndpointState;
  /** The Deployment pod's endpoint conditions, as the EndpointSlice carries them. */
  conditions: EndpointConditions;
  newConnections: NewConnections;
  daemonPodReady: boolean;
  daemonEndpoint: EndpointState;
  taints: string[];
  /** "skipping pod sync": the kubelet runs but its syncLoop skips pod work (runtime errors). */
  kubelet: 'running' | 'skipping pod sync' | 'stopped';
}

export interface SimulationResult {
  scenario: NodeScenario;
  version: K8sVersion;
  tolerationSeconds: number;
  graceS: number;
  kubeletStopAtMs: number | undefined;
  durationMs: number;
  points: TimelinePoint[];
  events: ApiEvent[];
  markPodsNotReadyCalls: number;
  /** The kubelet's last Lease renewal before it stopped (kubelet scenarios). */
  lastHeartbeatMs: number | undefined;
  nodeNotReadyAtMs: number | undefined;
  nodeUnknownAtMs: number | undefined;
  /** When the pod left the ready endpoints, for whatever reason. */
  endpointNotReadyAtMs: number | undefined;
  podMarkedNotReadyAtMs: number | undefined;
  /** When the Deployment pod was deleted (by the taint manager, or by the operator). */
  podDeletedAtMs: number | undefined;
  deletePodAtMs: number | undefined;
  /** When the DaemonSet pod left the ready endpoints, and when it was deleted: undefined is never. */
  daemonEndpointNotReadyAtMs: number | undefined;
  daemonPodDeletedAtMs: number | undefined;
}

const NODE = 'node-a';
const START_MS = -120_000;
const TICK_MS = NODE_EVICTION_PERIOD_MS;

/** First time >= from that is congruent to `phase` modulo `period`. */
function firstAtOrAfter(from: number, phase: number, period: number): number {
  const k = Math.ceil((from - phase) / period);
  return phase + k * period;
}

export function simulate(opts: SimulationOptions): SimulationResult {
  const phases = opts.phases ?? DEFAULT_PHASES;
  const durationMs = opts.durationMs ?? 420_000;
  const kubeletStopAtMs =
    opts.scenario === 'kubelet-stopped' ? 0 : opts.scenario === 'containerd-then-kubelet-stopped' ? (opts.kubeletStopAtMs ?? 90_000) : undefined;
  const graceS = GRACE_PERIOD_S[opts.version];

  let now = START_MS;
  const api = new ApiServer();
  api.now = () => now;
  let containerdUp = true;

  api.nodes.set(NODE, { name: NODE, uid: 'uid-node-a', creationTimestamp: START_MS, spec: { taints: [] }, status: { conditions: [] } });
  api.pods.push({
    ...DEPLOYMENT_POD,
    ownerKind: 'ReplicaSet',
    spec: { nodeName: NODE, tolerations: defaultTolerations(opts.tolerationSeconds) },
    status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: START_MS }] },
  });
  api.pods.push({
    ...DAEMONSET_POD,
    ownerKind: 'DaemonSet',
    spec: { nodeName: NODE, tolerations: daemonSetTolerations() },
    status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: START_MS }] },
  });
  const pod = api.pods[0] as Pod;
  const daemonPod = api.pods[1] as Pod;

  const kcfg = DEFAULT_KUBELET_CONFIG;
  const kubelet = new SimKubelet(api, NODE, () => containerdUp, kcfg, {
    runtimeUpAt: firstAtOrAfter(START_MS, phases.runtimeUpAt, kcfg.runtimeUpPeriodMs),
    leaseAt: firstAtOrAfter(START_MS, phases.leaseAt, kcfg.leaseRenewIntervalMs),
    statusAt: firstAtOrAfter(START_MS + kcfg.runtimeUpPeriodMs, phases.statusAt, kcfg.nodeStatusUpdateFrequencyMs),
  });
  const controller = new NodeLifecycleController(api, { ...DEFAULT_CONTROLLER_CONFIG, nodeMonitorGracePeriodMs: graceS * 1000 });
  const taintManager = new TaintEvictionController(api);
  let nextMonitor = firstAtOrAfter(START_MS, phases.monitorAt, controller.config.nodeMonitorPeriodMs);

  const points: TimelinePoint[] = [];
  let lastKey = '';
  let lastHeartbeatMs: number | undefined;

  const snapshot = (): void => {
    if (now < 0) return;
    // Read-only look at the stored object: no copy needed.
    const node = api.nodes.get(NODE);
    const ep = endpointConditions(pod);
    const point: TimelinePoint = {
      t: now,
      nodeReady: getReadyCondition(node?.status)?.status ?? 'Unknown',
      podReady: isPodReady(pod),
      endpoint: endpointState(ep),
      conditions: ep,
      newConnections: newConnections(ep),
      daemonPodReady: isPodReady(daemonPod),
      daemonEndpoint: endpointState(endpointConditions(daemonPod)),
      taints: (node?.spec.taints ?? []).map((t) => `${t.key.replace('node.kubernetes.io/', '')}:${t.effect}`),
      kubelet: !kubelet.running ? 'stopped' : kubelet.skippingPodSync ? 'skipping pod sync' : 'running',
    };
    const key = `${point.nodeReady}|${point.podReady}|${point.endpoint}|${point.newConnections}|${point.daemonPodReady}|${point.daemonEndpoint}|${point.taints.join(',')}|${point.kubelet}`;
    if (key !== lastKey) {
      points.push(point);
      lastKey = key;
    }
  };

  for (; now <= durationMs; now += TICK_MS) {
    if (now === 0 && opts.scenario !== 'kubelet-stopped') {
      containerdUp = false;
      api.record('operator', 'systemctl stop containerd (KillMode=process: shims and containers keep running)');
    }
    if (now === kubeletStopAtMs) {
      lastHeartbeatMs = api.getLease(NODE)?.renewTime;
      kubelet.stop();
      api.record('operator', 'systemctl stop kubelet');
    }
    if (now === opts.deletePodAtMs && pod.deletionTimestamp === undefined) {
      // The API server sets deletionTimestamp at once; removing the pod needs the kubelet to stop its
      // containers, which it cannot do while the runtime is down (or while it is stopped itself).
      pod.deletionTimestamp = now;
      api.record('operator', `kubectl delete pod -n ${pod.namespace} ${pod.name} --wait=false`);
    }
    kubelet.tick();
    if (now >= nextMonitor) {
      controller.monitorNodeHealth();
      nextMonitor += controller.config.nodeMonitorPeriodMs;
    }
    controller.doNoExecuteTaintingPass();
    taintManager.tick();
    snapshot();
  }

  const firstT = (pred: (p: TimelinePoint) => boolean): number | undefined => points.find(pred)?.t;
  const events = api.events.filter((e) => e.at >= 0);
  return {
    scenario: opts.scenario,
    version: opts.version,
    tolerationSeconds: opts.tolerationSeconds ?? DEFAULT_TOLERATION_SECONDS,
    graceS,
    kubeletStopAtMs,
    durationMs,
    points,
    events,
    markPodsNotReadyCalls: controller.markPodsNotReadyCalls,
    lastHeartbeatMs,
    nodeNotReadyAtMs: firstT((p) => p.nodeReady === 'False'),
    nodeUnknownAtMs: firstT((p) => p.nodeReady === 'Unknown'),
    endpointNotReadyAtMs: firstT((p) => p.endpoint !== 'ready'),
    podMarkedNotReadyAtMs: events.find((e) => e.text.startsWith('MarkPodsNotReady'))?.at,
    podDeletedAtMs: pod.deletionTimestamp,
    deletePodAtMs: opts.deletePodAtMs,
    daemonEndpointNotReadyAtMs: firstT((p) => p.daemonEndpoint !== 'ready'),
    daemonPodDeletedAtMs: daemonPod.deletionTimestamp,
  };
}

function endpointState(ep: EndpointConditions): EndpointState {
  if (ep.terminating) return ep.serving ? 'terminating, serving' : 'terminating';
  return ep.ready ? 'ready' : 'not ready';
}

/** kube-proxy's choice for this endpoint, tried with and without another ready replica of the Service. */
function newConnections(ep: EndpointConditions): NewConnections {
  const self = { name: 'self', ...ep };
  const peer = { name: 'peer', ready: true, serving: true, terminating: false };
  const withPeer = clusterEndpoints([self, peer]).includes(self);
  const alone = clusterEndpoints([self]).includes(self);
  return withPeer ? 'yes' : alone ? 'if no other is ready' : 'no';
}

/** Every scenario on every version, with the default phases: what the page charts. */
export function simulateAll(): SimulationResult[] {
  return K8S_VERSIONS.flatMap((version) => NODE_SCENARIOS.map((scenario) => simulate({ scenario, version })));
}

/** A sweep of loop phases (each loop's offset stepped through its period), to show a result is not a phase artefact. */
export function phaseSweep(step = 2_500): Phases[] {
  const out: Phases[] = [];
  for (let runtimeUpAt = -5_000; runtimeUpAt < 0; runtimeUpAt += step) {
    for (let leaseAt = -10_000; leaseAt < 0; leaseAt += step) {
      for (let statusAt = -10_000; statusAt < 0; statusAt += step) {
        for (let monitorAt = 0; monitorAt < 5_000; monitorAt += step) out.push({ runtimeUpAt, leaseAt, statusAt, monitorAt });
      }
    }
  }
  return out;
}
