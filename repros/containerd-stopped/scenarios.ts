// The scenarios: real processes for the log pipe (pipe-hang, bigger-pipe, fixed-logger,
// console-log), the ported controllers for the endpoints (node-controller).
import type { Agent } from 'node:http';
import { scaledMs, stopwatch, tickFor, waitFor } from '../lib/clock.ts';
import type { RunContext, ScenarioResult } from '../lib/repro.ts';
import type { AppStatus, LoggerKind } from './app-api.ts';
import { DAEMONSET_HOLD_S, DELETE_AT_S, DELETED_POD_SEEN_AFTER_S, HANG_TIMEOUT_MS, RUN } from './constants.ts';
import { TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE, type Taint } from './cluster.ts';
import { toleratesTaint } from './taint-eviction.ts';
import { get, keepAliveAgent, probeHungApp } from './client.ts';
import { answeredWithin, copySettled, drained, drive, sleepsInPipeWrite, type DriveOptions } from './drive.ts';
import {
  biggerPipeChecks, consoleLogChecks, daemonSetChecks, deletedPodChecks, fixedLoggerChecks, nodeModelChecks, pipeHangChecks, tolerationChecks,
  type DaemonSetObservations, type HangObservations, type NodeTimeline, type PipeHangObservations, type RecoveryObservations,
} from './checks.ts';
import { auditLog, requestNumberOf } from './log-line.ts';
import { pipeSizeAt, pipeSizeUnsupported, readRss, readWchan, resizePipeAt, wchanUnsupported } from './linux-pipe.ts';
import { K8S_VERSIONS, NODE_SCENARIOS, SCENARIO_LABELS, simulate, type SimulationResult, type TimelinePoint } from './node-simulation.ts';
import { startChain, waitForLogLines, type Chain } from './pipe-chain.ts';
import { HOST } from '../lib/address.ts';

const RECOVERY_TIMEOUT_MS = RUN.recoveryTimeoutMs['stand-in'];
/** Request pacing at real speed: 200 requests per second, so a person can watch the count climb. */
const REQUEST_INTERVAL_S = 0.005;
const WARMUP_REQUESTS = RUN.warmupRequests;
/** How often a held outage reports its progress, ms. */
const PROGRESS_EVERY_MS = 250;

/** The stand-in's requests: paced so a person can watch at real speed; a slow answer gets the recovery timeout. */
function standInDrive(ctx: RunContext, stopOnHang: boolean, isHung?: () => boolean | undefined): DriveOptions {
  return { stopOnHang, isHung, recoveryTimeoutMs: RECOVERY_TIMEOUT_MS, paceMs: scaledMs(REQUEST_INTERVAL_S, ctx.scale) };
}

/** Requests with the copier stopped, until the first without an answer; each line reaches the shim alone. */
function untilHang(ctx: RunContext, chain: Chain): DriveOptions {
  return { ...standInDrive(ctx, true, sleepsInPipeWrite(chain.ready.appPid)), lineTaken: copySettled(chain.ready.shimPid) };
}

/** Chain up, copier attached, a few requests logged and on disk: the healthy starting point. */
async function healthyChain(ctx: RunContext, logger: LoggerKind, bufferBytes?: number): Promise<{ chain: Chain; agent: Agent; warm: AppStatus }> {
  const chain = await startChain(ctx, bufferBytes === undefined ? { logger, lineBytes: RUN.lineBytes } : { logger, lineBytes: RUN.lineBytes, bufferBytes });
  await chain.startCopier();
  const agent = keepAliveAgent();
  const warmup = await drive(ctx, chain.ready.port, agent, WARMUP_REQUESTS, 'warm-up', standInDrive(ctx, true));
  if (!warmup.last || warmup.answered !== WARMUP_REQUESTS) throw new Error('the app did not answer its warm-up requests');
  await waitForLogLines(chain, WARMUP_REQUESTS, RECOVERY_TIMEOUT_MS, ctx.signal);
  return { chain, agent, warm: warmup.last };
}

/** The kernel's sizes of the app's stdout pipe and the FIFO, where F_GETPIPE_SZ exists. */
function measurePipes(ctx: RunContext, chain: Chain): Pick<HangObservations, 'appPipeBytes' | 'fifoBytes'> {
  const { appPipeBytes } = chain.ready;
  const noPipeSize = pipeSizeUnsupported();
  if (noPipeSize) {
    ctx.log(`Note: ${noPipeSize}.`);
    return { appPipeBytes };
  }
  const fifoBytes = pipeSizeAt(chain.fifo);
  ctx.log(`Kernel says: app stdout pipe ${String(appPipeBytes)} bytes, FIFO ${fifoBytes} bytes (F_GETPIPE_SZ).`);
  return { appPipeBytes, fifoBytes };
}

