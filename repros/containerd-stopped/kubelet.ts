// The kubelet's node-health side, simulated: the runtime health check, the node status it posts
// and the Lease it renews. Each method follows an upstream function:
// - kubernetes/kubernetes pkg/kubelet/kubelet.go: updateRuntimeUp (every 5 s), syncLoop
// - pkg/kubelet/runtime.go: runtimeState.runtimeErrors (30 s threshold, maxWaitForContainerRuntime)
// - pkg/kubelet/pleg/generic.go: Relist (every 1 s), Healthy (3 min threshold)
// - pkg/kubelet/nodestatus/setters.go: ReadyCondition
// - pkg/kubelet/kubelet_node_status.go: tryUpdateNodeStatus, nodeStatusHasChanged
// - staging/src/k8s.io/component-helpers/apimachinery/lease/controller.go: renew every
//   nodeLeaseDurationSeconds (40) x 0.25 = 10 s
import { goDuration } from '../lib/go-duration.ts';
import type { ApiServer, NodeCondition } from './cluster.ts';
import { getReadyCondition } from './cluster.ts';

export interface KubeletConfig {
  nodeStatusUpdateFrequencyMs: number;
  nodeStatusReportFrequencyMs: number;
  leaseRenewIntervalMs: number;
  runtimeUpPeriodMs: number;
  runtimeSyncThresholdMs: number;
  plegRelistPeriodMs: number;
  plegRelistThresholdMs: number;
}

export const DEFAULT_KUBELET_CONFIG: KubeletConfig = {
  nodeStatusUpdateFrequencyMs: 10_000,
  nodeStatusReportFrequencyMs: 300_000,
  leaseRenewIntervalMs: 10_000,
  runtimeUpPeriodMs: 5_000,
  runtimeSyncThresholdMs: 30_000,
  plegRelistPeriodMs: 1_000,
  plegRelistThresholdMs: 180_000,
};

/** When each periodic task first runs (ms on the simulated clock); then every period after. */
export interface KubeletPhases {
  runtimeUpAt: number;
  statusAt: number;
  leaseAt: number;
}


export class SimKubelet {
  running = true;
  private readonly api: ApiServer;
  private readonly nodeName: string;
  private readonly runtimeUp: () => boolean;
  private readonly cfg: KubeletConfig;
  private lastBaseRuntimeSync: number | undefined;
  private plegRelistTime: number | undefined;
  private lastStatusReportTime = -Infinity;
  private nextRuntimeUp: number;
  private nextStatus: number;
  private nextLease: number;
  private nextRelist: number;
  private readonly actor = 'kubelet';
  /** Whether the last syncLoop pass skipped pod work (probe results are applied only when it does not). */
  skippingPodSync = false;

  constructor(api: ApiServer, nodeName: string, runtimeUp: () => boolean, cfg: KubeletConfig, phases: KubeletPhases) {
    this.api = api;
    this.nodeName = nodeName;
    this.runtimeUp = runtimeUp;
    this.cfg = cfg;
    this.nextRuntimeUp = phases.runtimeUpAt;
    this.nextStatus = phases.statusAt;
    this.nextLease = phases.leaseAt;
    this.nextRelist = phases.runtimeUpAt;
  }

  stop(): void {
    this.running = false;
  }

  /** Runs every task that is due at the current simulated time. */
  tick(): void {
    if (!this.running) return;
    const now = this.api.now();
    while (this.nextRelist <= now) {
      this.relist();
      this.nextRelist += this.cfg.plegRelistPeriodMs;
    }
    while (this.nextRuntimeUp <= now) {
      this.updateRuntimeUp();
      this.nextRuntimeUp += this.cfg.runtimeUpPeriodMs;
    }
    while (this.nextLease <= now) {
      this.renewLease();
      this.nextLease += this.cfg.leaseRenewIntervalMs;
    }
    while (this.nextStatus <= now) {
      this.tryUpdateNodeStatus();
      this.nextStatus += this.cfg.nodeStatusUpdateFrequencyMs;
    }
    // syncLoop: while runtimeErrors() is non-empty it logs "Skipping pod synchronization" and never
    // reaches syncLoopIteration, where readiness probe results are applied to pod status.
    this.skippingPodSync = this.hasRuntimeErrors();
  }

