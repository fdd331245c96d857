// A port of the node health part of the node lifecycle controller (kube-controller-manager), one
// function per upstream function, for a single zone whose other nodes are healthy (so the zone state
// stays Normal and handleDisruption / ComputeZoneState are left out).
//
// Upstream: kubernetes/kubernetes pkg/controller/nodelifecycle/node_lifecycle_controller.go,
// pkg/controller/nodelifecycle/scheduler/rate_limited_queue.go,
// pkg/controller/util/node/controller_utils.go, pkg/controller/controller_utils.go.
// Only the NodeReady condition is modelled; upstream treats MemoryPressure, DiskPressure and
// PIDPressure the same way in the grace-period branch of tryUpdateNodeHealth.
import {
  getReadyCondition,
  taintExists,
  TAINT_NODE_NOT_READY,
  TAINT_NODE_UNREACHABLE,
  type ApiServer,
  type Node,
  type NodeCondition,
  type Pod,
  type Taint,
} from './cluster.ts';

type NodeStatus = Node['status'];

/** UnreachableTaintTemplate and NotReadyTaintTemplate. */
export const UNREACHABLE_TAINT: Taint = { key: TAINT_NODE_UNREACHABLE, effect: 'NoExecute' };
export const NOT_READY_TAINT: Taint = { key: TAINT_NODE_NOT_READY, effect: 'NoExecute' };

export interface ControllerConfig {
  /** --node-monitor-period, default 5 s. */
  nodeMonitorPeriodMs: number;
  /** --node-monitor-grace-period: 40 s before 1.32, 50 s from 1.32 (k/k PR #126287). */
  nodeMonitorGracePeriodMs: number;
  /** --node-startup-grace-period, default 60 s. */
  nodeStartupGracePeriodMs: number;
  /** --node-eviction-rate, default 0.1 nodes per second (rate of NoExecute tainting). */
  evictionLimiterQPS: number;
}

export const DEFAULT_CONTROLLER_CONFIG: ControllerConfig = {
  nodeMonitorPeriodMs: 5_000,
  nodeMonitorGracePeriodMs: 50_000,
  nodeStartupGracePeriodMs: 60_000,
  evictionLimiterQPS: 0.1,
};

/** scheduler.NodeEvictionPeriod: how often doNoExecuteTaintingPass runs. */
export const NODE_EVICTION_PERIOD_MS = 100;
/** scheduler.EvictionRateLimiterBurst. */
const EVICTION_RATE_LIMITER_BURST = 1;

// client-go util/flowcontrol/throttle.go: NewTokenBucketRateLimiter / TryAccept (a full bucket at start).
class TokenBucket {
  private readonly qps: number;
  private readonly burst: number;
  private tokens: number;
  private last: number;
  constructor(qps: number, burst: number, now: number) {
    this.qps = qps;
    this.burst = burst;
    this.tokens = burst;
    this.last = now;
  }
  tryAccept(now: number): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }
}

interface TimedValue {
  value: string;
  uid: string;
  addedAt: number;
  processAt: number;
}

// scheduler/rate_limited_queue.go: UniqueQueue + RateLimitedTimedQueue. A value stays in `set` after
// it was processed (RemoveFromQueue), so Add refuses it until Remove drops it from both.
class RateLimitedTimedQueue {
  private queue: TimedValue[] = [];
  private readonly set = new Set<string>();
  private readonly limiter: TokenBucket;
  constructor(limiter: TokenBucket) {
    this.limiter = limiter;
  }

  // RateLimitedTimedQueue.Add -> UniqueQueue.Add
  add(value: string, uid: string, now: number): boolean {
    if (this.set.has(value)) return false;
    this.set.add(value);
    this.queue.push({ value, uid, addedAt: now, processAt: now });
    this.queue.sort((a, b) => a.processAt - b.processAt);
    return true;
  }

  // UniqueQueue.Remove: from the queue and the set.
  remove(value: string): boolean {
    const had = this.set.delete(value);
    this.queue = this.queue.filter((v) => v.value !== value);
    return had;
  }

  // RateLimitedTimedQueue.Try
  try(now: number, fn: (v: TimedValue) => [boolean, number]): void {
    let head = this.queue[0];
    while (head) {
      if (!this.limiter.tryAccept(now)) break;
      if (now < head.processAt) break;
      const [ok, wait] = fn(head);
      if (!ok) {
        head.processAt = now + wait + 1;
        this.queue.sort((a, b) => a.processAt - b.processAt);
      } else {
        // UniqueQueue.RemoveFromQueue: keeps the value in the set.
        this.queue.shift();
      }
      head = this.queue[0];
    }
  }
}

