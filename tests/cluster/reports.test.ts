// The cluster runs' reports have the local repro's shape, and their analysis gives the local answers
// for the same input: the crashloop analysis is fed a kubelet that behaves exactly as the model
// (with the API's whole-second timestamps, and with an old kubelet's late retries), the containerd
// analysis is fed what curl and bash report for a hung app, and the keepalive analysis is fed the
// client timelines of the local recordings.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { evaluate } from '../../repros/lib/claims.ts';
import { INCIDENT } from '../../repros/crashloop-backoff/constants.ts';
import { observe as observeRestarts, type Row } from '../../repros/crashloop-backoff/cluster/experiment.ts';
import { schedule, type K8sVersion, type Schedule } from '../../repros/crashloop-backoff/kubelet-backoff.ts';
import { observe as observeStop } from '../../repros/containerd-stopped/cluster/experiment.ts';
import { PREDICTIONS, RUN } from '../../repros/containerd-stopped/constants.ts';
import type { AppStatus } from '../../repros/containerd-stopped/app-api.ts';
import { observe as observeDeletion } from '../../repros/keepalive-502/cluster/experiment.ts';
import type { ClusterScenario } from '../../repros/keepalive-502/cluster/variants.ts';
import type { ClientResponse } from '../../repros/keepalive-502/events.ts';
import type { TimelineEntry } from '../../repros/keepalive-502/timeline.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** The keys of the local chaos scenario's observations in real mode (repros/crashloop-backoff/repro.ts, chaos). */
const LOCAL_CHAOS_KEYS = ['mode', 'kubelet', 'restarts', 'maxDeviationMs', 'firstAtCap', 'killedByChaos', 'backOffEvents', 'livenessFailures', 'model'];
/** The keys of each of its restart rows: kubelet.ts MeasuredRestart plus the model's wait and the difference. */
const LOCAL_ROW_KEYS = [
  'restart', 'exitedAt', 'restartedAt', 'backoffSeconds', 'ranSeconds', 'exitSignal', 'exitCode', 'refusals', 'nominalBackoff',
  'spawnLatencyMs', 'readyAfterMs', 'exitedAtMs', 'restartedAtMs', 'modelBackoffSeconds', 'deviationMs',
];

/** The rows a cluster run would read if the kubelet did exactly what the schedule says, at whole seconds. */
function rowsFrom(s: Schedule, round: (x: number) => number): Row[] {
  return s.restarts.map((r) => ({
    restart: r.restart,
    exitedAt: round(r.exitedAt),
    restartedAt: round(r.restartedAt),
    backoffSeconds: round(r.restartedAt) - round(r.exitedAt),
    ranSeconds: r.ranSeconds,
    exitSignal: 'SIGKILL',
    exitCode: 137,
    refusals: r.refusals,
    exitedAtMs: round(r.exitedAt) * 1000,
    restartedAtMs: round(r.restartedAt) * 1000,
    spawnLatencyMs: null,
    readyAfterMs: null,
  }));
}

