// Assembles the node's logging path out of real processes: app -> (pipe) -> shim -> (FIFO) ->
// cri-log-copier -> log file. "Stopping containerd" stops the copier only, as KillMode=process does.
import type { ChildProcess } from 'node:child_process';
import { EventStream, START_TIMEOUT_MS, type ChildEvent } from '../lib/child-events.ts';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../lib/clock.ts';
import { childArgv } from '../lib/flags.ts';
import type { Spawned } from '../lib/processes.ts';
import type { RunContext } from '../lib/repro.ts';
import { runTempDir } from '../lib/temp-dir.ts';
import type { LoggerKind } from './app-api.ts';
import { reassemble } from './log-line.ts';
import { makeFifo } from './linux-pipe.ts';
import { COPIER_FLAGS, SHIM_FLAGS, type CopierEvent, type ShimEvent, type ShimReady } from './children.ts';

const here = (f: string): string => fileURLToPath(new URL(f, import.meta.url));
export const SHIM_SCRIPT = here('./shim.ts');
export const COPIER_SCRIPT = here('./cri-log-copier.ts');
export const APP_SCRIPT = here('./app.ts');

export interface ChainOptions {
  logger: LoggerKind;
  lineBytes: number;
  bufferBytes?: number;
}

export interface Chain {
  dir: string;
  fifo: string;
  logPath: string;
  ready: ShimReady;
  /** "systemctl start containerd": a new copier attaches to the FIFO. Resolves once it is reading. */
  startCopier(): Promise<void>;
  /** "systemctl stop containerd": SIGTERM to the copier; resolves when it has exited. */
  stopCopier(): Promise<void>;
  /** The log file's lines, partial CRI entries joined. */
  logLines(): string[];
  close(): Promise<void>;
}

/** The first matching event of a child, or an error naming it and what it said on stderr before it exited. */
async function ready<E extends ChildEvent, T extends E>(ctx: RunContext, child: Spawned, what: string, match: (e: E) => e is T): Promise<T> {
  const stderr: string[] = [];
  child.child.stderr?.setEncoding('utf8');
  child.child.stderr?.on('data', (c: string) => stderr.push(c));
  const events = new EventStream<E>(child.child.stdout);
  try {
    return await events.waitFor(`${what} to be ready`, match, { timeoutMs: START_TIMEOUT_MS, signal: ctx.signal });
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    const { code } = await child.exited;
    throw new Error(`${what} exited (code ${code}) before it was ready: ${stderr.join('').trim()}`);
  }
}

export async function startChain(ctx: RunContext, opts: ChainOptions): Promise<Chain> {
  // The FIFO and the log: removed by close(), and by the run's cleanup however the run ends.
  const dir = runTempDir(ctx.procs, 'containerd-stopped');
  const fifo = join(dir, 'app-stdout');
  const logPath = join(dir, '0.log');
  makeFifo(fifo);

  const shimArgs = childArgv(SHIM_FLAGS, { fifo, logger: opts.logger, 'line-bytes': opts.lineBytes, 'buffer-bytes': opts.bufferBytes });
  const shim = ctx.procs.spawnNode(SHIM_SCRIPT, shimArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  const shimReady = await ready(ctx, shim, 'shim', (e: ShimEvent): e is ShimReady => e.ev === 'ready');

  let copier: ChildProcess | undefined;
  let copierExited: Promise<unknown> | undefined;

  const chain: Chain = {
    dir,
    fifo,
    logPath,
    ready: shimReady,
    async startCopier() {
      const c = ctx.procs.spawnNode(COPIER_SCRIPT, childArgv(COPIER_FLAGS, { fifo, log: logPath }), { stdio: ['ignore', 'pipe', 'pipe'] });
      copier = c.child;
      copierExited = c.exited;
      await ready(ctx, c, 'cri-log-copier', (e: CopierEvent): e is CopierEvent => e.ev === 'attached');
    },
    async stopCopier() {
      if (!copier || copier.exitCode !== null || copier.signalCode !== null) return;
      copier.kill('SIGTERM');
      await copierExited;
      copier = undefined;
    },
    logLines() {
      try {
        return reassemble(readFileSync(logPath, 'utf8'));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
    },
    async close() {
      await chain.stopCopier();
      if (shim.child.exitCode === null && shim.child.signalCode === null) {
        shim.child.kill('SIGTERM');
        await shim.exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return chain;
}

/** Waits until the log file holds at least `lines` lines (polls: a file has no event to wait on). */
export function waitForLogLines(chain: Chain, lines: number, timeoutMs: number, signal: AbortSignal): Promise<number> {
  return waitFor(
    `${lines} lines in ${chain.logPath}`,
    () => {
      const n = chain.logLines().length;
      return n >= lines ? n : undefined;
    },
    { timeoutMs, intervalMs: 20, signal },
  );
}
