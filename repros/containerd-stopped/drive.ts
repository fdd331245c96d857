// The client side of every pipe run, stand-ins and real containers alike: sequential requests on one
// keep-alive connection until the app hangs (or a number of requests is done), and what became of
// the requests left waiting.
import { readdirSync } from 'node:fs';
import type { Agent } from 'node:http';
import { sleep, waitFor, within } from '../lib/clock.ts';
import type { RunContext } from '../lib/repro.ts';
import type { AppStatus } from './app-api.ts';
import { get } from './client.ts';
import { HANG_TIMEOUT_MS } from './constants.ts';
import { readWchan, wchanUnsupported } from './linux-pipe.ts';

export interface Drive {
  answered: number;
  /** Answered, but only after the hang timeout (a busy machine, not a hang). */
  slow: number;
  last: AppStatus | undefined;
  /** The first request that got no answer, still waiting. */
  waiting: Promise<AppStatus> | undefined;
  noResponse: number;
}

export interface DriveOptions {
  /** Stop at the first request without an answer (else: after three). */
  stopOnHang: boolean;
  /** Kernel evidence that the app is stuck (true), running (false), or no evidence on this platform. */
  isHung?: (() => boolean | undefined) | undefined;
  /** How much longer a request without an answer gets when the kernel does not say the app is stuck. */
  recoveryTimeoutMs: number;
  /** Pause between requests, wall ms (none below 1 ms). */
  paceMs?: number;
  /**
   * Whether the copy has taken the last line off the app's pipe (or is blocked writing it on): the
   * next request waits for it, so lines reach the copy one at a time, as they do when requests
   * arrive at their own pace. Undefined: cannot tell on this platform, no wait.
   */
  lineTaken?: () => boolean | undefined;
}

/**
 * Sequential requests on one keep-alive connection. A request with no answer within HANG_TIMEOUT_MS
 * counts as hung when the kernel confirms the app sleeps in a pipe write; otherwise it gets
 * recoveryTimeoutMs more before it counts, so a slow machine is not mistaken for a hang.
 */
export async function drive(ctx: RunContext, port: number, agent: Agent, max: number, what: string, opts: DriveOptions): Promise<Drive> {
  const pace = opts.paceMs ?? 0;
  const out: Drive = { answered: 0, slow: 0, last: undefined, waiting: undefined, noResponse: 0 };
  for (let i = 0; i < max; i++) {
    ctx.signal.throwIfAborted();
    const r = await get(port, '/orders', HANG_TIMEOUT_MS, agent);
    let status: AppStatus | undefined;
    if (r.kind === 'answered') status = r.status;
    else if (opts.isHung?.() !== true) {
      status = await within(r.later, opts.recoveryTimeoutMs);
      if (status) out.slow++;
    }
    if (!status) {
      out.noResponse++;
      if (r.kind === 'no-response') out.waiting ??= r.later;
      // Three unanswered requests settle it; waiting on more would only take longer.
      if (opts.stopOnHang || out.noResponse >= 3) break;
      continue;
    }
    out.answered++;
    out.last = status;
    if (opts.lineTaken) await lineTaken(ctx, opts.lineTaken);
    if (i % 50 === 0) ctx.progress(`${what}: ${out.answered} requests answered, ${status.loggedBytes.toLocaleString('en-US')} bytes logged`);
    if (pace >= 1) await sleep(pace, ctx.signal);
  }
  return out;
}

/**
 * A busy machine can leave the copy thread unscheduled while several requests are answered: it then
 * reads their lines in one go, and one write of several lines wastes more of a FIFO page than single
 * lines do (pipe_write merges a write into the last page only if it fits whole), so fewer requests
 * fit before the hang. Waiting here keeps the count a property of the pipes, not of the scheduler.
 */
function lineTaken(ctx: RunContext, taken: () => boolean | undefined): Promise<boolean> {
  return waitFor('the copy to take the line off the app\'s pipe', () => (taken() === false ? undefined : true), { timeoutMs: HANG_TIMEOUT_MS, intervalMs: 1, signal: ctx.signal });
}

/**
 * For a copy thread doing blocking read(2)/write(2) (the stand-in shim): true once one of the
 * process's threads sleeps in the kernel's pipe read (the app's pipe is empty: the line was taken)
 * or pipe write (the copy is blocked on a full FIFO, holding the line). A thread that was just
 * woken is running and has no wait channel. Undefined without /proc wchan.
 */
export function copySettled(pid: number): () => boolean | undefined {
  // The copy thread, once seen in a pipe function: read alone afterwards (a request reads one file).
  let copier: string | undefined;
  const inPipe = (t: string): boolean => /pipe_(read|write)/.test(readWchan(pid, t) ?? '');
  return () => {
    if (wchanUnsupported()) return undefined;
    if (copier !== undefined && inPipe(copier)) return true;
    let threads: string[];
    try {
      threads = readdirSync(`/proc/${pid}/task`);
    } catch {
      return undefined;
    }
    const found = threads.find(inPipe);
    if (found !== undefined) copier = found;
    return found !== undefined;
  };
}

/** For the sync logger: is the app asleep in the kernel's pipe write? Undefined without /proc wchan. */
export function sleepsInPipeWrite(pid: number): () => boolean | undefined {
  return () => {
    if (wchanUnsupported()) return undefined;
    return /pipe_write/.test(readWchan(pid) ?? '');
  };
}

/** Waits for every request left waiting, up to timeoutMs; returns how many got an answer. */
export async function answeredWithin(promises: readonly Promise<AppStatus>[], timeoutMs: number): Promise<number> {
  let answered = 0;
  const each = promises.map((p) => p.then(() => void answered++, () => undefined));
  await within(Promise.all(each), timeoutMs);
  return answered;
}

/** Once the copier is back: asks the app until its stdout queue is empty, so every accepted line is in the pipe. */
export function drained(ctx: RunContext, port: number, agent: Agent, timeoutMs: number): Promise<AppStatus> {
  return waitFor(
    'the app to flush its stdout queue',
    async () => {
      const r = await get(port, '/orders', HANG_TIMEOUT_MS, agent);
      return r.kind === 'answered' && r.status.queuedBytes === 0 ? r.status : undefined;
    },
    { timeoutMs, intervalMs: 50, signal: ctx.signal },
  );
}
