// containerd-stopped's parts started alone (`npm run repro -- containerd-stopped <component>`), in
// the foreground until they exit or Ctrl-C. repro.ts describes them and loads this module on first start.
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOST } from '../lib/address.ts';
import { EventStream, type ChildEvent } from '../lib/child-events.ts';
import { childArgv, type ChildInput } from '../lib/flags.ts';
import type { RunContext } from '../lib/repro.ts';
import { LOGGER_KINDS } from './app-api.ts';
import { APP_FLAGS, COPIER_FLAGS, SHIM_FLAGS, type AppEvent, type CopierEvent, type ShimEvent } from './children.ts';
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

/** The app's flags from the command line (the app's own fallbacks for what is not given). */
function appFlags(ctx: RunContext): ChildInput<typeof APP_FLAGS> {
  const logger = LOGGER_KINDS.find((k) => k === ctx.flags.logger);
  const lineBytes = ctx.flags['line-bytes'];
  return { logger, 'line-bytes': typeof lineBytes === 'number' ? lineBytes : undefined, port: ctx.port };
}

/**
 * Runs one script in the foreground until it exits or the user presses Ctrl-C, narrating its events
 * (read from `events`: the app's stderr, the others' stdout).
 */
async function foreground<E extends ChildEvent>(
  ctx: RunContext,
  script: string,
  args: string[],
  events: 'stdout' | 'stderr',
  narrate: (e: E) => string,
): Promise<void> {
  const p = ctx.procs.spawnNode(script, args, { stdio: ['ignore', events === 'stdout' ? 'pipe' : 'inherit', events === 'stderr' ? 'pipe' : 'inherit'] });
  new EventStream<E>(p.child[events], (e) => ctx.log(narrate(e)));
  const aborted = new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
  await Promise.race([p.exited, aborted]);
}

export const startApp = (ctx: RunContext): Promise<void> =>
  foreground<AppEvent>(ctx, APP_SCRIPT, childArgv(APP_FLAGS, appFlags(ctx)), 'stderr', (e) => `app listening on http://${HOST}:${e.port} pid ${e.pid} logger ${e.logger}`);

export const startShim = (ctx: RunContext): Promise<void> =>
  foreground<ShimEvent>(ctx, SHIM_SCRIPT, childArgv(SHIM_FLAGS, { fifo: path(ctx, 'fifo', 'app-stdout'), ...appFlags(ctx) }), 'stdout', (e) =>
    `shim pid ${e.shimPid}: app pid ${e.appPid} listening on http://${HOST}:${e.port}, its stdout copied into ${e.fifo}`);

export const startCopier = (ctx: RunContext): Promise<void> =>
  foreground<CopierEvent>(ctx, COPIER_SCRIPT, childArgv(COPIER_FLAGS, { fifo: path(ctx, 'fifo', 'app-stdout'), log: path(ctx, 'log', '0.log') }), 'stdout', (e) =>
    `cri-log-copier pid ${e.pid}: reading ${e.fifo} into ${e.log}`);