test('crashloop-backoff: the cluster report has the local shape and finds the cap at the same restart', () => {
  const cases: { what: string; version: K8sVersion; s: Schedule; round: (x: number) => number }[] = [
    { what: 'a kubelet that restarts on time', version: INCIDENT.version, s: schedule({ version: INCIDENT.version, runs: [INCIDENT.killEvery], restarts: INCIDENT.restarts }), round: (x) => x },
    // Whole-second timestamps: the run time starts late by a fraction, and a 300 s wait can read 299 s.
    { what: 'whole-second timestamps', version: INCIDENT.version, s: schedule({ version: INCIDENT.version, runs: [INCIDENT.killEvery + 0.6], restarts: INCIDENT.restarts }), round: Math.floor },
    { what: 'an old kubelet\'s late retries', version: '1.34', s: schedule({ version: '1.34', runs: [INCIDENT.killEvery], restarts: INCIDENT.restarts, retryGranularity: true, seed: 7 }), round: Math.round },
  ];
  for (const c of cases) {
    const r = observeRestarts({ version: c.version, killEvery: INCIDENT.killEvery, rows: rowsFrom(c.s, c.round), killedByChaos: INCIDENT.restarts, backOffEvents: 0, livenessFailures: 0 });
    assert.deepEqual(Object.keys(r.observations).sort(), [...LOCAL_CHAOS_KEYS].sort(), c.what);
    const rows = r.observations.restarts as Record<string, unknown>[];
    for (const row of rows) assert.deepEqual(Object.keys(row).sort(), [...LOCAL_ROW_KEYS].sort(), c.what);
    assert.equal(r.observations.firstAtCap, c.s.firstAtCap, c.what);
    assert.deepEqual(r.checks.map((k) => k.claim.id), ['seventh-restart-hits-cap'], c.what);
    for (const k of r.checks) assert.ok(evaluate(k).pass, `${c.what}: ${evaluate(k).detail}`);
  }
  const onTime = observeRestarts({ version: INCIDENT.version, killEvery: INCIDENT.killEvery, rows: rowsFrom(cases[0]?.s as Schedule, (x) => x), killedByChaos: 0, backOffEvents: 0, livenessFailures: 0 });
  assert.equal(onTime.observations.maxDeviationMs, 0, 'a kubelet that does what the model says deviates by nothing');
});

interface Recording {
  observations: Record<string, unknown> & { timeline: TimelineEntry[]; deletedPod: string };
  results: { id: string }[];
}

test('keepalive-502: the cluster report has the local shape and gives the local answers for the local timelines', () => {
  const deletedAt = 1_800_000_000_000;
  for (const kind of ['broken', 'fixed', 'single-replica'] as ClusterScenario[]) {
    // On a cluster the balancer is a Service, so a single replica is compared with the local Service run.
    const local502 = kind === 'single-replica' ? 'single-replica-service' : kind;
    const rec = JSON.parse(readFileSync(join(ROOT, 'repros', 'keepalive-502', 'recordings', `${local502}.json`), 'utf8')) as Recording;
    const local = rec.observations;
    // The client's answers, as its pod would have logged them.
    const responses: ClientResponse[] = local.timeline.map((e, i) => ({
      ev: 'response', proc: 'client', seq: i + 1, sentT: deletedAt + e.s * 1000, t: deletedAt + e.s * 1000, status: e.status,
      pod: e.pod, podConn: e.conn, upstream: null, gatewayConn: e.gatewayConn, ...(e.error === null ? {} : { error: e.error }),
    }));
    const r = observeDeletion({
      kind, victim: local.deletedPod, deletedAt, exitedAt: deletedAt + (local.exitedAtS as number) * 1000,
      responses, podEvents: [], gatewayEvents: [], endpointSlice: [], log: () => undefined,
    });
    const cluster = r.observations;
    for (const key of Object.keys(local)) assert.ok(key in cluster, `${kind}: the cluster report has ${key}`);
    for (const key of ['timeline', 'statusRunsAfterDeletion', 'requestsAfterDeletion', 'non2xxAfterDeletion', 'status502', 'status503', 'oldConnection', 'burst502']) {
      assert.deepEqual(cluster[key], local[key], `${kind}: ${key}`);
    }
    assert.deepEqual(r.checks.map((c) => c.claim.id).sort(), rec.results.map((x) => x.id).sort(), `${kind}: the same claims are judged`);
  }
});

