// The one place a containerd-stopped claim id meets a measurement: the stand-in scenarios
// (scenarios.ts), the real tier (real/scenarios.ts) and the kind cluster (cluster/experiment.ts)
// build the typed observations below, and these functions turn them into claim checks.
import type { ClaimCheck } from '../lib/claims.ts';
import { claims } from './claims.ts';
import { RUN } from './constants.ts';
import type { HungAppProbes } from './client.ts';
import type { LogAudit } from './log-line.ts';
import type { SimulationResult, TimelinePoint } from './node-simulation.ts';
import type { TolerationVariant } from './cluster/variants.ts';

type ClaimId = keyof typeof claims;

function check(id: ClaimId, observed: unknown): ClaimCheck {
  return { claim: claims[id], observed };
}

/** The claims about a hung app that a TCP connect, a new GET and the two probes speak to. */
export function hungAppChecks(p: HungAppProbes): ClaimCheck[] {
  return [
    check('tcp-connect-while-hung', p.tcpConnectWhileHung.connected),
    check('http-no-response-while-hung', p.httpWhileHung),
    check('tcp-probe-passes', p.tcpSocketProbe.result),
    check('http-probe-fails', p.httpGetProbe.result),
  ];
}

/** What a run measured up to the hang: the pipes, what the app wrote after the stop, where it sleeps. */
export type HangObservations = {
  lineBytes: number;
  appPid: number;
  /** F_GETPIPE_SZ of the app's stdout pipe; null where it cannot be read (no F_GETPIPE_SZ, a kind node). */
  appPipeBytes: number | null;
  /** F_GETPIPE_SZ of the FIFO the shim writes; absent where it cannot be read. */
  fifoBytes?: number | null;
  /** Requests answered after the stop, before the first that got no answer. */
  requestsAfterStop: number;
  bytesAfterStop: number;
  /** The hung app's /proc/PID/wchan; null where /proc has none. */
  wchan: string | null;
};

/** What a run measured once the copier (containerd) was back. */
export type RecoveryObservations = {
  waitingRequests: number;
  waitingAnswered: number;
  /** From the copier's (containerd's) start to the waiting requests' answers, ms. */
  recoveryMs: number;
  answerAfterRecoveryMs?: number | null;
  /** The log file (CRI log) after the recovery; null where it could not be read. */
  logAudit: LogAudit | null;
};

/** A run to the hang, probed while hung, and back: the pipe-hang scenario on every tier. */
/** The probes of a hung app, as observations (a type, not client.ts's interface, so it fits a scenario's result). */
export type HungAppObservations = Pick<HungAppProbes, keyof HungAppProbes>;

export type PipeHangObservations = HangObservations & HungAppObservations & RecoveryObservations;

export function pipeHangChecks(o: PipeHangObservations): ClaimCheck[] {
  const checks: ClaimCheck[] = [];
  if (o.appPipeBytes !== null) checks.push(check('default-pipe-capacity', o.appPipeBytes));
  // The counts are claimed for RUN.lineBytes; another line size (--line-bytes) is measured and
  // compared with the stand-in's prediction for that size only.
  if (o.lineBytes === RUN.lineBytes) checks.push(check('hang-bytes', o.bytesAfterStop), check('hang-requests', o.requestsAfterStop));
  if (o.wchan !== null) checks.push(check('wchan', o.wchan));
  checks.push(...hungAppChecks(o));
  checks.push(check('waiting-requests-complete', o.waitingRequests - o.waitingAnswered));
  if (o.logAudit) {
    const { missing, duplicated, outOfOrder } = o.logAudit;
    checks.push(check('log-exactly-once', { missing, duplicated, outOfOrder }));
  }
  return checks;
}

/** The bigger-pipe scenario: requests before the hang with 1 MiB pipes over those with default pipes. */
export function biggerPipeChecks(o: { ratio: number }): ClaimCheck[] {
  return [check('bigger-pipe-lasts-longer', o.ratio)];
}

/** What a logger that must not block did while the copier was stopped, and what the log kept. */
export type LoggerRunObservations = {
  requests: number;
  answered: number;
  noResponse: number;
};

