// A deletion run's observations, built once from what it recorded: the local scenarios
// (scenarios.ts, runDeletion) and the cluster runs (cluster/experiment.ts, observe) report the same
// shape with the same functions (timeline.ts), so a test can compare them key by key.
import type { PodDeletionEvent, EndpointState, GatewayEvent, PodEvent } from './events.ts';
import {
  drainingConnections, marks, newConnectionsToDeleted, responseObservations, upstreamErrors, upstreamsMarkedDown, type TimelineEntry,
} from './timeline.ts';
import { REAL, scaledTimings } from './constants.ts';

/** What a deletion run recorded: every time in ms on one clock, `scale` the run's time scale. */
export interface DeletionRecord {
  scenario: string;
  topology: string;
  victim: string;
  deletedAt: number;
  exitedAt: number;
  scale: number;
  /** The client's answers, already on the deletion's time axis (timeline.ts, toEntry). */
  timeline: TimelineEntry[];
  /** The kubelet's steps (preStop done, SIGTERM, SIGKILL), as the local pod-deletion process reports them. */
  kubelet: readonly PodDeletionEvent[];
  podEvents: readonly PodEvent[];
  gatewayEvents: readonly GatewayEvent[];
  /** The balancer's new connections after the deletion; null where the balancer is kube-proxy's NAT (no events). */
  balancerConnectionsAfterDeletion: { endpoint: string; endpointState: EndpointState }[] | null;
  /** The EndpointSlice as `kubectl get -w` printed it after the deletion (cluster runs only). */
  endpointSliceAfterDeletion?: { s: number; endpoints: string }[];
}

export type DeletionObservations = ReturnType<typeof deletionObservations>;

export function deletionObservations(r: DeletionRecord) {
  const { victim, deletedAt, exitedAt, scale, podEvents, gatewayEvents } = r;
  return {
    scenario: r.scenario,
    topology: r.topology,
    deletedPod: victim,
    timings: { real: { preStopS: REAL.preStopS, graceS: REAL.graceS, clientIntervalS: REAL.clientIntervalS, failTimeoutS: REAL.failTimeoutS }, scaledMs: scaledTimings(scale) },
    marks: marks(r.kubelet, gatewayEvents, deletedAt, scale),
    exitedAtS: Math.round(((exitedAt - deletedAt) / 1000 / scale) * 1000) / 1000,
    ...responseObservations(r.timeline, victim),
    newConnectionsToDeletedPod: newConnectionsToDeleted(podEvents, deletedAt),
    balancerConnectionsAfterDeletion: r.balancerConnectionsAfterDeletion,
    ...(r.endpointSliceAfterDeletion ? { endpointSliceAfterDeletion: r.endpointSliceAfterDeletion } : {}),
    drainingConnections: drainingConnections(podEvents),
    upstreamErrors: upstreamErrors(gatewayEvents, deletedAt),
    upstreamErrorsWhileTerminating: upstreamErrors(gatewayEvents.filter((e) => e.t < exitedAt), deletedAt),
    upstreamsMarkedDown: upstreamsMarkedDown(gatewayEvents, deletedAt),
    timeline: r.timeline,
  };
}
