// The one place a keepalive-502 claim id meets a measurement: the local deletion scenarios
// (scenarios.ts), the cluster runs (cluster/experiment.ts) and the real tier (real/scenarios.ts) turn
// their typed observations into claim checks here.
import type { ClaimCheck } from '../lib/claims.ts';
import { claims } from './claims.ts';
import type { DeletionObservations } from './observations.ts';

type ClaimId = keyof typeof claims;

function check(id: ClaimId, observed: unknown): ClaimCheck {
  return { claim: claims[id], observed };
}

export type DeletionKind = 'broken' | 'fixed' | 'direct' | 'single-replica' | 'single-replica-service';

/** A deletion run's observations, with the claims to judge them by and whether the gateway had pod addresses. */
export type JudgedDeletion = DeletionObservations & { judgedAs: DeletionKind; direct: boolean };

/** The claims each kind of deletion run speaks to, beyond the one about new connections. */
const DELETION_CLAIMS: Record<DeletionKind, (o: JudgedDeletion) => ClaimCheck[]> = {
  broken: (o) => [
    check('old-connection-keeps-serving', o.oldConnection.requestsAfterDeletion),
    check('old-connection-window', o.oldConnection.lastServedS),
    check('broken-503-then-502', o.statusRunsAfterDeletion),
    check('broken-502-burst', o.burst502),
  ],
  fixed: (o) => [check('fixed-no-errors', o.non2xxAfterDeletion), check('fixed-closes-after-first', o.drainingConnections)],
  direct: (o) => [check('direct-no-502', o.status502), check('direct-drops-one-pod', o.upstreamsMarkedDown)],
  'single-replica': (o) => [check('single-replica-refused', o.upstreamErrors), check('single-replica-never-recovers', o.statusRunsAfterDeletion)],
  'single-replica-service': (o) => [
    check('service-single-replica-new-connections', o.newConnectionsToDeletedPod.length > 0),
    check('service-single-replica-not-refused', o.upstreamErrorsWhileTerminating),
  ],
};

export function deletionChecks(o: JudgedDeletion): ClaimCheck[] {
  // With pod addresses as upstreams there is no balancer and no endpoint state: the gateway itself
  // reconnects to the deleted pod once its fail_timeout is over, so the claim is about the balancer setups.
  // With a single replica behind a Service, kube-proxy does send new connections to the terminating pod.
  const noNewConnections = o.direct || o.judgedAs === 'single-replica-service' ? [] : [check('no-new-connections-to-terminating', o.newConnectionsToDeletedPod.length)];
  return [...noNewConnections, ...DELETION_CLAIMS[o.judgedAs](o)];
}

/** The real tier's broken run (real/inside.ts): kube-proxy-shaped NAT, stock nginx with one server. */
export interface RealBrokenObservations {
  statusRunsAfterDeletion: number[];
  oldConnection: { conn: string | null; requestsAfterDeletion: number; lastServedS: number | null };
  newConnectionsToDeletedPod: string[];
  conntrack: { nextRequest: string; newEntryTo: string };
}

export function realBrokenChecks(o: RealBrokenObservations): ClaimCheck[] {
  return [
    check('old-connection-keeps-serving', o.oldConnection.requestsAfterDeletion),
    check('old-connection-window', o.oldConnection.lastServedS),
    check('no-new-connections-to-terminating', o.newConnectionsToDeletedPod.length),
    check('conntrack-delete-resets', { nextRequest: o.conntrack.nextRequest, newEntryTo: o.conntrack.newEntryTo }),
    check('nginx-stock-passes-503', o.statusRunsAfterDeletion),
  ];
}

/** The real tier's single replica behind a Service, through nginx in three configurations. */
export interface RealServiceObservations {
  newConnectionsToDeletedPod: string[];
  freshConnectionErrors: string[];
  /** Status runs per nginx configuration. */
  nginx: Record<string, number[]>;
  /** nginx's error log messages per server block. */
  errorLogs: Record<string, string[]>;
}

export function realServiceChecks(o: RealServiceObservations): ClaimCheck[] {
  return [
    check('service-single-replica-new-connections', o.newConnectionsToDeletedPod.length > 0),
    check('service-single-replica-not-refused', o.freshConnectionErrors),
    check('nginx-one-server-never-502', { 'error timeout': o.nginx['error timeout'], 'error timeout http_503': o.nginx['error timeout http_503'] }),
    check('nginx-two-servers-burst', o.nginx['two servers, first fail_timeout']),
    check('nginx-burst-error-log', {
      'one server': [...new Set([...(o.errorLogs.one_default ?? []), ...(o.errorLogs.one_http503 ?? [])])].sort(),
      'two servers': o.errorLogs.two_http503,
    }),
  ];
}
