// containerd-stopped on the real tier: the same measurements as the stand-in scenarios
// (../scenarios.ts), taken from real containerd 1.6 + runc running the app as a CRI container, and
// mapped onto the same claims. The stand-in's arithmetic (../pipe-math.ts) predicts the count; here
// the real shim and the real CRI plugin either agree with it or prove it wrong.
import { readdirSync } from 'node:fs';
import type { Agent } from 'node:http';
import { scaledMs, sleep, stopwatch, waitFor } from '../../lib/clock.ts';
import { runProcesses } from '../../lib/real/sweep.ts';
import type { RunContext, ScenarioResult } from '../../lib/repro.ts';
import type { AppStatus, LoggerKind } from '../app-api.ts';
import { PREDICTIONS, RUN } from '../constants.ts';
import { get, keepAliveAgent, probeHungApp } from '../client.ts';
import { answeredWithin, drained, drive, sleepsInPipeWrite, type DriveOptions } from '../drive.ts';
import { biggerPipeChecks, fixedLoggerChecks, pipeHangChecks, type HungAppObservations, type RecoveryObservations } from '../checks.ts';
import { auditLog } from '../log-line.ts';
import { pipeSizeAt, readWchan, resizePipeAt } from '../linux-pipe.ts';
import { predictedRequestsBeforeHang } from '../pipe-math.ts';
import { unreadBytesAt } from './fionread.ts';
import { startRealNode, type RealNode } from './node.ts';

const RECOVERY_TIMEOUT_MS = RUN.recoveryTimeoutMs.real;
const WARMUP_REQUESTS = RUN.warmupRequests;

/** Where the shim's threads sleep (/proc/PID/task/TID/wchan), counted by kernel function. */
function shimThreadWchans(node: RealNode): Record<string, number> {
  const out: Record<string, number> = {};
  for (const shim of runProcesses(node.cd.footprint).filter((p) => p.what === 'shim')) {
    for (const tid of readdirSync(`/proc/${shim.pid}/task`)) {
      const w = readWchan(Number(tid)) ?? '?';
      const k = w === '0' ? 'running' : w;
      out[k] = (out[k] ?? 0) + 1;
    }
  }
  return out;
}

/** The real tier's requests, as the stand-in sends them but unpaced; the kernel says when the app is stuck. */
function realDrive(node: RealNode, stopOnHang: boolean): DriveOptions {
  return { stopOnHang, isHung: sleepsInPipeWrite(node.app.pid), recoveryTimeoutMs: RECOVERY_TIMEOUT_MS };
}

/** Warm-up requests answered and in the CRI log: the healthy starting point. */
async function warmUp(ctx: RunContext, node: RealNode, agent: Agent): Promise<AppStatus> {
  const d = await drive(ctx, node.port, agent, WARMUP_REQUESTS, 'warm-up', realDrive(node, true));
  if (!d.last || d.answered !== WARMUP_REQUESTS) throw new Error('the app container did not answer its warm-up requests');
  await waitForLogged(ctx, node, d.last.n);
  return d.last;
}

function waitForLogged(ctx: RunContext, node: RealNode, n: number): Promise<number> {
  return waitFor(`request ${n} in the CRI log ${node.app.logPath}`, () => (auditLog(node.logLines(), 1, 0).lastN >= n ? n : undefined), {
    timeoutMs: RECOVERY_TIMEOUT_MS,
    intervalMs: 20,
    signal: ctx.signal,
  });
}

