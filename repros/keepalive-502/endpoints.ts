// The endpoint table behind a balancer, and which endpoints a NEW connection may go to, as pure logic.
// Established connections are never re-balanced: the stand-in splices them end to end, kube-proxy's
// NAT applies only to a connection's first packet (later packets follow the conntrack entry), and a
// cloud L4 load balancer keeps a flow on its target.
//
// Conditions follow the EndpointSlice API: a deleted pod's endpoint becomes ready=false,
// terminating=true at once; serving stays true while the pod still passes readiness.
//
// Two policies for new connections, because the incident's balancer and a Service differ exactly when
// no endpoint is ready (a single replica being deleted):
//  - 'kube-proxy': a Service (Cluster traffic policy, no topology hints), as k/k
//    pkg/proxy/topology.go CategorizeEndpoints chooses: the ready endpoints, or, when none is ready,
//    the serving and terminating ones. A single replica keeps getting new connections while it
//    terminates.
//  - 'deregister': a cloud load balancer that takes the pod out of its targets when it starts
//    terminating (the incident's cloud LB, as its write-up reports: "connection refused" once the
//    only pod was deleted). Ready endpoints only; none ready means new connections are refused.
import { UsageError } from '../lib/repro.ts';
import type { EndpointState } from './events.ts';
import { HOST } from '../lib/address.ts';

export interface Endpoint {
  name: string;
  host: string;
  port: number;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
}

export function endpointState(ep: Endpoint): EndpointState {
  return ep.terminating ? 'terminating' : 'ready';
}

/** The pod was deleted: the EndpointSlice controller marks its endpoint terminating and not ready. */
export function markTerminating(eps: readonly Endpoint[], name: string): Endpoint[] {
  return eps.map((ep) => (ep.name === name ? { ...ep, ready: false, terminating: true } : ep));
}

/** The pod is gone: its endpoint leaves the slice. */
export function removeEndpoint(eps: readonly Endpoint[], name: string): Endpoint[] {
  return eps.filter((ep) => ep.name !== name);
}

export const POLICIES = ['kube-proxy', 'deregister'] as const;
export type Policy = (typeof POLICIES)[number];

/**
 * Port of k/k pkg/proxy/topology.go `CategorizeEndpoints` (commit 008b3652959c), the
 * clusterEndpoints half for a Service with Cluster traffic policy and no topology hints
 * (topologyMode ""): ready endpoints; if there are none, endpoints that are serving AND terminating.
 */
export function categorizeClusterEndpoints(eps: readonly Endpoint[]): Endpoint[] {
  const ready = eps.filter((ep) => ep.ready);
  if (ready.length > 0) return ready;
  return eps.filter((ep) => ep.serving && ep.terminating);
}

/** The endpoints a new connection may go to under the given policy. */
export function eligibleForNewConnections(eps: readonly Endpoint[], policy: Policy = 'deregister'): Endpoint[] {
  return policy === 'kube-proxy' ? categorizeClusterEndpoints(eps) : eps.filter((ep) => ep.ready);
}

/** Round robin over the eligible endpoints; `counter` is the number of connections placed so far. */
export function pickEndpoint(eps: readonly Endpoint[], counter: number, policy: Policy = 'deregister'): Endpoint | undefined {
  const eligible = eligibleForNewConnections(eps, policy);
  return eligible.length === 0 ? undefined : eligible[counter % eligible.length];
}

/** Parses `name=host:port` items (or bare `host:port`, named ep-0, ep-1, ...). */
export function parseEndpoints(items: readonly string[]): Endpoint[] {
  return items.map((item, i) => {
    const eq = item.indexOf('=');
    const name = eq === -1 ? `ep-${i}` : item.slice(0, eq);
    const addr = eq === -1 ? item : item.slice(eq + 1);
    const m = /^([0-9.]+|localhost):(\d{1,5})$/.exec(addr);
    const port = m ? Number(m[2]) : NaN;
    if (!m || name === '' || port < 1 || port > 65535) {
      throw new UsageError(`endpoint "${item}" must be host:port or name=host:port, e.g. pod-0=${HOST}:8080`);
    }
    return { name, host: m[1] as string, port, ready: true, serving: true, terminating: false };
  });
}
