// The containerd-stopped experiment on a real node (started by run.ts): the `orders` Deployment on
// the kind cluster's worker, and `systemctl stop containerd` inside the worker's container. Requests
// come from the control-plane node (curl, and bash's /dev/tcp for a bare TCP connect), so the client
// never depends on the stopped runtime. The report has the observations of
// `npm run repro -- containerd-stopped --json` (scenario pipe-hang), plus the node-controller
// scenario's timeline for the real node, pod and EndpointSlice.
import type { ClaimCheck } from '../../lib/claims.ts';
import type { Flags, ScenarioResult } from '../../lib/repro.ts';
import type { AppStatus } from '../app-api.ts';
import { claims, RUN } from '../claims.ts';
import { auditLog, reassemble, type LogAudit } from '../log-line.ts';
import { HANG_TIMEOUT_MS, PROBE_TIMEOUT_MS } from '../client.ts';
import type { KindCluster } from '../../lib/cluster/kind.ts';
import { until } from '../../lib/cluster/kubectl.ts';
import { APP_PORT, toYaml } from '../../lib/cluster/objects.ts';
import { manifests, NAME } from './manifests.ts';
import { DEFAULT_HOLD_S, type ProbeVariant, type TolerationVariant } from './variants.ts';

const WARMUP_REQUESTS = RUN.warmupRequests;

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