// controller_utils.go (pkg/controller/util/node): SwapNodeControllerTaint. Stamps TimeAdded on the
// taints it adds, removes the others, in one update.
export function swapNodeControllerTaint(api: ApiServer, actor: string, add: readonly Taint[], remove: readonly Taint[], node: Node): boolean {
  const now = api.now();
  const fresh = api.getNode(node.name);
  if (!fresh) return false;
  let taints = fresh.spec.taints.filter((t) => !remove.some((r) => r.key === t.key && r.effect === t.effect));
  for (const t of add) if (!taintExists(taints, t)) taints = [...taints, { ...t, timeAdded: now }];
  fresh.spec.taints = taints;
  api.record(actor, `taint ${add.map((t) => `${t.key}:${t.effect}`).join(', ')} added${remove.length ? `, ${remove.map((t) => t.key).join(', ')} removed if present` : ''}`);
  api.updateNode(fresh);
  node.spec.taints = taints;
  return true;
}

// pkg/controller/controller_utils.go: RemoveTaintOffNode.
function removeTaintOffNode(api: ApiServer, actor: string, nodeName: string, taint: Taint): void {
  const fresh = api.getNode(nodeName);
  if (!fresh || !taintExists(fresh.spec.taints, taint)) return;
  fresh.spec.taints = fresh.spec.taints.filter((t) => !(t.key === taint.key && t.effect === taint.effect));
  api.updateNode(fresh);
  api.record(actor, `taint ${taint.key}:${taint.effect} removed`);
}

// controller_utils.go (pkg/controller/util/node): MarkPodsNotReady. Sets each pod's Ready
// condition to False; the EndpointSlice controller then takes it out of the ready endpoints.
export function markPodsNotReady(api: ApiServer, actor: string, pods: readonly Pod[], nodeName: string): void {
  for (const pod of pods) {
    if (pod.spec.nodeName !== nodeName) continue;
    for (const cond of pod.status.conditions) {
      if (cond.type !== 'Ready') continue;
      if (cond.status !== 'False') {
        cond.status = 'False';
        cond.lastTransitionTime = api.now();
        api.record(actor, `MarkPodsNotReady: pod ${pod.name} Ready=False ("Node is not ready")`);
      }
      break;
    }
  }
}

interface NodeHealthData {
  probeTimestamp: number;
  readyTransitionTimestamp: number;
  status: NodeStatus;
  lease?: { renewTime: number } | undefined;
}

export interface MonitorResult {
  observed: NodeCondition;
  current: NodeCondition | undefined;
  markedPodsNotReady: boolean;
}

export class NodeLifecycleController {
  private readonly nodeHealthMap = new Map<string, NodeHealthData>();
  private readonly knownNodeSet = new Set<string>();
  private readonly nodesToRetry = new Set<string>();
  private readonly zoneNoExecuteTainter: RateLimitedTimedQueue;
  /** How many times MarkPodsNotReady ran: the number this incident turns on. */
  markPodsNotReadyCalls = 0;
  private readonly actor = 'node-lifecycle-controller';
  private readonly api: ApiServer;
  readonly config: ControllerConfig;

  constructor(api: ApiServer, config: ControllerConfig) {
    this.api = api;
    this.config = config;
    this.zoneNoExecuteTainter = new RateLimitedTimedQueue(new TokenBucket(config.evictionLimiterQPS, EVICTION_RATE_LIMITER_BURST, api.now()));
  }