/** "systemctl stop containerd", then requests until one gets no answer: how much the app wrote first. */
async function stopCopierUntilHang(ctx: RunContext, chain: Chain, agent: Agent, warm: AppStatus): Promise<{ requestsAfterStop: number; bytesAfterStop: number; waiting: Promise<AppStatus> }> {
  ctx.log('systemctl stop containerd: stopping the copier only (KillMode=process keeps the shim and the app running).');
  await chain.stopCopier();
  const d = await drive(ctx, chain.ready.port, agent, RUN.maxRequestsUntilHang, 'containerd down', untilHang(ctx, chain));
  if (!d.waiting || !d.last) throw new Error(`the app never hung (${d.answered} requests answered)`);
  const bytesAfterStop = d.last.loggedBytes - warm.loggedBytes;
  ctx.log(`Request ${d.answered + 1} after the stop got no response within ${HANG_TIMEOUT_MS} ms: the app answered ${d.answered} requests and wrote ${bytesAfterStop.toLocaleString('en-US')} bytes of log first.`);
  return { requestsAfterStop: d.answered, bytesAfterStop, waiting: d.waiting };
}

/** Where the hung app sleeps in the kernel (/proc/PID/wchan), or null where /proc has no wchan. */
async function hungWchan(ctx: RunContext, pid: number): Promise<string | null> {
  const noWchan = wchanUnsupported();
  if (noWchan) {
    ctx.log(`Note: ${noWchan}.`);
    return null;
  }
  const w = await waitFor('the app to sleep in the kernel', () => {
    const v = readWchan(pid);
    return v && v !== '0' ? v : undefined;
  }, { timeoutMs: RECOVERY_TIMEOUT_MS, signal: ctx.signal });
  ctx.log(`cat /proc/${pid}/wchan -> ${w}`);
  return w;
}

/** containerd stays down for RUN.holdS (scaled), with the requests waiting; progress shows the app's wchan. */
async function holdDown(ctx: RunContext, pid: number, waiting: number): Promise<void> {
  const holdMs = scaledMs(RUN.holdS, ctx.scale);
  ctx.log(`Leaving containerd down for ${(holdMs / 1000).toFixed(1)} s with ${waiting} requests waiting.`);
  await tickFor(holdMs, PROGRESS_EVERY_MS, (held) => ctx.progress(`containerd down: app hung for ${(held / 1000).toFixed(1)} s, wchan ${readWchan(pid) ?? 'n/a'}`), { signal: ctx.signal });
}

/** "systemctl start containerd": a new copier; the waiting requests, one more, and the log file's audit. */
async function restartCopier(ctx: RunContext, chain: Chain, agent: Agent, waiting: readonly Promise<AppStatus>[]): Promise<RecoveryObservations> {
  ctx.log('systemctl start containerd: a new copier attaches to the same FIFO.');
  const recovered = stopwatch();
  await chain.startCopier();
  const answered = await answeredWithin(waiting, RECOVERY_TIMEOUT_MS);
  const recoveryMs = Math.round(recovered());
  ctx.log(`${answered} of ${waiting.length} waiting requests answered ${recoveryMs} ms after the copier came back.`);

  const after = await get(chain.ready.port, '/orders', HANG_TIMEOUT_MS, agent);
  if (after.kind !== 'answered') throw new Error('the app did not answer after containerd came back');
  await waitForLogLines(chain, after.status.n, RECOVERY_TIMEOUT_MS, ctx.signal);
  const logAudit = auditLog(chain.logLines(), 1, after.status.n);
  ctx.log(`Log file: ${logAudit.lines} lines for requests 1-${logAudit.lastN}; missing ${logAudit.missing}, duplicated ${logAudit.duplicated}, out of order ${logAudit.outOfOrder}.`);
  return { waitingRequests: waiting.length, waitingAnswered: answered, recoveryMs, answerAfterRecoveryMs: Math.round(after.ms), logAudit };
}

