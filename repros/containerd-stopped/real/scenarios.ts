// containerd-stopped on the real tier: the same measurements as the stand-in scenarios
// (../scenarios.ts), taken from real containerd 1.6 + runc running the app as a CRI container, and
// mapped onto the same claims. The stand-in's arithmetic (../pipe-math.ts) predicts the count; here
// the real shim and the real CRI plugin either agree with it or prove it wrong.
import { readdirSync } from 'node:fs';
import type { Agent } from 'node:http';
import type { ClaimCheck } from '../../lib/claims.ts';
import { scaledMs, sleep, stopwatch, waitFor } from '../../lib/clock.ts';
import { runProcesses } from '../../lib/real/sweep.ts';
import type { RunContext, ScenarioResult } from '../../lib/repro.ts';
import type { AppStatus } from '../app-api.ts';
import { PREDICTIONS, RUN } from '../claims.ts';
import { get, HANG_TIMEOUT_MS, keepAliveAgent, probeHungApp } from '../client.ts';
import { check, hungAppChecks } from '../checks.ts';
import { auditLog } from '../log-line.ts';
import { pipeSizeAt, readWchan, resizePipeAt } from '../linux-pipe.ts';
import { predictedRequestsBeforeHang } from '../pipe-math.ts';
import { unreadBytesAt } from './fionread.ts';
import { startRealNode, type RealNode } from './node.ts';

const RECOVERY_TIMEOUT_MS = RUN.recoveryTimeoutMs.real;
const WARMUP_REQUESTS = RUN.warmupRequests;

interface Drive {
  answered: number;
  last: AppStatus | undefined;
  waiting: Promise<AppStatus> | undefined;
  noResponse: number;
}

const asleepInPipeWrite = (pid: number): boolean => /pipe_write/.test(readWchan(pid) ?? '');

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

/**
 * Sequential requests on one keep-alive connection, as the stand-in sends them. A request without an
 * answer within HANG_TIMEOUT_MS is the hang when the kernel shows the app asleep in a pipe write;
 * otherwise (a slow machine) it gets RECOVERY_TIMEOUT_MS more.
 */
async function drive(ctx: RunContext, node: RealNode, agent: Agent, max: number, what: string, stopOnHang: boolean): Promise<Drive> {
  const out: Drive = { answered: 0, last: undefined, waiting: undefined, noResponse: 0 };
  for (let i = 0; i < max; i++) {
    ctx.signal.throwIfAborted();
    const r = await get(node.port, '/orders', HANG_TIMEOUT_MS, agent);
    let status: AppStatus | undefined;
    if (r.kind === 'answered') status = r.status;
    else if (!asleepInPipeWrite(node.app.pid)) {
      status = await within(r.later, RECOVERY_TIMEOUT_MS);
    }
    if (!status) {
      out.noResponse++;
      if (r.kind === 'no-response') out.waiting ??= r.later;
      if (stopOnHang || out.noResponse >= 3) break;
      continue;
    }
    out.answered++;
    out.last = status;
    if (i % 50 === 0) ctx.progress(`${what}: ${out.answered} requests answered, ${status.loggedBytes.toLocaleString('en-US')} bytes logged`);
  }
  return out;
}