  // node_lifecycle_controller.go: monitorNodeHealth (per node: the updateNodeFunc closure).
  monitorNodeHealth(): MonitorResult[] {
    const results: MonitorResult[] = [];
    for (const name of [...this.api.nodes.keys()]) {
      const listed = this.api.getNode(name);
      if (!listed) continue;
      if (!this.knownNodeSet.has(name)) {
        this.knownNodeSet.add(name);
        this.markNodeAsReachable(listed);
      }
      const node = structuredClone(listed);
      const [, observedReadyCondition, currentReadyCondition] = this.tryUpdateNodeHealth(node);
      let marked = false;
      if (currentReadyCondition) {
        const pods = this.api.podsOnNode(node.name);
        this.processTaintBaseEviction(node, observedReadyCondition);
        const needsRetry = this.nodesToRetry.has(node.name);
        // switch { case current != True && observed == True: ... fallthrough; case needsRetry && observed != True: ... }
        if (currentReadyCondition.status !== 'True' && observedReadyCondition.status === 'True') {
          this.api.record(this.actor, `NodeNotReady event: Ready ${observedReadyCondition.status} -> ${currentReadyCondition.status}`);
          this.markPodsNotReadyCalls++;
          markPodsNotReady(this.api, this.actor, pods, node.name);
          marked = true;
        } else if (needsRetry && observedReadyCondition.status !== 'True') {
          this.markPodsNotReadyCalls++;
          markPodsNotReady(this.api, this.actor, pods, node.name);
          marked = true;
        }
      }
      this.nodesToRetry.delete(node.name);
      results.push({ observed: observedReadyCondition, current: currentReadyCondition, markedPodsNotReady: marked });
    }
    return results;
  }

  // node_lifecycle_controller.go: tryUpdateNodeHealth. Returns the grace period, the Ready condition
  // as the kubelet last posted it (observed) and as it is after this pass (current).
  tryUpdateNodeHealth(node: Node): [number, NodeCondition, NodeCondition | undefined] {
    const now = this.api.now();
    let nodeHealth = this.nodeHealthMap.get(node.name);
    nodeHealth = nodeHealth ? structuredClone(nodeHealth) : undefined;
    let gracePeriod: number;
    let observedReadyCondition: NodeCondition;
    let currentReadyCondition = getReadyCondition(node.status);
    if (!currentReadyCondition) {
      // The kubelet never posted status: a fake Unknown condition stamped with the creation time.
      observedReadyCondition = {
        type: 'Ready',
        status: 'Unknown',
        reason: '',
        message: '',
        lastHeartbeatTime: node.creationTimestamp,
        lastTransitionTime: node.creationTimestamp,
      };
      gracePeriod = this.config.nodeStartupGracePeriodMs;
      if (nodeHealth) nodeHealth.status = node.status;
      else nodeHealth = { status: node.status, probeTimestamp: node.creationTimestamp, readyTransitionTimestamp: node.creationTimestamp };
    } else {
      observedReadyCondition = { ...currentReadyCondition };
      gracePeriod = this.config.nodeMonitorGracePeriodMs;
    }

    const savedCondition = nodeHealth ? getReadyCondition(nodeHealth.status) : undefined;
    const savedLease = nodeHealth?.lease;
    if (!nodeHealth) {
      nodeHealth = { status: node.status, probeTimestamp: now, readyTransitionTimestamp: now };
    } else if (!savedCondition && currentReadyCondition) {
      nodeHealth = { status: node.status, probeTimestamp: now, readyTransitionTimestamp: now };
    } else if (savedCondition && !currentReadyCondition) {
      nodeHealth = { status: node.status, probeTimestamp: now, readyTransitionTimestamp: now };
    } else if (savedCondition && currentReadyCondition && savedCondition.lastHeartbeatTime !== currentReadyCondition.lastHeartbeatTime) {
      // A new status from the kubelet: refresh the probe time; a changed transition time means Ready changed.
      const transitionTime = savedCondition.lastTransitionTime !== currentReadyCondition.lastTransitionTime ? now : nodeHealth.readyTransitionTimestamp;
      nodeHealth = { status: node.status, probeTimestamp: now, readyTransitionTimestamp: transitionTime };
    }

    // Always update the probe time if the node lease is renewed.
    const observedLease = this.api.getLease(node.name);
    if (observedLease && (!savedLease || savedLease.renewTime < observedLease.renewTime)) {
      nodeHealth.lease = observedLease;
      nodeHealth.probeTimestamp = now;
    }

    if (now > nodeHealth.probeTimestamp + gracePeriod) {
      // Neither status nor lease for longer than the grace period: set Ready to Unknown, whatever it was.
      if (!currentReadyCondition) {
        node.status.conditions.push({
          type: 'Ready',
          status: 'Unknown',
          reason: 'NodeStatusNeverUpdated',
          message: 'Kubelet never posted node status.',
          lastHeartbeatTime: node.creationTimestamp,
          lastTransitionTime: now,
        });
      } else if (currentReadyCondition.status !== 'Unknown') {
        currentReadyCondition.status = 'Unknown';
        currentReadyCondition.reason = 'NodeStatusUnknown';
        currentReadyCondition.message = 'Kubelet stopped posting node status.';
        currentReadyCondition.lastTransitionTime = now;
      }
      currentReadyCondition = getReadyCondition(node.status);
      if (!sameCondition(currentReadyCondition, observedReadyCondition)) {
        this.api.updateNode(node);
        this.api.record(this.actor, `node Ready ${observedReadyCondition.status} -> Unknown ("Kubelet stopped posting node status.")`);
        nodeHealth = { status: node.status, probeTimestamp: nodeHealth.probeTimestamp, readyTransitionTimestamp: now, lease: observedLease };
        this.nodeHealthMap.set(node.name, structuredClone(nodeHealth));
        return [gracePeriod, observedReadyCondition, currentReadyCondition];
      }
    }
    this.nodeHealthMap.set(node.name, structuredClone(nodeHealth));
    return [gracePeriod, observedReadyCondition, currentReadyCondition];
  }