export async function pipeHang(ctx: RunContext): Promise<ScenarioResult> {
  ctx.log(`Starting the node's logging path: app -> pipe -> shim -> FIFO -> cri-log-copier -> log file (${RUN.lineBytes}-byte access-log lines).`);
  const { chain, agent, warm } = await healthyChain(ctx, 'sync');
  try {
    const { appPid, port } = chain.ready;
    const pipes = measurePipes(ctx, chain);
    ctx.log(`App pid ${appPid} on ${HOST}:${port}; ${WARMUP_REQUESTS} warm-up requests are in the log file.`);
    const { waiting, ...hang } = await stopCopierUntilHang(ctx, chain, agent, warm);
    const wchan = await hungWchan(ctx, appPid);
    const hung = await probeHungApp(port, ctx.log);
    const stillWaiting = [waiting, ...(hung.later ? [hung.later] : [])];
    await holdDown(ctx, appPid, stillWaiting.length);
    const recovery = await restartCopier(ctx, chain, agent, stillWaiting);
    const o: PipeHangObservations = { lineBytes: RUN.lineBytes, appPid, ...pipes, ...hang, wchan, ...hung.probes, ...recovery };
    return { observations: o, checks: pipeHangChecks(o) };
  } finally {
    agent.destroy();
    await chain.close();
  }
}

/** One run to the hang, optionally with both pipes resized first; returns requests answered after the stop. */
async function requestsUntilHang(ctx: RunContext, pipeBytes: number | undefined): Promise<Record<string, unknown> & { requests: number }> {
  const { chain, agent, warm } = await healthyChain(ctx, 'sync');
  try {
    const out: Record<string, unknown> & { requests: number } = { requests: 0 };
    if (pipeBytes !== undefined) {
      const app = resizePipeAt(`/proc/${chain.ready.appPid}/fd/1`, pipeBytes);
      const fifo = resizePipeAt(chain.fifo, pipeBytes);
      out.appPipe = app;
      out.fifo = fifo;
      ctx.log(`F_SETPIPE_SZ: app pipe ${app.before} -> ${app.after} bytes (via /proc/${chain.ready.appPid}/fd/1), FIFO ${fifo.before} -> ${fifo.after} bytes.`);
    }
    await chain.stopCopier();
    const d = await drive(ctx, chain.ready.port, agent, RUN.maxRequestsUntilHang, pipeBytes ? '1 MiB pipes' : 'default pipes', untilHang(ctx, chain));
    if (!d.waiting || !d.last) throw new Error('the app never hung');
    out.requests = d.answered;
    out.bytes = d.last.loggedBytes - warm.loggedBytes;
    ctx.log(`${pipeBytes ? '1 MiB pipes' : 'Default pipes'}: hung after ${d.answered} requests (${Number(out.bytes).toLocaleString('en-US')} bytes).`);
    return out;
  } finally {
    agent.destroy();
    await chain.close();
  }
}

export async function biggerPipe(ctx: RunContext): Promise<ScenarioResult> {
  const unsupported = pipeSizeUnsupported() ?? (wchanUnsupported() ? 'no /proc/PID/fd to reach the app pipe' : undefined);
  if (unsupported) {
    ctx.log(`Skipped: ${unsupported}.`);
    return { observations: { skipped: unsupported }, checks: [] };
  }
  ctx.log('Same chain twice: default pipes, then both pipes raised to 1 MiB while the app runs (as one would on a node).');
  const small = await requestsUntilHang(ctx, undefined);
  const big = await requestsUntilHang(ctx, RUN.bigPipeBytes);
  const ratio = big.requests / small.requests;
  ctx.log(`Ratio: ${ratio.toFixed(2)} times more requests before the hang.`);
  return { observations: { defaultPipes: small, bigPipes: big, ratio }, checks: biggerPipeChecks({ ratio }) };
}

function lastLineIn(chain: Chain, n: number): boolean {
  return chain.logLines().some((l) => requestNumberOf(l) === n);
}