/** Warm-up requests answered and in the CRI log: the healthy starting point. */
async function warmUp(ctx: RunContext, node: RealNode, agent: Agent): Promise<AppStatus> {
  const d = await drive(ctx, node, agent, WARMUP_REQUESTS, 'warm-up', true);
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

/** The promise's value if it settles within ms, else undefined; the timer never outlives the answer. */
async function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([p.catch(() => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}

async function answeredWithin(promises: readonly Promise<AppStatus>[], timeoutMs: number): Promise<number> {
  let answered = 0;
  const each = promises.map((p) => p.then(() => void answered++, () => undefined));
  await within(Promise.all(each), timeoutMs);
  return answered;
}

/** One real run: stop containerd under the sync logger and measure the hang; optionally resize both pipes first. */
export async function realPipeHang(ctx: RunContext, pipeBytes?: number, lineBytes: number = RUN.lineBytes): Promise<{ observations: Record<string, unknown>; checks: ClaimCheck[]; requests: number }> {
  const obs: Record<string, unknown> = { lineBytes };
  // The claims speak of RUN.lineBytes; another line size (--line-bytes) is measured and compared with
  // the stand-in's prediction for that size, without claim checks for the counts.
  const claimSize = lineBytes === RUN.lineBytes;
  const checks: ClaimCheck[] = [];
  const total = stopwatch();
  ctx.log(`Starting a private containerd and the app as a CRI container (${lineBytes}-byte access-log lines, blocking write(2)).`);
  const node = await startRealNode(ctx, 'sync', lineBytes);
  const agent = keepAliveAgent();
  try {
    const { app, port } = node;
    obs.appPid = app.pid;
    obs.appPipeBytes = pipeSizeAt(`/proc/${app.pid}/fd/1`);
    obs.fifoBytes = pipeSizeAt(node.stdoutFifo);
    ctx.log(`Kernel says: container stdout pipe ${String(obs.appPipeBytes)} bytes, CRI FIFO ${String(obs.fifoBytes)} bytes (F_GETPIPE_SZ).`);
    if (pipeBytes === undefined) checks.push(check('default-pipe-capacity', obs.appPipeBytes));
    else {
      const a = resizePipeAt(`/proc/${app.pid}/fd/1`, pipeBytes);
      const f = resizePipeAt(node.stdoutFifo, pipeBytes);
      obs.appPipe = a;
      obs.fifo = f;
      ctx.log(`F_SETPIPE_SZ: container stdout pipe ${a.before} -> ${a.after} bytes (via /proc/${app.pid}/fd/1), CRI FIFO ${f.before} -> ${f.after} bytes.`);
    }
    const appPipe = pipeBytes ?? (obs.appPipeBytes as number);
    const fifo = pipeBytes ?? (obs.fifoBytes as number);
    const predicted = predictedRequestsBeforeHang(lineBytes, appPipe, fifo);
    obs.standInPrediction = predicted;

    const warm = await warmUp(ctx, node, agent);
    ctx.log(`${WARMUP_REQUESTS} warm-up requests answered and in the CRI log.`);

    ctx.log(`systemctl stop containerd: SIGTERM to the daemon (pid ${node.cd.pid() ?? '?'}) only; the shim and the container keep running.`);
    const stopped = stopwatch();
    await node.cd.stopDaemon('SIGTERM');
    obs.daemonStopMs = Math.round(stopped());

    const d = await drive(ctx, node, agent, 1_000_000, 'containerd down', true);
    if (!d.waiting || !d.last) throw new Error(`the app never hung (${d.answered} requests answered)`);
    const bytesAfterStop = d.last.loggedBytes - warm.loggedBytes;
    obs.requestsAfterStop = d.answered;
    obs.bytesAfterStop = bytesAfterStop;
    obs.matchesStandIn = d.answered === predicted;
    // Where the lines are: FIONREAD on the container's pipe and on the FIFO; the rest sit in the
    // shim's copy buffer, blocked in its write to the full FIFO (nothing is in flight anywhere else:
    // the warm-up lines were all in the log before the stop, and a write of <= PIPE_BUF bytes is atomic).
    const inPipeBytes = unreadBytesAt(`/proc/${app.pid}/fd/1`);
    const inFifoBytes = unreadBytesAt(node.stdoutFifo);
    const where = {
      containerPipeLines: inPipeBytes / lineBytes,
      shimLines: (bytesAfterStop - inPipeBytes - inFifoBytes) / lineBytes,
      fifoLines: inFifoBytes / lineBytes,
    };
    obs.linesWhere = where;
    ctx.log(
      `Request ${d.answered + 1} after the stop got no response: the app answered ${d.answered} requests and wrote ` +
        `${bytesAfterStop.toLocaleString('en-US')} bytes first. The stand-in's page-slot arithmetic predicts ${predicted}.`,
    );
    ctx.log(`Where they wait (FIONREAD): ${where.containerPipeLines} lines in the container's stdout pipe, ${where.shimLines} in the shim's buffer, ${where.fifoLines} in the CRI FIFO.`);

    const w = await waitFor('the app to sleep in the kernel', () => {
      const v = readWchan(app.pid);
      return v && v !== '0' ? v : undefined;
    }, { timeoutMs: RECOVERY_TIMEOUT_MS, signal: ctx.signal });
    obs.wchan = w;
    ctx.log(`cat /proc/${app.pid}/wchan -> ${w}`);
    obs.shimThreads = shimThreadWchans(node);
    ctx.log(`The shim's threads sleep in: ${Object.entries(obs.shimThreads as Record<string, number>).map(([k, n]) => `${k} (${n})`).join(', ')}.`);

    const waiting = [d.waiting];
    if (pipeBytes === undefined) {
      if (claimSize) checks.push(check('hang-bytes', bytesAfterStop), check('hang-requests', d.answered));
      checks.push(check('wchan', w));
      const hung = await probeHungApp(port, ctx.log);
      Object.assign(obs, hung.probes);
      checks.push(...hungAppChecks(hung.probes));
      if (hung.later) waiting.push(hung.later);

      const holdMs = scaledMs(30, ctx.scale);
      ctx.log(`Leaving containerd down for ${(holdMs / 1000).toFixed(1)} s with ${waiting.length} requests waiting.`);
      await sleep(holdMs, ctx.signal);
    }

    ctx.log('systemctl start containerd: the same binary and config; the CRI plugin re-attaches to the FIFO.');
    const recovered = stopwatch();
    await node.cd.startDaemon();
    obs.daemonStartMs = Math.round(recovered());
    const answered = await answeredWithin(waiting, RECOVERY_TIMEOUT_MS);
    obs.waitingRequests = waiting.length;
    obs.waitingAnswered = answered;
    obs.recoveryMs = Math.round(recovered());
    ctx.log(`${answered} of ${waiting.length} waiting requests answered ${Math.round(recovered())} ms after containerd started again.`);

    const after = await get(port, '/orders', RECOVERY_TIMEOUT_MS, agent);
    if (after.kind !== 'answered') throw new Error('the app did not answer after containerd came back');
    await waitForLogged(ctx, node, after.status.n);
    const audit = auditLog(node.logLines(), 1, after.status.n);
    obs.logAudit = audit;
    ctx.log(`CRI log: ${audit.lines} lines for requests 1-${audit.lastN}; missing ${audit.missing}, duplicated ${audit.duplicated}, out of order ${audit.outOfOrder}.`);
    if (pipeBytes === undefined) {
      checks.push(check('waiting-requests-complete', waiting.length - answered));
      checks.push(check('log-exactly-once', { missing: audit.missing, duplicated: audit.duplicated, outOfOrder: audit.outOfOrder }));
    }
    obs.timings = { ...node.timings, totalMs: Math.round(total()) };
    return { observations: obs, checks, requests: d.answered };
  } finally {
    agent.destroy();
    await node.cd.close();
  }
}

export async function realPipeHangScenario(ctx: RunContext): Promise<ScenarioResult> {
  const lb = ctx.flags['line-bytes'];
  const r = await realPipeHang(ctx, undefined, typeof lb === 'number' ? lb : RUN.lineBytes);
  return { observations: r.observations, checks: r.checks };
}

export async function realBiggerPipe(ctx: RunContext): Promise<ScenarioResult> {
  ctx.log('The real chain twice: default pipes, then the container stdout pipe and the CRI FIFO raised to 1 MiB by F_SETPIPE_SZ.');
  const small = await realPipeHang(ctx);
  const big = await realPipeHang(ctx, RUN.bigPipeBytes);
  const ratio = big.requests / small.requests;
  ctx.log(`Ratio: ${ratio.toFixed(2)} times more requests before the hang (the stand-in predicts ${PREDICTIONS.bigPipeRatio.toFixed(2)}).`);
  return {
    observations: { defaultPipes: small.observations, bigPipes: big.observations, ratio },
    checks: [check('bigger-pipe-lasts-longer', ratio)],
  };
}

export async function realFixedLogger(ctx: RunContext): Promise<ScenarioResult> {
  ctx.log('The fix, in a real container: a non-blocking logger with a 64 KiB bound that drops (and counts) what does not fit.');
  const node = await startRealNode(ctx, 'dropping', RUN.lineBytes);
  const agent = keepAliveAgent();
  try {
    await warmUp(ctx, node, agent);
    await node.cd.stopDaemon('SIGTERM');
    ctx.log(`containerd stopped; sending ${RUN.fixedRequests} requests.`);
    const d = await drive(ctx, node, agent, RUN.fixedRequests, 'containerd down, fixed logger', false);
    const dropped = d.last?.dropped ?? 0;
    ctx.log(`${d.answered} answered, ${d.noResponse} without an answer; the app reports ${dropped} lines dropped.`);
    await node.cd.startDaemon();
    const final = await waitFor(
      'the app to flush its stdout queue',
      async () => {
        const r = await get(node.port, '/orders', HANG_TIMEOUT_MS, agent);
        return r.kind === 'answered' && r.status.queuedBytes === 0 ? r.status : undefined;
      },
      { timeoutMs: RECOVERY_TIMEOUT_MS, intervalMs: 50, signal: ctx.signal },
    );
    await waitForLogged(ctx, node, final.n);
    const audit = auditLog(node.logLines(), 1, final.n);
    ctx.log(`After containerd is back: ${audit.missing} request lines missing from the CRI log, ${final.dropped} reported dropped.`);
    return {
      observations: { requests: RUN.fixedRequests, answered: d.answered, noResponse: d.noResponse, reportedDropped: final.dropped, logAudit: audit, timings: node.timings },
      checks: [check('fixed-logger-never-hangs', d.noResponse), check('fixed-logger-counts-drops', audit.missing - final.dropped)],
    };
  } finally {
    agent.destroy();
    await node.cd.close();
  }
}
