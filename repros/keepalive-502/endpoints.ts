// The balancer's endpoint table and its choice for a new connection, as pure logic.
//
// Conditions follow the EndpointSlice API: a deleted pod's endpoint becomes ready=false,
// terminating=true at once (serving stays true while the pod still passes readiness). The balancer
// sends NEW connections only to ready endpoints, round robin; it keeps no per-connection state here,
// because established connections are spliced end to end and never re-balanced (as with kube-proxy's
// conntrack, which only NATs a connection's first packet, and a cloud L4 load balancer).
//
// kube-proxy differs in one corner (k/k pkg/proxy/topology.go, CategorizeEndpoints): when NO endpoint
// is ready it falls back to serving terminating ones. The incident's cloud load balancer had
// deregistered the pod, so this model has no fallback: with zero ready endpoints, new connections are
// refused.
import { UsageError } from '../lib/repro.ts';
import type { EndpointState } from './events.ts';

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

/** The endpoints a new connection may go to. */
export function eligibleForNewConnections(eps: readonly Endpoint[]): Endpoint[] {
  return eps.filter((ep) => ep.ready);
}

/** Round robin over the eligible endpoints; `counter` is the number of connections placed so far. */
export function pickEndpoint(eps: readonly Endpoint[], counter: number): Endpoint | undefined {
  const eligible = eligibleForNewConnections(eps);
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
      throw new UsageError(`endpoint "${item}" must be host:port or name=host:port, e.g. pod-0=127.0.0.1:8080`);
    }
    return { name, host: m[1] as string, port, ready: true, serving: true, terminating: false };
  });
}