export async function fixedLogger(ctx: RunContext): Promise<ScenarioResult> {
  ctx.log('The fix: the app logs through a non-blocking writer with a 64 KiB bound and drops (and counts) what does not fit.');
  const { chain, agent } = await healthyChain(ctx, 'dropping');
  try {
    await chain.stopCopier();
    ctx.log(`containerd stopped; sending ${RUN.fixedRequests} requests.`);
    const d = await drive(ctx, chain.ready.port, agent, RUN.fixedRequests, 'containerd down, fixed logger', standInDrive(ctx, false));
    const dropped = d.last?.dropped ?? 0;
    ctx.log(`${d.answered} answered, ${d.noResponse} without an answer; the app reports ${dropped} lines dropped.`);
    await chain.startCopier();
    const final = await drained(ctx, chain.ready.port, agent, RECOVERY_TIMEOUT_MS);
    await waitFor('the last request line in the log', () => (lastLineIn(chain, final.n) ? true : undefined), {
      timeoutMs: RECOVERY_TIMEOUT_MS,
      intervalMs: 20,
      signal: ctx.signal,
    });
    const audit = auditLog(chain.logLines(), 1, final.n);
    ctx.log(`After containerd is back: ${audit.missing} request lines missing from the log, ${final.dropped} reported dropped.`);
    const o = { requests: RUN.fixedRequests, answered: d.answered, slowAnswers: d.slow, noResponse: d.noResponse, reportedDropped: final.dropped, logAudit: audit };
    return { observations: o, checks: fixedLoggerChecks(o) };
  } finally {
    agent.destroy();
    await chain.close();
  }
}

export async function consoleLog(ctx: RunContext): Promise<ScenarioResult> {
  ctx.log('The Node trap: console.log to a pipe is asynchronous on Linux, so the app does not hang. Watch its memory instead.');
  const { chain, agent, warm } = await healthyChain(ctx, 'console');
  try {
    const rssBefore = readRss(chain.ready.appPid) ?? warm.rss;
    await chain.stopCopier();
    ctx.log(`containerd stopped; sending ${RUN.consoleRequests} requests.`);
    const d = await drive(ctx, chain.ready.port, agent, RUN.consoleRequests, 'containerd down, console.log', standInDrive(ctx, false));
    const queued = d.last?.queuedBytes ?? 0;
    const rssAfter = readRss(chain.ready.appPid) ?? d.last?.rss ?? 0;
    ctx.log(
      `${d.answered} answered, ${d.noResponse} without an answer; ${queued.toLocaleString('en-US')} bytes of log wait in process.stdout, RSS ${(rssBefore / 2 ** 20).toFixed(1)} -> ${(rssAfter / 2 ** 20).toFixed(1)} MiB.`,
    );
    await chain.startCopier();
    const t = stopwatch();
    const final = await drained(ctx, chain.ready.port, agent, RECOVERY_TIMEOUT_MS);
    ctx.log(`containerd back: the queue drained in ${Math.round(t())} ms.`);
    const o = { requests: RUN.consoleRequests, answered: d.answered, slowAnswers: d.slow, noResponse: d.noResponse, queuedBytes: queued, rssBefore, rssAfter, drainedAtRequest: final.n };
    return { observations: o, checks: consoleLogChecks(o) };
  } finally {
    agent.destroy();
    await chain.close();
  }
}

function fmtS(ms: number | undefined): string {
  return ms === undefined ? 'never' : `${(ms / 1000).toFixed(1)} s`;
}

/** Every node scenario on every version in the model, narrated: its events and when the pod left the endpoints. */
function nodeScenarioRuns(ctx: RunContext): SimulationResult[] {
  const runs: SimulationResult[] = [];
  for (const version of K8S_VERSIONS) {
    for (const scenario of NODE_SCENARIOS) {
      const r = simulate({ scenario, version });
      runs.push(r);
      ctx.log(`\n${SCENARIO_LABELS[scenario]} (Kubernetes ${version}, grace period ${r.graceS} s), model time:`);
      for (const e of r.events) ctx.log(`  ${fmtS(e.at).padStart(8)}  ${e.actor}: ${e.text}`);
      ctx.log(`  pod left the ready endpoints: ${fmtS(r.endpointNotReadyAtMs)}; MarkPodsNotReady calls: ${r.markPodsNotReadyCalls}`);
    }
  }
  return runs;
}

const seconds = (ms: number | undefined): number | null => (ms === undefined ? null : ms / 1000);

/** One model run as a node timeline, seconds after the stop (null: never), as a cluster run reports it. */
function nodeTimeline(r: SimulationResult): NodeTimeline {
  return {
    lastHeartbeatS: seconds(r.lastHeartbeatMs),
    nodeNotReadyS: seconds(r.nodeNotReadyAtMs),
    nodeUnknownS: seconds(r.nodeUnknownAtMs),
    podMarkedNotReadyS: seconds(r.podMarkedNotReadyAtMs),
    endpointNotReadyS: seconds(r.endpointNotReadyAtMs),
    podDeletedS: seconds(r.podDeletedAtMs),
    markPodsNotReadyCalls: r.markPodsNotReadyCalls,
  };
}

