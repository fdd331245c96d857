// The few API objects the node-health path touches (k8s.io/api/core/v1, coordination/v1), reduced
// to the fields the ported code reads, and a tiny in-memory API server holding them. Times are
// milliseconds on the simulated clock.

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface NodeCondition {
  type: 'Ready';
  status: ConditionStatus;
  reason: string;
  message: string;
  lastHeartbeatTime: number;
  lastTransitionTime: number;
}

export type TaintEffect = 'NoSchedule' | 'NoExecute';

export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect;
  timeAdded?: number;
}

export interface Node {
  name: string;
  uid: string;
  creationTimestamp: number;
  spec: { taints: Taint[] };
  status: { conditions: NodeCondition[] };
}

export interface Lease {
  holderIdentity: string;
  renewTime: number;
}

export interface Toleration {
  /** Empty or absent: any key (only with operator Exists). */
  key?: string;
  /** Absent means Equal. */
  operator?: 'Exists' | 'Equal';
  value?: string;
  /** Empty or absent: any effect. */
  effect?: TaintEffect;
  tolerationSeconds?: number;
}

export interface PodCondition {
  type: 'Ready' | 'DisruptionTarget';
  status: ConditionStatus;
  reason?: string;
  lastTransitionTime: number;
}

export interface Pod {
  namespace: string;
  name: string;
  /** The controller that owns it: its kind decides the tolerations it gets. */
  ownerKind?: 'ReplicaSet' | 'DaemonSet';
  spec: { nodeName: string; tolerations: Toleration[] };
  status: { conditions: PodCondition[] };
  deletionTimestamp?: number;
}

/** v1.TaintNodeNotReady / v1.TaintNodeUnreachable (k8s.io/api/core/v1 well_known_taints.go). */
export const TAINT_NODE_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_NODE_UNREACHABLE = 'node.kubernetes.io/unreachable';

/**
 * The tolerations the DefaultTolerationSeconds admission plugin adds to every pod that has none of
 * its own for these taints: 300 s each (plugin/pkg/admission/defaulttolerationseconds). A pod spec
 * can set its own, with a shorter tolerationSeconds.
 */
export const DEFAULT_TOLERATION_SECONDS = 300;
export function defaultTolerations(seconds = DEFAULT_TOLERATION_SECONDS): Toleration[] {
  return [
    { key: TAINT_NODE_NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds },
    { key: TAINT_NODE_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds },
  ];
}

/**
 * The tolerations the DaemonSet controller puts on every DaemonSet pod (k/k
 * pkg/controller/daemon/util/daemonset_util.go, AddOrUpdateDaemonPodTolerations): not-ready and
 * unreachable NoExecute with no tolerationSeconds, i.e. forever ("DaemonSet pods shouldn't be deleted
 * by NodeController in case of node problems"), plus NoSchedule ones for the pressure and
 * unschedulable taints, which never evict.
 */
export function daemonSetTolerations(): Toleration[] {
  return [
    { key: TAINT_NODE_NOT_READY, operator: 'Exists', effect: 'NoExecute' },
    { key: TAINT_NODE_UNREACHABLE, operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
}

/** controllerutil.GetNodeCondition for the Ready type (pkg/controller/util/node/controller_utils.go). */
export function getReadyCondition(status: { conditions: NodeCondition[] } | undefined): NodeCondition | undefined {
  return status?.conditions.find((c) => c.type === 'Ready');
}

export function isPodReady(pod: Pod): boolean {
  return pod.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

export function taintExists(taints: readonly Taint[], t: { key: string; effect: TaintEffect }): boolean {
  return taints.some((x) => x.key === t.key && x.effect === t.effect);
}

/** What was written to the API server, and when: the raw material of the timeline. */
export interface ApiEvent {
  at: number;
  actor: string;
  text: string;
}

/** An in-memory API server: the objects, and a hook the EndpointSlice view and taint manager watch. */
export class ApiServer {
  readonly nodes = new Map<string, Node>();
  readonly leases = new Map<string, Lease>();
  readonly pods: Pod[] = [];
  readonly events: ApiEvent[] = [];
  private readonly nodeWatchers: ((oldNode: Node | undefined, node: Node) => void)[] = [];
  now: () => number = () => 0;

  record(actor: string, text: string): void {
    this.events.push({ at: this.now(), actor, text });
  }

  onNodeUpdate(fn: (oldNode: Node | undefined, node: Node) => void): void {
    this.nodeWatchers.push(fn);
  }

  /** Stores a copy of the node and notifies watchers, as an informer would. */
  updateNode(node: Node): void {
    const old = this.nodes.get(node.name);
    const copy = structuredClone(node);
    this.nodes.set(node.name, copy);
    for (const w of this.nodeWatchers) w(old, copy);
  }

  getNode(name: string): Node | undefined {
    const n = this.nodes.get(name);
    return n ? structuredClone(n) : undefined;
  }

  getLease(name: string): Lease | undefined {
    const l = this.leases.get(name);
    return l ? { ...l } : undefined;
  }

  podsOnNode(nodeName: string): Pod[] {
    return this.pods.filter((p) => p.spec.nodeName === nodeName);
  }
}
