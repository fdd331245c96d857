// The events of this repro's processes, one union per child, read by the scenario that starts them
// through lib/child-events.ts (one JSON event per stdout line, the bound port first). Ports, timelines
// and every measurement travel this way; nothing is shared by files or sleeps.
import type { Policy } from './endpoints.ts';

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes on one host. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

export type PodEvent =
  | { ev: 'listening'; proc: 'pod'; name: string; port: number; fix: boolean; t: number }
  | { ev: 'conn-open'; proc: 'pod'; name: string; conn: string; t: number }
  | { ev: 'response'; proc: 'pod'; name: string; conn: string; path: string; status: number; close: boolean; draining: boolean; down: boolean; t: number }
  | { ev: 'conn-close'; proc: 'pod'; name: string; conn: string; by: 'pod' | 'peer'; responses: number; responsesWhileDraining: number; hook: boolean; t: number }
  | { ev: 'draining'; proc: 'pod'; name: string; t: number }
  | { ev: 'sigterm'; proc: 'pod'; name: string; t: number };

export type EndpointState = 'ready' | 'terminating' | 'removed';

export type BalancerEvent =
  | { ev: 'listening'; proc: 'l4-balancer'; port: number; adminPort: number; policy: Policy; t: number }
  | { ev: 'conn'; proc: 'l4-balancer'; id: number; endpoint: string; endpointState: EndpointState; t: number }
  | { ev: 'endpoint'; proc: 'l4-balancer'; name: string; state: EndpointState; t: number }
  | { ev: 'refusing'; proc: 'l4-balancer'; t: number }
  | { ev: 'accepting'; proc: 'l4-balancer'; t: number };

export type GatewayEvent =
  | { ev: 'listening'; proc: 'gateway'; port: number; upstreams: string[]; t: number }
  | { ev: 'upstream-down'; proc: 'gateway'; upstream: string; reason: string; untilT: number; t: number }
  | { ev: 'upstream-error'; proc: 'gateway'; upstream: string; code: string; reused: boolean; t: number }
  | { ev: 'no-live-upstreams'; proc: 'gateway'; clientConn: string; t: number };

export type PodDeletionEvent =
  | { ev: 'listening'; proc: 'pod-deletion'; port: number; t: number }
  | { ev: 'terminate'; proc: 'pod-deletion'; pod: string; t: number }
  | { ev: 'prestop-done'; proc: 'pod-deletion'; pod: string; status: number; t: number }
  | { ev: 'signal'; proc: 'pod-deletion'; pod: string; signal: 'SIGTERM' | 'SIGKILL'; t: number };

/** One request of the client's timeline, as the client saw it. */
export interface ClientResponse {
  ev: 'response';
  proc: 'client';
  seq: number;
  /** When the request was sent and when the response (or error) arrived. */
  sentT: number;
  t: number;
  /** HTTP status, or 0 when the request failed without one (see error). */
  status: number;
  /** The pod that answered (x-pod), or null when the gateway answered itself. */
  pod: string | null;
  /** The pod's id for the TCP connection the request arrived on (x-pod-conn), e.g. "pod-0/c1". */
  podConn: string | null;
  /** Which gateway upstream served it (x-upstream), or null. */
  upstream: string | null;
  /** The gateway's id for the client's connection (x-gateway-conn). */
  gatewayConn: string | null;
  error?: string;
}

export type ClientEvent = { ev: 'listening'; proc: 'client'; target: string; t: number } | ClientResponse;

export type AnyEvent = PodEvent | BalancerEvent | GatewayEvent | PodDeletionEvent | ClientEvent;

/** The real tier's run inside its network namespace (real/inside.ts): narration, then its observations. */
export type InsideEvent = { ev: 'log'; line: string } | { ev: 'result'; result: Record<string, unknown> };