/** The kernel's sizes of the container's stdout pipe and the CRI FIFO, after raising both to pipeBytes if given. */
function measurePipes(ctx: RunContext, node: RealNode, pipeBytes: number | undefined): RealPipes {
  const appPipeBytes = pipeSizeAt(`/proc/${node.app.pid}/fd/1`);
  const fifoBytes = pipeSizeAt(node.stdoutFifo);
  ctx.log(`Kernel says: container stdout pipe ${appPipeBytes} bytes, CRI FIFO ${fifoBytes} bytes (F_GETPIPE_SZ).`);
  if (pipeBytes === undefined) return { appPipeBytes, fifoBytes };
  const appPipe = resizePipeAt(`/proc/${node.app.pid}/fd/1`, pipeBytes);
  const fifo = resizePipeAt(node.stdoutFifo, pipeBytes);
  ctx.log(`F_SETPIPE_SZ: container stdout pipe ${appPipe.before} -> ${appPipe.after} bytes (via /proc/${node.app.pid}/fd/1), CRI FIFO ${fifo.before} -> ${fifo.after} bytes.`);
  return { appPipeBytes, fifoBytes, appPipe, fifo };
}

interface RealPipes {
  appPipeBytes: number;
  fifoBytes: number;
  /** F_SETPIPE_SZ's before and after, when the pipes were raised. */
  appPipe?: { before: number; after: number };
  fifo?: { before: number; after: number };
}

/**
 * "systemctl stop containerd" (SIGTERM to the daemon alone), then requests until one gets no answer;
 * and where the unwritten lines wait, read with FIONREAD.
 */
async function stopDaemonUntilHang(ctx: RunContext, node: RealNode, agent: Agent, warm: AppStatus, lineBytes: number, predicted: number) {
  ctx.log(`systemctl stop containerd: SIGTERM to the daemon (pid ${node.cd.pid() ?? '?'}) only; the shim and the container keep running.`);
  const stopped = stopwatch();
  await node.cd.stopDaemon('SIGTERM');
  const daemonStopMs = Math.round(stopped());
  const d = await drive(ctx, node.port, agent, RUN.maxRequestsUntilHang, 'containerd down', realDrive(node, true));
  if (!d.waiting || !d.last) throw new Error(`the app never hung (${d.answered} requests answered)`);
  const bytesAfterStop = d.last.loggedBytes - warm.loggedBytes;
  const linesWhere = whereLinesWait(node, lineBytes, bytesAfterStop);
  ctx.log(
    `Request ${d.answered + 1} after the stop got no response: the app answered ${d.answered} requests and wrote ` +
      `${bytesAfterStop.toLocaleString('en-US')} bytes first. The stand-in's page-slot arithmetic predicts ${predicted}.`,
  );
  ctx.log(`Where they wait (FIONREAD): ${linesWhere.containerPipeLines} lines in the container's stdout pipe, ${linesWhere.shimLines} in the shim's buffer, ${linesWhere.fifoLines} in the CRI FIFO.`);
  return { daemonStopMs, requestsAfterStop: d.answered, bytesAfterStop, matchesStandIn: d.answered === predicted, linesWhere, waiting: d.waiting };
}

/**
 * FIONREAD on the container's pipe and on the FIFO; the rest sit in the shim's copy buffer, blocked in
 * its write to the full FIFO (nothing is in flight anywhere else: the warm-up lines were all in the
 * log before the stop, and a write of <= PIPE_BUF bytes is atomic).
 */
function whereLinesWait(node: RealNode, lineBytes: number, bytesAfterStop: number): { containerPipeLines: number; shimLines: number; fifoLines: number } {
  const inPipeBytes = unreadBytesAt(`/proc/${node.app.pid}/fd/1`);
  const inFifoBytes = unreadBytesAt(node.stdoutFifo);
  return {
    containerPipeLines: inPipeBytes / lineBytes,
    shimLines: (bytesAfterStop - inPipeBytes - inFifoBytes) / lineBytes,
    fifoLines: inFifoBytes / lineBytes,
  };
}

/** Where the hung app sleeps (/proc/PID/wchan), and where the shim's threads do. */
async function hungWchans(ctx: RunContext, node: RealNode): Promise<{ wchan: string; shimThreads: Record<string, number> }> {
  const pid = node.app.pid;
  const wchan = await waitFor('the app to sleep in the kernel', () => {
    const v = readWchan(pid);
    return v && v !== '0' ? v : undefined;
  }, { timeoutMs: RECOVERY_TIMEOUT_MS, signal: ctx.signal });
  ctx.log(`cat /proc/${pid}/wchan -> ${wchan}`);
  const shimThreads = shimThreadWchans(node);
  ctx.log(`The shim's threads sleep in: ${Object.entries(shimThreads).map(([k, n]) => `${k} (${n})`).join(', ')}.`);
  return { wchan, shimThreads };
}

