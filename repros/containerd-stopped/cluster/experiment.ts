// The containerd-stopped experiment on a real node (started by run.ts): the `orders` Deployment on
// the kind cluster's worker, and `systemctl stop containerd` inside the worker's container. Requests
// come from the control-plane node (curl, and bash's /dev/tcp for a bare TCP connect), so the client
// never depends on the stopped runtime. The report has the observations of
// `npm run repro -- containerd-stopped --json` (scenario pipe-hang), plus the node-controller
// scenario's timeline for the real node, pod and EndpointSlice.
import type { Flags, ScenarioResult } from '../../lib/repro.ts';
import type { AppStatus } from '../app-api.ts';
import { clusterStopChecks, type NodeTimeline, type PipeHangObservations } from '../checks.ts';
import { CLUSTER_HOLD_S, HANG_TIMEOUT_MS, RUN } from '../constants.ts';
import { auditLog, reassemble, type LogAudit } from '../log-line.ts';
import { tickFor, within } from '../../lib/clock.ts';
import type { KindCluster } from '../../lib/cluster/kind.ts';
import { until } from '../../lib/cluster/kubectl.ts';
import { APP_PORT, toYaml } from '../../lib/cluster/objects.ts';
import { manifests, NAME, PROBE_TIMEOUT_S } from './manifests.ts';
import type { ProbeVariant, TolerationVariant } from './variants.ts';

const WARMUP_REQUESTS = RUN.warmupRequests;
const HANG_TIMEOUT_S = HANG_TIMEOUT_MS / 1000;
/** Pulling the app's image and starting it on a fresh kind node. */
const POD_READY_WITHIN_MS = 300_000;
/** How often the control plane's view (node, pod, EndpointSlice) is read while containerd is down. */
const CONTROL_PLANE_POLL_MS = 2000;
/** The request left waiting gives up this long after the hold, so that it outlives the outage. */
const WAITING_REQUEST_SPARE_S = 120;
const WAITING_ANSWER_WITHIN_MS = RUN.recoveryTimeoutMs.cluster;

interface Condition {
  type: string;
  status: string;
  message?: string;
}
interface PodJson {
  metadata: { name: string; uid: string; deletionTimestamp?: string };
  spec: { nodeName: string };
  status: { podIP?: string; conditions?: Condition[]; containerStatuses?: { containerID?: string }[] };
}
interface SliceList {
  items: { endpoints?: { addresses: string[]; conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean } }[] }[];
}

const ready = (conds: Condition[] | undefined): Condition | undefined => conds?.find((c) => c.type === 'Ready');

/** The pod under test on the cluster, and how to reach it from the control-plane node. */
interface Target {
  c: KindCluster;
  pod: PodJson;
  ip: string;
  worker: string;
  controlPlane: string;
  url(path: string): string;
  /** curl on the control-plane node: its exit code and what it printed. */
  curl(args: readonly string[], timeoutS: number): Promise<{ code: number; body: string }>;
  log(line: string): void;
}

/** The Deployment applied and its pod Ready; requests will come from the control-plane node. */
async function deployOrders(c: KindCluster, probe: ProbeVariant, tolerations: TolerationVariant, log: (line: string) => void): Promise<Target> {
  await c.replace(toYaml(manifests({ probe, tolerations })));
  const pod = await until('the orders pod to be Ready', async () => {
    const list = await c.json<{ items: PodJson[] }>(['get', 'pods', '-l', `app=${NAME}`]);
    const p = list.items.find((x) => !x.metadata.deletionTimestamp);
    return p && ready(p.status.conditions)?.status === 'True' && p.status.podIP ? p : undefined;
  }, POD_READY_WITHIN_MS, 2000);
  const ip = pod.status.podIP as string;
  const controlPlane = `${c.name}-control-plane`;
  return {
    c, pod, ip, worker: pod.spec.nodeName, controlPlane, log,
    url: (path) => `http://${ip}:${APP_PORT}${path}`,
    curl: (args, timeoutS) => c.nodeExec(controlPlane, ['curl', '-s', '-m', String(timeoutS), ...args], { allowFail: true }).then((r) => ({ code: r.code, body: r.stdout })),
  };
}