  // node_lifecycle_controller.go: processTaintBaseEviction. Note it acts on the OBSERVED condition:
  // a node the controller itself just set to Unknown is tainted on the next pass.
  processTaintBaseEviction(node: Node, observedReadyCondition: NodeCondition): void {
    switch (observedReadyCondition.status) {
      case 'False':
        if (taintExists(node.spec.taints, UNREACHABLE_TAINT)) {
          swapNodeControllerTaint(this.api, this.actor, [NOT_READY_TAINT], [UNREACHABLE_TAINT], node);
        } else this.markNodeForTainting(node, 'False');
        break;
      case 'Unknown':
        if (taintExists(node.spec.taints, NOT_READY_TAINT)) {
          swapNodeControllerTaint(this.api, this.actor, [UNREACHABLE_TAINT], [NOT_READY_TAINT], node);
        } else this.markNodeForTainting(node, 'Unknown');
        break;
      case 'True':
        this.markNodeAsReachable(node);
        break;
    }
  }

  // node_lifecycle_controller.go: markNodeForTainting
  markNodeForTainting(node: Node, status: 'False' | 'Unknown'): boolean {
    if (status === 'False' && !taintExists(node.spec.taints, NOT_READY_TAINT)) this.zoneNoExecuteTainter.remove(node.name);
    if (status === 'Unknown' && !taintExists(node.spec.taints, UNREACHABLE_TAINT)) this.zoneNoExecuteTainter.remove(node.name);
    return this.zoneNoExecuteTainter.add(node.name, node.uid, this.api.now());
  }

  // node_lifecycle_controller.go: markNodeAsReachable
  markNodeAsReachable(node: Node): boolean {
    removeTaintOffNode(this.api, this.actor, node.name, UNREACHABLE_TAINT);
    removeTaintOffNode(this.api, this.actor, node.name, NOT_READY_TAINT);
    return this.zoneNoExecuteTainter.remove(node.name);
  }

  // node_lifecycle_controller.go: doNoExecuteTaintingPass (one zone). "unreachable" and "not ready"
  // taints are mutually exclusive, mirroring the Ready condition.
  doNoExecuteTaintingPass(): void {
    this.zoneNoExecuteTainter.try(this.api.now(), (value) => {
      const node = this.api.getNode(value.value);
      if (!node) return [true, 0];
      const condition = getReadyCondition(node.status);
      if (!condition) return [false, 50];
      let add: Taint;
      let opposite: Taint;
      switch (condition.status) {
        case 'False':
          add = NOT_READY_TAINT;
          opposite = UNREACHABLE_TAINT;
          break;
        case 'Unknown':
          add = UNREACHABLE_TAINT;
          opposite = NOT_READY_TAINT;
          break;
        default:
          // Ready again: nothing to taint.
          return [true, 0];
      }
      return [swapNodeControllerTaint(this.api, this.actor, [add], [opposite], node), 0];
    });
  }
}

// apiequality.Semantic.DeepEqual on two Ready conditions.
function sameCondition(a: NodeCondition | undefined, b: NodeCondition): boolean {
  return (
    a !== undefined &&
    a.status === b.status &&
    a.reason === b.reason &&
    a.message === b.message &&
    a.lastHeartbeatTime === b.lastHeartbeatTime &&
    a.lastTransitionTime === b.lastTransitionTime
  );
}