  /** runtimeErrors() !== empty, without building the messages (checked on every tick). */
  private hasRuntimeErrors(): boolean {
    const now = this.api.now();
    if (this.lastBaseRuntimeSync === undefined || !(this.lastBaseRuntimeSync + this.cfg.runtimeSyncThresholdMs > now)) return true;
    return this.plegRelistTime !== undefined && now - this.plegRelistTime > this.cfg.plegRelistThresholdMs;
  }

  // kubelet.go: updateRuntimeUp. A failed runtime Status call returns early, so the last good
  // sync time simply ages.
  private updateRuntimeUp(): void {
    if (!this.runtimeUp()) return;
    this.lastBaseRuntimeSync = this.api.now();
  }

  // pleg/generic.go: Relist records its time only when listing pods from the runtime succeeded.
  private relist(): void {
    if (this.runtimeUp()) this.plegRelistTime = this.api.now();
  }

  // runtime.go: runtimeErrors (with the PLEG health check registered by the kubelet).
  runtimeErrors(): string[] {
    const now = this.api.now();
    const errs: string[] = [];
    if (this.lastBaseRuntimeSync === undefined) errs.push('container runtime status check may not have completed yet');
    else if (!(this.lastBaseRuntimeSync + this.cfg.runtimeSyncThresholdMs > now)) errs.push('container runtime is down');
    if (this.plegRelistTime !== undefined) {
      const elapsed = now - this.plegRelistTime;
      if (elapsed > this.cfg.plegRelistThresholdMs) {
        errs.push(`PLEG is not healthy: pleg was last seen active ${goDuration(elapsed / 1000)} ago; threshold is ${goDuration(this.cfg.plegRelistThresholdMs / 1000)}`);
      }
    }
    return errs;
  }

  // nodestatus/setters.go: ReadyCondition
  private readyCondition(previous: NodeCondition | undefined): NodeCondition {
    const now = this.api.now();
    const errs = this.runtimeErrors();
    const next: NodeCondition =
      errs.length === 0
        ? { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now }
        : {
            type: 'Ready',
            status: 'False',
            reason: 'KubeletNotReady',
            message: errs.length === 1 ? (errs[0] as string) : `[${errs.join(', ')}]`,
            lastHeartbeatTime: now,
            lastTransitionTime: now,
          };
    if (previous && previous.status === next.status) next.lastTransitionTime = previous.lastTransitionTime;
    return next;
  }

  // kubelet_node_status.go: tryUpdateNodeStatus. Patches only when something other than heartbeat
  // times changed (nodeStatusHasChanged), or every nodeStatusReportFrequency.
  private tryUpdateNodeStatus(): void {
    const now = this.api.now();
    const node = this.api.getNode(this.nodeName);
    if (!node) return;
    const previous = getReadyCondition(node.status);
    const next = this.readyCondition(previous);
    const changed = !previous || previous.status !== next.status || previous.reason !== next.reason || previous.message !== next.message || previous.lastTransitionTime !== next.lastTransitionTime;
    if (!changed && now - this.lastStatusReportTime < this.cfg.nodeStatusReportFrequencyMs) return;
    node.status.conditions = [...node.status.conditions.filter((c) => c.type !== 'Ready'), next];
    this.api.updateNode(node);
    this.lastStatusReportTime = now;
    // Narrate a new status or a new kind of error, not every tick of the PLEG's elapsed time.
    const kind = (m: string): string => m.replace(/[\d.]+/g, '');
    if (!previous || previous.status !== next.status || kind(previous.message) !== kind(next.message)) {
      this.api.record(this.actor, `posted node Ready=${next.status} (${next.message})`);
    }
  }

  // lease/controller.go: renew the node Lease.
  private renewLease(): void {
    this.api.leases.set(this.nodeName, { holderIdentity: this.nodeName, renewTime: this.api.now() });
  }
}