export async function experiment(c: KindCluster, flags: Flags, log: (line: string) => void): Promise<ScenarioResult> {
  const probe = (typeof flags.probe === 'string' ? flags.probe : 'tcp') as ProbeVariant;
  const tolerations = (typeof flags.tolerations === 'string' ? flags.tolerations : 'default') as TolerationVariant;
  const holdS = typeof flags.hold === 'number' ? flags.hold : DEFAULT_HOLD_S;
  await c.replace(toYaml(manifests({ probe, tolerations })));
  const pod = await until('the orders pod to be Ready', async () => {
    const list = await c.json<{ items: PodJson[] }>(['get', 'pods', '-l', `app=${NAME}`]);
    const p = list.items.find((x) => !x.metadata.deletionTimestamp);
    return p && ready(p.status.conditions)?.status === 'True' && p.status.podIP ? p : undefined;
  }, 300_000, 2000);
  const ip = pod.status.podIP as string;
  const worker = pod.spec.nodeName;
  const controlPlane = `${c.name}-control-plane`;
  const url = (path: string): string => `http://${ip}:${APP_PORT}${path}`;
  const cid = (pod.status.containerStatuses?.[0]?.containerID ?? '').replace(/^containerd:\/\//, '');
  // The app's pid in the node's namespace, asked while containerd can still answer.
  const appPid = (await c.nodeExec(worker, ['crictl', 'inspect', '--output', 'go-template', '--template', '{{.info.pid}}', cid])).stdout.trim();
  const killMode = (await c.nodeExec(worker, ['systemctl', 'show', 'containerd', '-p', 'KillMode', '--value'])).stdout.trim();
  log(`${pod.metadata.name} on ${worker} at ${ip}, app pid ${appPid}; readiness probe: ${probe}; containerd.service KillMode=${killMode}.`);

  const curl = (args: readonly string[], timeoutS: number): Promise<{ code: number; body: string }> =>
    c.nodeExec(controlPlane, ['curl', '-s', '-m', String(timeoutS), ...args], { allowFail: true }).then((r) => ({ code: r.code, body: r.stdout }));
  let warm: AppStatus | undefined;
  for (let i = 0; i < WARMUP_REQUESTS; i++) {
    const r = await curl([url('/orders')], HANG_TIMEOUT_MS / 1000);
    if (r.code !== 0) throw new Error(`warm-up request ${i + 1} failed (curl exit ${r.code})`);
    warm = JSON.parse(r.body) as AppStatus;
  }
  if (!warm) throw new Error('no warm-up answer');

  c.watch(['get', 'pods', '-l', `app=${NAME}`, '-w'], (l) => log(`  pods      ${l.line}`));
  c.watch(['get', 'endpointslices', '-l', `kubernetes.io/service-name=${NAME}`, '-w'], (l) => log(`  slices    ${l.line}`));
  c.watch(['get', 'nodes', worker, '-w'], (l) => log(`  node      ${l.line}`));

  log(`systemctl stop containerd on ${worker}.`);
  const stoppedAt = Date.now();
  await c.nodeExec(worker, ['systemctl', 'stop', 'containerd']);
  const sinceStop = (): number => Math.round((Date.now() - stoppedAt) / 100) / 10;

  // Sequential requests until one gets no answer within the hang timeout; each answer is the app's
  // status (what it had logged), printed one per line.
  const loop = `while curl -s -m ${HANG_TIMEOUT_MS / 1000} ${url('/orders')}; do echo; done; exit 0`;
  const answers = (await c.nodeExec(controlPlane, ['sh', '-c', loop])).stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as AppStatus);
  log(`The app answered ${answers.length} requests after the stop; the next request got no answer.`);
  // One request left waiting, as a client with a long timeout behind a load balancer.
  const waiting = c.nodeExec(controlPlane, ['curl', '-s', '-m', String(holdS + 120), url('/orders')], { allowFail: true });

  const wchan = (await c.nodeExec(worker, ['cat', `/proc/${appPid}/wchan`], { allowFail: true })).stdout.trim();
  log(`cat /proc/${appPid}/wchan -> ${wchan}`);
  const t0 = Date.now();
  const tcp = await c.nodeExec(controlPlane, ['timeout', String(HANG_TIMEOUT_MS / 1000), 'bash', '-c', `exec 3<>/dev/tcp/${ip}/${APP_PORT}`], { allowFail: true });
  const tcpConnect = { code: tcp.code, ms: Date.now() - t0 };
  const http = await curl([url('/orders')], HANG_TIMEOUT_MS / 1000);
  const tcpProbe = await c.nodeExec(controlPlane, ['timeout', String(PROBE_TIMEOUT_MS / 1000), 'bash', '-c', `exec 3<>/dev/tcp/${ip}/${APP_PORT}`], { allowFail: true });
  const httpProbe = await curl(['-o', '/dev/null', '-w', '%{http_code}', url('/healthz')], PROBE_TIMEOUT_MS / 1000);
  log(`TCP connect: exit ${tcp.code} in ${tcpConnect.ms} ms; HTTP on a new connection: curl exit ${http.code}.`);

  // What the control plane makes of it, polled every 2 s while containerd stays down.
  const node: NodeTimeline = { lastHeartbeatS: null, nodeNotReadyS: null, nodeUnknownS: null, podMarkedNotReadyS: null, endpointNotReadyS: null, podDeletedS: null, readyMessage: null };
  const first = (key: 'nodeNotReadyS' | 'nodeUnknownS' | 'podMarkedNotReadyS' | 'endpointNotReadyS' | 'podDeletedS', cond: boolean): void => {
    if (cond && node[key] === null) {
      node[key] = sinceStop();
      log(`  ${sinceStop()} s: ${key.replace(/S$/, '')}`);
    }
  };
  log(`Holding containerd down for ${holdS} s.`);
  while (Date.now() - stoppedAt < holdS * 1000) {
    const n = await c.json<{ status: { conditions: Condition[] } }>(['get', 'node', worker]);
    const nr = ready(n.status.conditions);
    first('nodeNotReadyS', nr?.status === 'False');
    first('nodeUnknownS', nr?.status === 'Unknown');
    if (nr?.status !== 'True') node.readyMessage = nr?.message ?? null;
    const p = await c.kubectl(['get', 'pod', pod.metadata.name, '-o', 'json'], { allowFail: true });
    const pj = p.code === 0 ? (JSON.parse(p.stdout) as PodJson) : undefined;
    first('podMarkedNotReadyS', pj !== undefined && ready(pj.status.conditions)?.status !== 'True');
    first('podDeletedS', pj === undefined || pj.metadata.deletionTimestamp !== undefined);
    const slices = await c.json<SliceList>(['get', 'endpointslices', '-l', `kubernetes.io/service-name=${NAME}`]);
    const ep = slices.items.flatMap((s) => s.endpoints ?? []).find((e) => e.addresses.includes(ip));
    first('endpointNotReadyS', ep === undefined || ep.conditions?.ready === false);
    await new Promise((r) => setTimeout(r, 2000));
  }
  // The kubelet's heartbeat is its Lease, which it keeps renewing while containerd is down.
  const renew = (await c.kubectl(['get', 'lease', '-n', 'kube-node-lease', worker, '-o', 'jsonpath={.spec.renewTime}'], { allowFail: true })).stdout.trim();
  node.lastHeartbeatS = renew === '' ? null : Math.round((Date.parse(renew) - stoppedAt) / 100) / 10;

  log(`systemctl start containerd on ${worker}.`);
  const restartedAt = Date.now();
  await c.nodeExec(worker, ['systemctl', 'start', 'containerd']);
  const w = await Promise.race([waiting, new Promise<undefined>((r) => setTimeout(() => r(undefined), 15_000))]);
  const recoveryMs = Date.now() - restartedAt;
  // Timed around `docker exec ... curl`, so it includes starting curl on the node.
  const afterStart = Date.now();
  const after = await curl([url('/orders')], HANG_TIMEOUT_MS / 1000);
  const answerAfterRecoveryMs = after.code === 0 ? Date.now() - afterStart : null;
  let logAudit: LogAudit | null = null;
  if (after.code === 0) {
    const status = JSON.parse(after.body) as AppStatus;
    const logDir = `/var/log/pods/default_${pod.metadata.name}_${pod.metadata.uid}/app`;
    const text = await c.nodeExec(worker, ['sh', '-c', `sleep 2; cat ${logDir}/*.log`], { allowFail: true });
    logAudit = text.code === 0 ? auditLog(reassemble(text.stdout), 1, status.n) : null;
  } else log('The app did not answer after containerd came back (the pod may have been evicted and killed).');

  const version = JSON.parse((await c.kubectl(['version', '-o', 'json'])).stdout) as { serverVersion: { gitVersion: string } };
  const r = observe({
    kubernetes: version.serverVersion.gitVersion,
    appPid: Number(appPid),
    killMode,
    probe,
    tolerations,
    warm,
    answers,
    wchan,
    tcpConnect,
    httpCode: http.code,
    tcpProbeCode: tcpProbe.code,
    httpProbe,
    node,
    waitingAnswered: w !== undefined && w.code === 0,
    recoveryMs,
    answerAfterRecoveryMs,
    logAudit,
  });
  log(`Waiting request answered: ${String(r.observations.waitingAnswered)} of 1; log audit: ${JSON.stringify(logAudit)}.`);
  return r;
}