export type FixedLoggerObservations = LoggerRunObservations & {
  reportedDropped: number;
  logAudit: LogAudit;
};

export function fixedLoggerChecks(o: FixedLoggerObservations): ClaimCheck[] {
  return [check('fixed-logger-never-hangs', o.noResponse), check('fixed-logger-counts-drops', o.logAudit.missing - o.reportedDropped)];
}

export type ConsoleLogObservations = LoggerRunObservations & {
  /** Log bytes waiting in process.stdout's queue after the requests. */
  queuedBytes: number;
};

export function consoleLogChecks(o: ConsoleLogObservations): ClaimCheck[] {
  return [check('console-log-no-hang', o.noResponse), check('console-log-memory-grows', o.queuedBytes)];
}

/** The node-controller model's run of one node scenario on one Kubernetes version. */
export function nodeModelChecks(r: SimulationResult): ClaimCheck[] {
  if (r.scenario === 'kubelet-stopped') {
    const fromHeartbeat = ((r.endpointNotReadyAtMs ?? Infinity) - (r.lastHeartbeatMs ?? 0)) / 1000;
    return [check(r.version === '1.31' ? 'kubelet-stop-endpoint-1-31' : 'kubelet-stop-endpoint-1-32', fromHeartbeat)];
  }
  return [
    check('containerd-stop-never-marks-pods', r.markPodsNotReadyCalls),
    check('containerd-stop-endpoint-until-eviction', (r.endpointNotReadyAtMs ?? Infinity) / 1000),
  ];
}

/** The ported ToleratesTaint with an empty key (Exists) and with an empty effect, over the taints checked. */
export function tolerationChecks(o: { emptyKeyExists: boolean; emptyEffect: boolean }): ClaimCheck[] {
  return [check('empty-key-toleration-matches-all', o)];
}

/** When the control plane did what after the stop, seconds (null: not seen): a model run, or a cluster's node. */
export type NodeTimeline = {
  lastHeartbeatS: number | null;
  nodeNotReadyS: number | null;
  nodeUnknownS: number | null;
  podMarkedNotReadyS: number | null;
  endpointNotReadyS: number | null;
  podDeletedS: number | null;
  /** A controller call, not visible from outside: null on a cluster, where podMarkedNotReadyS stands for it. */
  markPodsNotReadyCalls: number | null;
};

/** The DaemonSet pod over a long outage: was it deleted, did its endpoint stay ready throughout. */
export type DaemonSetObservations = {
  deleted: boolean;
  readyEndpointThroughout: boolean;
  /** When the Deployment pod next to it was deleted, seconds after the stop (null: never). */
  deploymentPodDeletedS: number | null;
};

export function daemonSetChecks(o: DaemonSetObservations): ClaimCheck[] {
  return [check('daemonset-pod-never-evicted', { deleted: o.deleted, readyEndpointThroughout: o.readyEndpointThroughout })];
}

/** The model's state some time after `kubectl delete pod` while the runtime is down. */
export function deletedPodChecks(after: TimelinePoint): ClaimCheck[] {
  return [
    check('deleted-pod-stays-serving', after.conditions),
    check('deleted-pod-terminating-fallback', { alone: after.newConnections !== 'no', withReadyReplica: after.newConnections === 'yes' }),
  ];
}

/** What a kind cluster run measured: the pipe hang on a real node, and when the endpoint went. */
export type ClusterStopObservations = PipeHangObservations & {
  /** The pod's tolerations: the claim's 300 s eviction is the default tolerations'. */
  tolerations: TolerationVariant;
  /** Seconds after the stop the pod's endpoint stopped being ready; null: not within the hold. */
  endpointNotReadyS: number | null;
};

export function clusterStopChecks(o: ClusterStopObservations): ClaimCheck[] {
  const checks = pipeHangChecks(o);
  if (o.tolerations === 'default' && o.endpointNotReadyS !== null) checks.push(check('containerd-stop-endpoint-until-eviction', o.endpointNotReadyS));
  return checks;
}

