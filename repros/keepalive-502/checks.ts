// Which claims a deletion run speaks to, and what it measured for each: one mapping for the local
// scenarios (scenarios.ts) and the cluster runs (cluster/experiment.ts).
import type { ClaimCheck } from '../lib/claims.ts';
import { claims } from './claims.ts';

export type DeletionKind = 'broken' | 'fixed' | 'direct' | 'single-replica' | 'single-replica-service';

/** The measurements the claims are judged on, as both kinds of run report them. */
export interface DeletionMeasurements {
  direct: boolean;
  oldConnectionServed: number;
  oldConnectionLastServedS: number | null;
  statusRunsAfterDeletion: unknown;
  burst502: unknown;
  non2xxAfterDeletion: unknown;
  drainingConnections: unknown;
  status502: unknown;
  upstreamsMarkedDown: unknown;
  upstreamErrors: unknown;
  /** Upstream errors between the deletion and the deleted pod's exit. */
  upstreamErrorsWhileTerminating: unknown;
  newConnectionsToDeletedPod: readonly unknown[];
}

export function deletionChecks(kind: DeletionKind, m: DeletionMeasurements): ClaimCheck[] {
  // With pod addresses as upstreams there is no balancer and no endpoint state: the gateway itself
  // reconnects to the deleted pod once its fail_timeout is over, so the claim is about the balancer setups.
  // With a single replica behind a Service, kube-proxy does send new connections to the terminating pod.
  const checks: ClaimCheck[] = m.direct || kind === 'single-replica-service'
    ? []
    : [{ claim: claims['no-new-connections-to-terminating'], observed: m.newConnectionsToDeletedPod.length }];
  if (kind === 'broken') {
    checks.push(
      { claim: claims['old-connection-keeps-serving'], observed: m.oldConnectionServed },
      { claim: claims['old-connection-window'], observed: m.oldConnectionLastServedS },
      { claim: claims['broken-503-then-502'], observed: m.statusRunsAfterDeletion },
      { claim: claims['broken-502-burst'], observed: m.burst502 },
    );
  } else if (kind === 'fixed') {
    checks.push(
      { claim: claims['fixed-no-errors'], observed: m.non2xxAfterDeletion },
      { claim: claims['fixed-closes-after-first'], observed: m.drainingConnections },
    );
  } else if (kind === 'direct') {
    checks.push(
      { claim: claims['direct-no-502'], observed: m.status502 },
      { claim: claims['direct-drops-one-pod'], observed: m.upstreamsMarkedDown },
    );
  } else if (kind === 'single-replica') {
    checks.push(
      { claim: claims['single-replica-refused'], observed: m.upstreamErrors },
      { claim: claims['single-replica-never-recovers'], observed: m.statusRunsAfterDeletion },
    );
  } else {
    checks.push(
      { claim: claims['service-single-replica-new-connections'], observed: m.newConnectionsToDeletedPod.length > 0 },
      { claim: claims['service-single-replica-not-refused'], observed: m.upstreamErrorsWhileTerminating },
    );
  }
  return checks;
}