/** When the control plane did what, in seconds after the stop (null: not within the hold). */
export interface NodeTimeline {
  lastHeartbeatS: number | null;
  nodeNotReadyS: number | null;
  nodeUnknownS: number | null;
  podMarkedNotReadyS: number | null;
  endpointNotReadyS: number | null;
  podDeletedS: number | null;
  readyMessage: string | null;
}

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
  node: NodeTimeline;
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
  const obs = {
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
    killMode: x.killMode,
    probe: x.probe,
    tolerations: x.tolerations,
    // MarkPodsNotReady is a controller call, not visible from outside; podMarkedNotReadyS stands for it.
    [`containerd-stopped@${minor}`]: { ...x.node, markPodsNotReadyCalls: null },
  };
  const check = (id: keyof typeof claims, observed: unknown): ClaimCheck => ({ claim: claims[id], observed });
  const checks = [
    check('hang-bytes', obs.bytesAfterStop),
    check('hang-requests', obs.requestsAfterStop),
    check('tcp-connect-while-hung', obs.tcpConnectWhileHung.connected),
    check('http-no-response-while-hung', obs.httpWhileHung),
    check('wchan', obs.wchan),
    check('tcp-probe-passes', obs.tcpSocketProbe.result),
    check('http-probe-fails', obs.httpGetProbe.result),
    check('waiting-requests-complete', obs.waitingRequests - obs.waitingAnswered),
  ];
  if (x.logAudit) {
    const a = x.logAudit;
    checks.push(check('log-exactly-once', { missing: a.missing, duplicated: a.duplicated, outOfOrder: a.outOfOrder }));
  }
  if (x.tolerations === 'default' && x.node.endpointNotReadyS !== null) checks.push(check('containerd-stop-endpoint-until-eviction', x.node.endpointNotReadyS));
  return { observations: obs, checks };
}
