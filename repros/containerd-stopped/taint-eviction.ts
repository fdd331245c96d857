// A port of the taint eviction controller (the "taint manager"): it deletes pods from nodes with
// NoExecute taints once their tolerations run out. Upstream: kubernetes/kubernetes
// pkg/controller/tainteviction/taint_eviction.go and timed_workers.go,
// pkg/apis/core/v1/helper/helpers.go (GetMatchingTolerations), k8s.io/api core/v1 toleration.go.
import type { ApiServer, Node, Pod, Taint, Toleration } from './cluster.ts';

interface TimedWork {
  createdAt: number;
  fireAt: number;
}

// k8s.io/api core/v1 toleration.go: (*Toleration).ToleratesTaint (read at k/k commit 19c6083b,
// staging/src/k8s.io/api/core/v1/toleration.go; the same rules since the function was written):
// an empty effect matches every effect, an empty key matches every key, Exists matches every value,
// Equal (or no operator) compares the values. The numeric Lt/Gt operators that commit also has are
// not modelled: no pod here uses them.
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? 'Equal') {
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

// helpers.go: GetMatchingTolerations. All taints must be tolerated; returns the tolerations used.
export function getMatchingTolerations(taints: readonly Taint[], tolerations: readonly Toleration[]): [boolean, Toleration[]] {
  if (taints.length === 0) return [true, []];
  if (tolerations.length === 0) return [false, []];
  const used: Toleration[] = [];
  for (const taint of taints) {
    const t = tolerations.find((x) => toleratesTaint(x, taint));
    if (!t) return [false, []];
    used.push(t);
  }
  return [true, used];
}

// taint_eviction.go: getMinTolerationTime. -1 means "forever".
export function getMinTolerationTime(tolerations: readonly Toleration[]): number {
  if (tolerations.length === 0) return 0;
  let min = Number.MAX_SAFE_INTEGER;
  for (const t of tolerations) {
    if (t.tolerationSeconds !== undefined) {
      if (t.tolerationSeconds <= 0) return 0;
      if (t.tolerationSeconds < min) min = t.tolerationSeconds;
    }
  }
  return min === Number.MAX_SAFE_INTEGER ? -1 : min * 1000;
}

function getNoExecuteTaints(taints: readonly Taint[]): Taint[] {
  return taints.filter((t) => t.effect === 'NoExecute');
}

export class TaintEvictionController {
  /** timed_workers.go: TimedWorkerQueue, keyed by namespace/name. */
  private readonly queue = new Map<string, TimedWork>();
  private readonly api: ApiServer;
  private readonly actor = 'taint-eviction-controller';

  constructor(api: ApiServer) {
    this.api = api;
    // NodeUpdated: only a change in NoExecute taints is interesting.
    api.onNodeUpdate((oldNode, node) => {
      const before = JSON.stringify(getNoExecuteTaints(oldNode?.spec.taints ?? []).map((t) => t.key));
      const after = JSON.stringify(getNoExecuteTaints(node.spec.taints).map((t) => t.key));
      if (oldNode && before === after) return;
      this.handleNodeUpdate(node);
    });
  }

  // taint_eviction.go: handleNodeUpdate
  private handleNodeUpdate(node: Node): void {
    const taints = getNoExecuteTaints(node.spec.taints);
    const pods = this.api.podsOnNode(node.name);
    const now = this.api.now();
    for (const pod of pods) this.processPodOnNode(pod, node.name, pod.spec.tolerations, taints, now);
  }

  private cancelWork(key: string): void {
    if (this.queue.delete(key)) this.api.record(this.actor, `cancelled scheduled deletion of pod ${key}`);
  }

  // taint_eviction.go: processPodOnNode
  processPodOnNode(pod: Pod, nodeName: string, tolerations: readonly Toleration[], taints: readonly Taint[], now: number): void {
    const key = `${pod.namespace}/${pod.name}`;
    if (taints.length === 0) this.cancelWork(key);
    const [allTolerated, usedTolerations] = getMatchingTolerations(taints, tolerations);
    if (!allTolerated) {
      this.cancelWork(key);
      this.addWork(key, nodeName, now, now);
      return;
    }
    const minTolerationTime = getMinTolerationTime(usedTolerations);
    if (minTolerationTime < 0) {
      this.cancelWork(key);
      return;
    }
    let startTime = now;
    const triggerTime = startTime + minTolerationTime;
    const scheduled = this.queue.get(key);
    if (scheduled) {
      // An eviction already scheduled earlier than this one would be keeps its time.
      startTime = scheduled.createdAt;
      if (startTime + minTolerationTime < triggerTime) return;
      this.cancelWork(key);
    }
    this.addWork(key, nodeName, startTime, triggerTime);
  }

  private addWork(key: string, nodeName: string, createdAt: number, fireAt: number): void {
    if (this.queue.has(key)) return;
    this.queue.set(key, { createdAt, fireAt });
    this.api.record(this.actor, `pod ${key} on ${nodeName} tolerates the NoExecute taint for ${(fireAt - createdAt) / 1000} s: deletion scheduled`);
  }

  /** Runs due work: deletePodHandler -> addConditionAndDeletePod. */
  tick(): void {
    if (this.queue.size === 0) return;
    const now = this.api.now();
    for (const [key, work] of [...this.queue]) {
      if (work.fireAt > now) continue;
      this.queue.delete(key);
      const pod = this.api.pods.find((p) => `${p.namespace}/${p.name}` === key);
      if (!pod || pod.deletionTimestamp !== undefined) continue;
      pod.status.conditions.push({ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', lastTransitionTime: now });
      pod.deletionTimestamp = now;
      this.api.record(this.actor, `deleted pod ${key} ("Taint manager: deleting due to NoExecute taint")`);
    }
  }
}