/** The app's pid in the node's namespace (asked while containerd can still answer) and containerd's KillMode. */
async function inspectNode(t: Target): Promise<{ appPid: string; killMode: string }> {
  const cid = (t.pod.status.containerStatuses?.[0]?.containerID ?? '').replace(/^containerd:\/\//, '');
  const appPid = (await t.c.nodeExec(t.worker, ['crictl', 'inspect', '--output', 'go-template', '--template', '{{.info.pid}}', cid])).stdout.trim();
  const killMode = (await t.c.nodeExec(t.worker, ['systemctl', 'show', 'containerd', '-p', 'KillMode', '--value'])).stdout.trim();
  return { appPid, killMode };
}

async function warmUp(t: Target): Promise<AppStatus> {
  let warm: AppStatus | undefined;
  for (let i = 0; i < WARMUP_REQUESTS; i++) {
    const r = await t.curl([t.url('/orders')], HANG_TIMEOUT_S);
    if (r.code !== 0) throw new Error(`warm-up request ${i + 1} failed (curl exit ${r.code})`);
    warm = JSON.parse(r.body) as AppStatus;
  }
  if (!warm) throw new Error('no warm-up answer');
  return warm;
}

/** kubectl get -w on the pod, its EndpointSlice and the worker node, narrated. */
function watchObjects(t: Target): void {
  t.c.watch(['get', 'pods', '-l', `app=${NAME}`, '-w'], (l) => t.log(`  pods      ${l.line}`));
  t.c.watch(['get', 'endpointslices', '-l', `kubernetes.io/service-name=${NAME}`, '-w'], (l) => t.log(`  slices    ${l.line}`));
  t.c.watch(['get', 'nodes', t.worker, '-w'], (l) => t.log(`  node      ${l.line}`));
}

/**
 * Sequential requests until one gets no answer within the hang timeout; each answer is the app's
 * status (what it had logged), printed one per line.
 */
async function requestsUntilHang(t: Target): Promise<AppStatus[]> {
  const loop = `while curl -s -m ${HANG_TIMEOUT_S} ${t.url('/orders')}; do echo; done; exit 0`;
  const answers = (await t.c.nodeExec(t.controlPlane, ['sh', '-c', loop])).stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as AppStatus);
  t.log(`The app answered ${answers.length} requests after the stop; the next request got no answer.`);
  return answers;
}

/** `timeout N bash -c 'exec 3<>/dev/tcp/...'` from the control-plane node: its exit code (0: connected). */
function bashConnect(t: Target, timeoutS: number): Promise<{ code: number }> {
  return t.c.nodeExec(t.controlPlane, ['timeout', String(timeoutS), 'bash', '-c', `exec 3<>/dev/tcp/${t.ip}/${APP_PORT}`], { allowFail: true });
}

/** The hung app's wchan, a TCP connect, a GET on a new connection, and both probe kinds, as the tools report them. */
async function probeWhileHung(t: Target, appPid: string) {
  const wchan = (await t.c.nodeExec(t.worker, ['cat', `/proc/${appPid}/wchan`], { allowFail: true })).stdout.trim();
  t.log(`cat /proc/${appPid}/wchan -> ${wchan}`);
  const t0 = Date.now();
  const tcp = await bashConnect(t, HANG_TIMEOUT_S);
  const tcpConnect = { code: tcp.code, ms: Date.now() - t0 };
  const http = await t.curl([t.url('/orders')], HANG_TIMEOUT_S);
  const tcpProbe = await bashConnect(t, PROBE_TIMEOUT_S);
  const httpProbe = await t.curl(['-o', '/dev/null', '-w', '%{http_code}', t.url('/healthz')], PROBE_TIMEOUT_S);
  t.log(`TCP connect: exit ${tcp.code} in ${tcpConnect.ms} ms; HTTP on a new connection: curl exit ${http.code}.`);
  return { wchan, tcpConnect, httpCode: http.code, tcpProbeCode: tcpProbe.code, httpProbe };
}