/** "systemctl start containerd": the same binary and config; the waiting requests, one more, and the CRI log's audit. */
async function restartDaemon(ctx: RunContext, node: RealNode, agent: Agent, waiting: readonly Promise<AppStatus>[]): Promise<RecoveryObservations & { daemonStartMs: number }> {
  ctx.log('systemctl start containerd: the same binary and config; the CRI plugin re-attaches to the FIFO.');
  const recovered = stopwatch();
  await node.cd.startDaemon();
  const daemonStartMs = Math.round(recovered());
  const answered = await answeredWithin(waiting, RECOVERY_TIMEOUT_MS);
  const recoveryMs = Math.round(recovered());
  ctx.log(`${answered} of ${waiting.length} waiting requests answered ${recoveryMs} ms after containerd started again.`);

  const after = await get(node.port, '/orders', RECOVERY_TIMEOUT_MS, agent);
  if (after.kind !== 'answered') throw new Error('the app did not answer after containerd came back');
  await waitForLogged(ctx, node, after.status.n);
  const logAudit = auditLog(node.logLines(), 1, after.status.n);
  ctx.log(`CRI log: ${logAudit.lines} lines for requests 1-${logAudit.lastN}; missing ${logAudit.missing}, duplicated ${logAudit.duplicated}, out of order ${logAudit.outOfOrder}.`);
  return { daemonStartMs, waitingRequests: waiting.length, waitingAnswered: answered, recoveryMs, logAudit };
}

/** A started node and a keep-alive agent, closed afterwards; timings() adds the run's total so far. */
async function onRealNode<T>(ctx: RunContext, logger: LoggerKind, lineBytes: number, run: (node: RealNode, agent: Agent, timings: () => Record<string, number>) => Promise<T>): Promise<T> {
  const total = stopwatch();
  const node = await startRealNode(ctx, logger, lineBytes);
  const agent = keepAliveAgent();
  try {
    return await run(node, agent, () => ({ ...node.timings, totalMs: Math.round(total()) }));
  } finally {
    agent.destroy();
    await node.cd.close();
  }
}

/**
 * Up to the hang under the sync logger: the pipes (raised to pipeBytes first if given), the warm-up,
 * the stop, the hang, and where the app and the shim sleep. `waiting` is the request left unanswered.
 */
async function realHang(ctx: RunContext, node: RealNode, agent: Agent, lineBytes: number, pipeBytes?: number) {
  const pipes = measurePipes(ctx, node, pipeBytes);
  const standInPrediction = predictedRequestsBeforeHang(lineBytes, pipeBytes ?? pipes.appPipeBytes, pipeBytes ?? pipes.fifoBytes);
  const warm = await warmUp(ctx, node, agent);
  ctx.log(`${WARMUP_REQUESTS} warm-up requests answered and in the CRI log.`);
  const { waiting, ...hang } = await stopDaemonUntilHang(ctx, node, agent, warm, lineBytes, standInPrediction);
  const wchans = await hungWchans(ctx, node);
  return { observations: { lineBytes, appPid: node.app.pid, ...pipes, standInPrediction, ...hang, ...wchans }, waiting };
}

/** While the app hangs: the probes of a hung app, then containerd stays down for RUN.holdS (scaled). */
async function probeAndHold(ctx: RunContext, node: RealNode, waiting: readonly Promise<AppStatus>[]): Promise<{ probes: HungAppObservations; waiting: Promise<AppStatus>[] }> {
  const hung = await probeHungApp(node.port, ctx.log);
  const stillWaiting = [...waiting, ...(hung.later ? [hung.later] : [])];
  const holdMs = scaledMs(RUN.holdS, ctx.scale);
  ctx.log(`Leaving containerd down for ${(holdMs / 1000).toFixed(1)} s with ${stillWaiting.length} requests waiting.`);
  await sleep(holdMs, ctx.signal);
  return { probes: hung.probes, waiting: stillWaiting };
}

