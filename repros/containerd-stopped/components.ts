// containerd-stopped's parts started alone (`npm run repro -- containerd-stopped <component>`), in
// the foreground until they exit or Ctrl-C. repro.ts describes them and loads this module on first start.
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunContext } from '../lib/repro.ts';
import { APP_SCRIPT, COPIER_SCRIPT, SHIM_SCRIPT } from './pipe-chain.ts';

function str(ctx: RunContext, name: string): string | undefined {
  const v = ctx.flags[name];
  return typeof v === 'string' ? v : undefined;
}

/** Where the shim and the copier meet when started alone without --fifo / --log. */
export const DEFAULT_COMPONENT_DIR = join(tmpdir(), 'containerd-stopped');

function path(ctx: RunContext, name: string, file: string): string {
  const given = str(ctx, name);
  if (given) return given;
  mkdirSync(DEFAULT_COMPONENT_DIR, { recursive: true });
  return join(DEFAULT_COMPONENT_DIR, file);
}

function passThrough(ctx: RunContext): string[] {
  const args: string[] = [];
  const logger = str(ctx, 'logger');
  if (logger) args.push('--logger', logger);
  const lineBytes = ctx.flags['line-bytes'];
  if (typeof lineBytes === 'number') args.push('--line-bytes', String(lineBytes));
  if (ctx.port !== undefined) args.push('--port', String(ctx.port));
  return args;
}

/** Runs one script in the foreground until it exits or the user presses Ctrl-C. */
async function foreground(ctx: RunContext, script: string, args: string[], stdout: 'inherit' | 'ignore'): Promise<void> {
  const p = ctx.procs.spawnNode(script, args, { stdio: ['ignore', stdout, 'inherit'] });
  const aborted = new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
  await Promise.race([p.exited, aborted]);
}

export const startApp = (ctx: RunContext): Promise<void> => foreground(ctx, APP_SCRIPT, passThrough(ctx), 'inherit');

export const startShim = (ctx: RunContext): Promise<void> =>
  foreground(ctx, SHIM_SCRIPT, ['--fifo', path(ctx, 'fifo', 'app-stdout'), ...passThrough(ctx)], 'ignore');

export const startCopier = (ctx: RunContext): Promise<void> =>
  foreground(ctx, COPIER_SCRIPT, ['--fifo', path(ctx, 'fifo', 'app-stdout'), '--log', path(ctx, 'log', '0.log')], 'ignore');