/** What the control plane makes of the stop, polled every CONTROL_PLANE_POLL_MS while containerd stays down. */
async function watchControlPlane(t: Target, holdS: number, sinceStop: () => number): Promise<ClusterNodeTimeline> {
  const node: ClusterNodeTimeline = { lastHeartbeatS: null, nodeNotReadyS: null, nodeUnknownS: null, podMarkedNotReadyS: null, endpointNotReadyS: null, podDeletedS: null, readyMessage: null };
  const s = (): number => Math.round(sinceStop() / 100) / 10;
  const first = (key: 'nodeNotReadyS' | 'nodeUnknownS' | 'podMarkedNotReadyS' | 'endpointNotReadyS' | 'podDeletedS', cond: boolean): void => {
    if (cond && node[key] === null) {
      node[key] = s();
      t.log(`  ${s()} s: ${key.replace(/S$/, '')}`);
    }
  };
  t.log(`Holding containerd down for ${holdS} s.`);
  await tickFor(holdS * 1000, CONTROL_PLANE_POLL_MS, async () => {
    const n = await t.c.json<{ status: { conditions: Condition[] } }>(['get', 'node', t.worker]);
    const nr = ready(n.status.conditions);
    first('nodeNotReadyS', nr?.status === 'False');
    first('nodeUnknownS', nr?.status === 'Unknown');
    if (nr?.status !== 'True') node.readyMessage = nr?.message ?? null;
    const p = await t.c.kubectl(['get', 'pod', t.pod.metadata.name, '-o', 'json'], { allowFail: true });
    const pj = p.code === 0 ? (JSON.parse(p.stdout) as PodJson) : undefined;
    first('podMarkedNotReadyS', pj !== undefined && ready(pj.status.conditions)?.status !== 'True');
    first('podDeletedS', pj === undefined || pj.metadata.deletionTimestamp !== undefined);
    const slices = await t.c.json<SliceList>(['get', 'endpointslices', '-l', `kubernetes.io/service-name=${NAME}`]);
    const ep = slices.items.flatMap((x) => x.endpoints ?? []).find((e) => e.addresses.includes(t.ip));
    first('endpointNotReadyS', ep === undefined || ep.conditions?.ready === false);
  }, { since: sinceStop });
  return node;
}

/** The kubelet's heartbeat is its Lease, which it keeps renewing while containerd is down: its last renewal, s after the stop. */
async function lastHeartbeatS(t: Target, stoppedAt: number): Promise<number | null> {
  const renew = (await t.c.kubectl(['get', 'lease', '-n', 'kube-node-lease', t.worker, '-o', 'jsonpath={.spec.renewTime}'], { allowFail: true })).stdout.trim();
  return renew === '' ? null : Math.round((Date.parse(renew) - stoppedAt) / 100) / 10;
}

/** `systemctl start containerd`: the waiting request, one more request, and the CRI log's audit. */
async function restartContainerd(t: Target, waiting: Promise<{ code: number }>) {
  t.log(`systemctl start containerd on ${t.worker}.`);
  const restartedAt = Date.now();
  await t.c.nodeExec(t.worker, ['systemctl', 'start', 'containerd']);
  const w = await within(waiting, WAITING_ANSWER_WITHIN_MS);
  const recoveryMs = Date.now() - restartedAt;
  // Timed around `docker exec ... curl`, so it includes starting curl on the node.
  const afterStart = Date.now();
  const after = await t.curl([t.url('/orders')], HANG_TIMEOUT_S);
  const answerAfterRecoveryMs = after.code === 0 ? Date.now() - afterStart : null;
  let logAudit: LogAudit | null = null;
  if (after.code === 0) {
    const status = JSON.parse(after.body) as AppStatus;
    const logDir = `/var/log/pods/default_${t.pod.metadata.name}_${t.pod.metadata.uid}/app`;
    const text = await t.c.nodeExec(t.worker, ['sh', '-c', `sleep 2; cat ${logDir}/*.log`], { allowFail: true });
    logAudit = text.code === 0 ? auditLog(reassemble(text.stdout), 1, status.n) : null;
  } else t.log('The app did not answer after containerd came back (the pod may have been evicted and killed).');
  return { waitingAnswered: w !== undefined && w.code === 0, recoveryMs, answerAfterRecoveryMs, logAudit };
}

export async function experiment(c: KindCluster, flags: Flags, log: (line: string) => void): Promise<ScenarioResult> {
  const probe = (typeof flags.probe === 'string' ? flags.probe : 'tcp') as ProbeVariant;
  const tolerations = (typeof flags.tolerations === 'string' ? flags.tolerations : 'default') as TolerationVariant;
  const holdS = typeof flags.hold === 'number' ? flags.hold : CLUSTER_HOLD_S;
  const t = await deployOrders(c, probe, tolerations, log);
  const { appPid, killMode } = await inspectNode(t);
  log(`${t.pod.metadata.name} on ${t.worker} at ${t.ip}, app pid ${appPid}; readiness probe: ${probe}; containerd.service KillMode=${killMode}.`);
  const warm = await warmUp(t);
  watchObjects(t);

  log(`systemctl stop containerd on ${t.worker}.`);
  const stoppedAt = Date.now();
  await c.nodeExec(t.worker, ['systemctl', 'stop', 'containerd']);
  const answers = await requestsUntilHang(t);
  // One request left waiting, as a client with a long timeout behind a load balancer.
  const waiting = c.nodeExec(t.controlPlane, ['curl', '-s', '-m', String(holdS + WAITING_REQUEST_SPARE_S), t.url('/orders')], { allowFail: true });
  const hung = await probeWhileHung(t, appPid);
  const node = await watchControlPlane(t, holdS, () => Date.now() - stoppedAt);
  node.lastHeartbeatS = await lastHeartbeatS(t, stoppedAt);
  const recovery = await restartContainerd(t, waiting);

  const version = JSON.parse((await c.kubectl(['version', '-o', 'json'])).stdout) as { serverVersion: { gitVersion: string } };
  const r = observe({ kubernetes: version.serverVersion.gitVersion, appPid: Number(appPid), killMode, probe, tolerations, warm, answers, ...hung, node, ...recovery });
  log(`Waiting request answered: ${String(r.observations.waitingAnswered)} of 1; log audit: ${JSON.stringify(recovery.logAudit)}.`);
  return r;
}