export function realPipeHangScenario(ctx: RunContext): Promise<ScenarioResult> {
  const lb = ctx.flags['line-bytes'];
  const lineBytes = typeof lb === 'number' ? lb : RUN.lineBytes;
  ctx.log(`Starting a private containerd and the app as a CRI container (${lineBytes}-byte access-log lines, blocking write(2)).`);
  return onRealNode(ctx, 'sync', lineBytes, async (node, agent, timings) => {
    const hang = await realHang(ctx, node, agent, lineBytes);
    const hung = await probeAndHold(ctx, node, [hang.waiting]);
    const recovery = await restartDaemon(ctx, node, agent, hung.waiting);
    const o = { ...hang.observations, ...hung.probes, ...recovery, timings: timings() };
    return { observations: o, checks: pipeHangChecks(o) };
  });
}

/** Requests before the hang with pipeBytes pipes (default: the kernel's), and the rest of that run. */
function realRequestsUntilHang(ctx: RunContext, pipeBytes?: number) {
  ctx.log(`Starting a private containerd and the app as a CRI container (${RUN.lineBytes}-byte access-log lines, blocking write(2)).`);
  return onRealNode(ctx, 'sync', RUN.lineBytes, async (node, agent, timings) => {
    const hang = await realHang(ctx, node, agent, RUN.lineBytes, pipeBytes);
    const recovery = await restartDaemon(ctx, node, agent, [hang.waiting]);
    return { ...hang.observations, ...recovery, timings: timings() };
  });
}

export async function realBiggerPipe(ctx: RunContext): Promise<ScenarioResult> {
  ctx.log('The real chain twice: default pipes, then the container stdout pipe and the CRI FIFO raised to 1 MiB by F_SETPIPE_SZ.');
  const small = await realRequestsUntilHang(ctx);
  const big = await realRequestsUntilHang(ctx, RUN.bigPipeBytes);
  const ratio = big.requestsAfterStop / small.requestsAfterStop;
  ctx.log(`Ratio: ${ratio.toFixed(2)} times more requests before the hang (the stand-in predicts ${PREDICTIONS.bigPipeRatio.toFixed(2)}).`);
  return { observations: { defaultPipes: small, bigPipes: big, ratio }, checks: biggerPipeChecks({ ratio }) };
}

export function realFixedLogger(ctx: RunContext): Promise<ScenarioResult> {
  ctx.log('The fix, in a real container: a non-blocking logger with a 64 KiB bound that drops (and counts) what does not fit.');
  return onRealNode(ctx, 'dropping', RUN.lineBytes, async (node, agent) => {
    await warmUp(ctx, node, agent);
    await node.cd.stopDaemon('SIGTERM');
    ctx.log(`containerd stopped; sending ${RUN.fixedRequests} requests.`);
    const d = await drive(ctx, node.port, agent, RUN.fixedRequests, 'containerd down, fixed logger', realDrive(node, false));
    const dropped = d.last?.dropped ?? 0;
    ctx.log(`${d.answered} answered, ${d.noResponse} without an answer; the app reports ${dropped} lines dropped.`);
    await node.cd.startDaemon();
    const final = await drained(ctx, node.port, agent, RECOVERY_TIMEOUT_MS);
    await waitForLogged(ctx, node, final.n);
    const audit = auditLog(node.logLines(), 1, final.n);
    ctx.log(`After containerd is back: ${audit.missing} request lines missing from the CRI log, ${final.dropped} reported dropped.`);
    const o = { requests: RUN.fixedRequests, answered: d.answered, noResponse: d.noResponse, reportedDropped: final.dropped, logAudit: audit, timings: node.timings };
    return { observations: o, checks: fixedLoggerChecks(o) };
  });
}
