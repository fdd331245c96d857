// Assembles the node's logging path out of real processes: app -> (pipe) -> shim -> (FIFO) ->
// cri-log-copier -> log file. "Stopping containerd" stops the copier only, as KillMode=process does.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../lib/clock.ts';
import type { RunContext } from '../lib/repro.ts';
import type { LoggerKind } from './app-api.ts';
import { reassemble } from './log-line.ts';
import { makeFifo } from './linux-pipe.ts';
import type { ShimReady } from './shim.ts';

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

function once<T>(child: ChildProcess, what: string, match: (msg: unknown) => T | undefined, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (msg: unknown): void => {
      const v = match(msg);
      if (v !== undefined) {
        cleanup();
        resolve(v);
      }
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`${what} exited (code ${code}) before it was ready`));
    };
    const onAbort = (): void => {
      cleanup();
      reject(signal.reason);
    };
    const cleanup = (): void => {
      child.off('message', onMessage);
      child.off('exit', onExit);
      signal.removeEventListener('abort', onAbort);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export async function startChain(ctx: RunContext, opts: ChainOptions): Promise<Chain> {
  const dir = mkdtempSync(join(tmpdir(), 'containerd-stopped-'));
  const fifo = join(dir, 'app-stdout');
  const logPath = join(dir, '0.log');
  makeFifo(fifo);

  const shimArgs = ['--fifo', fifo, '--logger', opts.logger, '--line-bytes', String(opts.lineBytes)];
  if (opts.bufferBytes !== undefined) shimArgs.push('--buffer-bytes', String(opts.bufferBytes));
  const shim = ctx.procs.spawnNode(SHIM_SCRIPT, shimArgs, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  const shimErr: string[] = [];
  shim.child.stderr?.setEncoding('utf8');
  shim.child.stderr?.on('data', (c: string) => shimErr.push(c));
  const ready = await once(shim.child, 'shim', (m) => ((m as ShimReady | undefined)?.type === 'ready' ? (m as ShimReady) : undefined), ctx.signal).catch(
    (err: unknown) => {
      throw new Error(`${err instanceof Error ? err.message : String(err)}: ${shimErr.join('').trim()}`);
    },
  );

  let copier: ChildProcess | undefined;
  let copierExited: Promise<unknown> | undefined;

  const chain: Chain = {
    dir,
    fifo,
    logPath,
    ready,
    async startCopier() {
      const c = ctx.procs.spawnNode(COPIER_SCRIPT, ['--fifo', fifo, '--log', logPath], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
      copier = c.child;
      copierExited = c.exited;
      const copierErr: string[] = [];
      c.child.stderr?.setEncoding('utf8');
      c.child.stderr?.on('data', (chunk: string) => copierErr.push(chunk));
      await once(c.child, 'cri-log-copier', (m) => ((m as { type?: string } | undefined)?.type === 'attached' ? true : undefined), ctx.signal).catch(
        (err: unknown) => {
          throw new Error(`${err instanceof Error ? err.message : String(err)}: ${copierErr.join('').trim()}`);
        },
      );
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