/** The DaemonSet pod next to the Deployment pod, over an outage much longer than the eviction. */
function daemonSetPod(ctx: RunContext): Record<string, DaemonSetObservations> {
  const out: Record<string, DaemonSetObservations> = {};
  for (const scenario of ['containerd-stopped', 'containerd-then-kubelet-stopped'] as const) {
    const r = simulate({ scenario, version: '1.32', durationMs: DAEMONSET_HOLD_S * 1000 });
    const o = { deleted: r.daemonPodDeletedAtMs !== undefined, readyEndpointThroughout: r.points.every((p) => p.daemonEndpoint === 'ready'), deploymentPodDeletedS: seconds(r.podDeletedAtMs) };
    ctx.log(`\n${SCENARIO_LABELS[scenario]}, ${DAEMONSET_HOLD_S} s: Deployment pod deleted at ${fmtS(r.podDeletedAtMs)}; DaemonSet pod deleted: ${fmtS(r.daemonPodDeletedAtMs)}, endpoint ready throughout: ${o.readyEndpointThroughout}`);
    out[scenario] = o;
  }
  return out;
}

/** kubectl delete pod while the runtime is down: what the EndpointSlice and kube-proxy do with it. */
function deletedPodWhileDown(ctx: RunContext): TimelinePoint {
  const del = simulate({ scenario: 'containerd-stopped', version: '1.32', deletePodAtMs: DELETE_AT_S * 1000 });
  const after = pointAt(del.points, (DELETE_AT_S + DELETED_POD_SEEN_AFTER_S) * 1000);
  ctx.log(`\nkubectl delete pod ${DELETE_AT_S} s after containerd stopped; ${DELETED_POD_SEEN_AFTER_S} s later the endpoint is ${after.endpoint} (${JSON.stringify(after.conditions)}), pod Ready ${String(after.podReady)}, new connections: ${after.newConnections}`);
  return after;
}

export function nodeController(ctx: RunContext): Promise<ScenarioResult> {
  const runs = nodeScenarioRuns(ctx);
  const daemon = daemonSetPod(ctx);
  const after = deletedPodWhileDown(ctx);
  const observations: Record<string, unknown> = Object.fromEntries(runs.map((r) => [`${r.scenario}@${r.version}`, nodeTimeline(r)]));
  observations.daemonSetPod = daemon;
  observations.deletedPod = { atS: DELETE_AT_S, conditions: after.conditions, podReady: after.podReady, newConnections: after.newConnections };
  const checks = [
    ...runs.flatMap(nodeModelChecks),
    ...tolerationChecks(emptyTolerations()),
    ...Object.values(daemon).flatMap(daemonSetChecks),
    ...deletedPodChecks(after),
  ];
  return Promise.resolve({ observations, checks });
}

/** The model's state at time t (the last change at or before it). */
export function pointAt(points: readonly TimelinePoint[], t: number): TimelinePoint {
  const p = [...points].reverse().find((x) => x.t <= t);
  if (!p) throw new Error(`no model state at ${t} ms`);
  return p;
}

/** The taints the empty-key / empty-effect toleration check runs over. */
export const TOLERATION_CHECK_TAINTS: readonly Taint[] = [
  { key: TAINT_NODE_NOT_READY, effect: 'NoExecute' },
  { key: TAINT_NODE_NOT_READY, effect: 'NoSchedule' },
  { key: TAINT_NODE_UNREACHABLE, effect: 'NoExecute' },
  { key: TAINT_NODE_UNREACHABLE, effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
  { key: 'example.com/dedicated', value: 'batch', effect: 'NoExecute' },
];

/** Runs the ported ToleratesTaint with an empty key (Exists) and with an empty effect. */
export function emptyTolerations(): { emptyKeyExists: boolean; emptyEffect: boolean } {
  const emptyKeyExists = TOLERATION_CHECK_TAINTS.every((t) => toleratesTaint({ operator: 'Exists' }, t));
  const notReady = TOLERATION_CHECK_TAINTS.filter((t) => t.key === TAINT_NODE_NOT_READY);
  const emptyEffect = notReady.length === 2 && notReady.every((t) => toleratesTaint({ key: TAINT_NODE_NOT_READY, operator: 'Exists' }, t));
  return { emptyKeyExists, emptyEffect };
}
