// Which endpoints kube-proxy sends NEW connections of a Service to: a port of the Cluster traffic
// policy part of k/k pkg/proxy/topology.go, CategorizeEndpoints (read at k/k commit 008b3652; the
// fallback is KEP-1669, ProxyTerminatingEndpoints, GA in 1.28). Topology hints are left out (no
// hints here, so topologyMode is "" and every ready endpoint is available).
//
// "Usable endpoints" are the ready ones; only when there is no ready endpoint at all does kube-proxy
// fall back to endpoints that are serving and terminating. So a pod deleted on a node whose runtime is
// down (Ready condition still True: serving) keeps receiving new connections whenever it is the only
// one left, or every other replica is not ready yet.
import type { EndpointConditions } from './endpointslice.ts';

export interface ProxyEndpoint extends EndpointConditions {
  name: string;
}

// topology.go: CategorizeEndpoints, the svcInfo.UsesClusterEndpoints() branch.
export function clusterEndpoints(endpoints: readonly ProxyEndpoint[]): ProxyEndpoint[] {
  const ready = endpoints.filter((ep) => ep.ready);
  if (ready.length > 0) return ready;
  // "If we didn't get any endpoints, try again using terminating endpoints."
  return endpoints.filter((ep) => ep.serving && ep.terminating);
}
