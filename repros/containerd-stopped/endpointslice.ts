// The EndpointSlice controller's view of a pod: kubernetes/kubernetes
// staging/src/k8s.io/endpointslice/utils.go, podToEndpoint (read at k/k commit 115584ee). The node's
// condition is not consulted: a pod on a NotReady node stays a ready endpoint for as long as its own
// Ready condition is True. serving is the pod's Ready condition alone, so a pod deleted while the
// kubelet cannot update its status (runtime down) is ready=false but serving=true, terminating=true.
import { isPodReady, type Pod } from './cluster.ts';

export interface EndpointConditions {
  ready: boolean;
  serving: boolean;
  terminating: boolean;
}

// utils.go: podToEndpoint (the Conditions part).
export function endpointConditions(pod: Pod, publishNotReadyAddresses = false): EndpointConditions {
  const serving = isPodReady(pod);
  const terminating = pod.deletionTimestamp !== undefined;
  // "ready" is never true for a terminating pod unless publishNotReadyAddresses is set.
  const ready = publishNotReadyAddresses || (serving && !terminating);
  return { ready, serving, terminating };
}
