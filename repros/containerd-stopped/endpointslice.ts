// The EndpointSlice controller's view of a pod: kubernetes/kubernetes
// staging/src/k8s.io/endpointslice/utils.go, podToEndpoint. The node's condition is not consulted:
// a pod on a NotReady node stays a ready endpoint for as long as its own Ready condition is True.
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