/** When the control plane did what, in seconds after the stop (null: not within the hold), and the node's Ready message. */
export type ClusterNodeTimeline = Omit<NodeTimeline, 'markPodsNotReadyCalls'> & { readyMessage: string | null };

/** What a cluster run collected, in the raw terms of the tools that measured it (curl and bash exit codes). */
export interface Collected {
  kubernetes: string;
  appPid: number;
  killMode: string;
  probe: ProbeVariant;
  tolerations: TolerationVariant;
  /** The app's status in the last answer before the stop, and every answer after it. */
  warm: AppStatus;
  answers: readonly AppStatus[];
  wchan: string;
  /** `timeout N bash -c 'exec 3<>/dev/tcp/...'`: 0 when the handshake completed. */
  tcpConnect: { code: number; ms: number };
  /** curl's exit code for a request on a new connection (28: timed out). */
  httpCode: number;
  tcpProbeCode: number;
  httpProbe: { code: number; body: string };
  node: ClusterNodeTimeline;
  waitingAnswered: boolean;
  recoveryMs: number;
  answerAfterRecoveryMs: number | null;
  logAudit: LogAudit | null;
}

/** curl exits 28 when its --max-time runs out: the request got no response. */
const CURL_TIMED_OUT = 28;

/**
 * The local pipe-hang scenario's observations (and the node-controller scenario's timeline for this
 * node) and checks, from what the cluster run collected. Pure, so a test can feed it and compare.
 */
export function observe(x: Collected): ScenarioResult {
  const last = x.answers.at(-1) ?? x.warm;
  const minor = /^v?(1\.\d+)/.exec(x.kubernetes)?.[1] ?? 'unknown';
  const hang: PipeHangObservations = {
    lineBytes: RUN.lineBytes,
    appPid: x.appPid,
    // F_GETPIPE_SZ needs a process on the node with the fd open; the kind node has no tool for it.
    appPipeBytes: null,
    fifoBytes: null,
    requestsAfterStop: x.answers.length,
    bytesAfterStop: last.loggedBytes - x.warm.loggedBytes,
    wchan: x.wchan,
    tcpConnectWhileHung: x.tcpConnect.code === 0 ? { connected: true, ms: x.tcpConnect.ms } : { connected: false, ms: x.tcpConnect.ms, error: `exit ${x.tcpConnect.code}` },
    httpWhileHung: x.httpCode === CURL_TIMED_OUT ? 'no response' : x.httpCode === 0 ? 'answered' : `curl exit ${x.httpCode}`,
    tcpSocketProbe: { result: x.tcpProbeCode === 0 ? 'success' : 'failure', detail: `bash /dev/tcp exit ${x.tcpProbeCode}` },
    httpGetProbe: { result: x.httpProbe.code === 0 && /^[23]/.test(x.httpProbe.body) ? 'success' : 'failure', detail: `curl exit ${x.httpProbe.code}` },
    waitingRequests: 1,
    waitingAnswered: x.waitingAnswered ? 1 : 0,
    recoveryMs: x.recoveryMs,
    answerAfterRecoveryMs: x.answerAfterRecoveryMs,
    logAudit: x.logAudit,
  };
  const observations = {
    ...hang,
    killMode: x.killMode,
    probe: x.probe,
    tolerations: x.tolerations,
    // MarkPodsNotReady is a controller call, not visible from outside; podMarkedNotReadyS stands for it.
    [`containerd-stopped@${minor}`]: { ...x.node, markPodsNotReadyCalls: null },
  };
  return { observations, checks: clusterStopChecks({ ...hang, tolerations: x.tolerations, endpointNotReadyS: x.node.endpointNotReadyS }) };
}