/** The keys of the local pipe-hang scenario's observations (repros/containerd-stopped/scenarios.ts, pipeHang). */
const LOCAL_PIPE_HANG_KEYS = [
  'lineBytes', 'appPid', 'appPipeBytes', 'fifoBytes', 'requestsAfterStop', 'bytesAfterStop', 'wchan', 'tcpConnectWhileHung', 'httpWhileHung',
  'tcpSocketProbe', 'httpGetProbe', 'waitingRequests', 'waitingAnswered', 'recoveryMs', 'answerAfterRecoveryMs', 'logAudit',
];
/** The keys of the node-controller scenario's timeline for one node (scenarios.ts, nodeController). */
const LOCAL_NODE_KEYS = ['lastHeartbeatS', 'nodeNotReadyS', 'nodeUnknownS', 'podMarkedNotReadyS', 'endpointNotReadyS', 'podDeletedS', 'markPodsNotReadyCalls'];

test('containerd-stopped: the cluster report has the local shape and reads curl and bash the way the local probes report', () => {
  const status = (n: number): AppStatus => ({ n, logger: 'sync', loggedLines: n, loggedBytes: n * RUN.lineBytes, dropped: 0, queuedBytes: 0, rss: 0 });
  const warm = status(16);
  const answers = Array.from({ length: PREDICTIONS.requestsBeforeHang }, (_, i) => status(17 + i));
  const r = observeStop({
    kubernetes: 'v1.32.2', appPid: 4242, killMode: 'process', probe: 'tcp', tolerations: 'default', warm, answers, wchan: 'anon_pipe_write',
    // bash connected; curl timed out (28) on the request and on the 1 s httpGet probe.
    tcpConnect: { code: 0, ms: 3 }, httpCode: 28, tcpProbeCode: 0, httpProbe: { code: 28, body: '000' },
    node: { lastHeartbeatS: 418, nodeNotReadyS: 31, nodeUnknownS: null, podMarkedNotReadyS: null, endpointNotReadyS: 340, podDeletedS: 340, readyMessage: 'container runtime is down' },
    waitingAnswered: true, recoveryMs: 900, answerAfterRecoveryMs: 120, logAudit: { lines: 300, missing: 0, duplicated: 0, outOfOrder: 0, lastN: 300 },
  });
  for (const key of LOCAL_PIPE_HANG_KEYS) assert.ok(key in r.observations, `the cluster report has ${key}`);
  const node = r.observations['containerd-stopped@1.32'] as Record<string, unknown> | undefined;
  assert.ok(node, 'the node timeline is keyed like the node-controller scenario\'s');
  for (const key of LOCAL_NODE_KEYS) assert.ok(key in node, `the node timeline has ${key}`);
  assert.deepEqual(r.checks.map((c) => c.claim.id).sort(), [
    'containerd-stop-endpoint-until-eviction', 'hang-bytes', 'hang-requests', 'http-no-response-while-hung', 'http-probe-fails',
    'log-exactly-once', 'tcp-connect-while-hung', 'tcp-probe-passes', 'waiting-requests-complete', 'wchan',
  ]);
  for (const c of r.checks) assert.ok(evaluate(c).pass, `${c.claim.id}: ${evaluate(c).detail}`);
  // The short tolerations are not the claim's 300 s: that check is left out, not failed.
  const short = observeStop({
    kubernetes: 'v1.32.2', appPid: 4242, killMode: 'process', probe: 'http', tolerations: 'short', warm, answers: [], wchan: 'anon_pipe_write',
    tcpConnect: { code: 124, ms: 2000 }, httpCode: 0, tcpProbeCode: 124, httpProbe: { code: 0, body: '200' },
    node: { lastHeartbeatS: 100, nodeNotReadyS: 31, nodeUnknownS: null, podMarkedNotReadyS: null, endpointNotReadyS: 70, podDeletedS: 70, readyMessage: null },
    waitingAnswered: false, recoveryMs: 15000, answerAfterRecoveryMs: null, logAudit: null,
  });
  assert.ok(!short.checks.some((c) => c.claim.id === 'containerd-stop-endpoint-until-eviction'));
  assert.equal(short.observations.httpWhileHung, 'answered');
  assert.deepEqual(short.observations.tcpSocketProbe, { result: 'failure', detail: 'bash /dev/tcp exit 124' });
  assert.equal(short.observations.waitingAnswered, 0);
});
