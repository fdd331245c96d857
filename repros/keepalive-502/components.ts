// keepalive-502's parts started alone (`npm run repro -- keepalive-502 <component>`): each runs in
// the foreground, narrating its events, until Ctrl-C. repro.ts describes them and loads this module
// on first start.
import { join } from 'node:path';
import { UsageError, type RunContext } from '../lib/repro.ts';
import { parseEndpoints } from './endpoints.ts';
import { EventStream } from '../lib/child-events.ts';
import { childArgv, PORT_FLAG, type ChildFlag, type ChildInput } from '../lib/flags.ts';
import { BALANCER_FLAGS, CLIENT_FLAGS, GATEWAY_FLAGS, POD_FLAGS } from './children.ts';
import { now, type AnyEvent } from './events.ts';
import { describe } from './narrate.ts';
import { COMPONENT_DEFAULTS as DEFAULTS } from './repro.ts';
import { scaledTimings } from './constants.ts';
import { OK_PAGE } from './graceful-shutdown.ts';
import { HOST } from '../lib/address.ts';

/** Runs one part alone in the foreground, narrating its events, until Ctrl-C; --port (0: a free one) is passed on. */
function component<const S extends readonly ChildFlag[]>(script: string, flags: S, args: (ctx: RunContext) => ChildInput<S>): (ctx: RunContext) => Promise<void> {
  return async (ctx) => {
    const takesPort = flags.some((f) => f.name === PORT_FLAG.name);
    const argv = childArgv(flags, { ...args(ctx), ...(takesPort && ctx.port !== undefined ? { port: ctx.port } : {}) });
    const spawned = ctx.procs.spawnNode(join(import.meta.dirname, script), argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    const origin = now();
    new EventStream<AnyEvent>(spawned.child.stdout, (e) => {
      if (e.ev === 'listening') {
        if (e.proc === 'client') ctx.log(`client: requesting ${e.target} (Ctrl-C to stop)`);
        else if (e.proc === 'l4-balancer') ctx.log(`l4-balancer listening on ${HOST}:${e.port}, admin API on ${HOST}:${e.adminPort} (GET /endpoints)`);
        else ctx.log(`${e.proc === 'pod' ? e.name : e.proc} listening on ${HOST}:${e.port}`);
        return;
      }
      const line = describe(e, { origin, verbose: true });
      if (line) ctx.log(line);
    });
    await new Promise<void>((resolve) => {
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
      spawned.exited.then(() => resolve(), () => resolve());
    });
  };
}

function listFlag(ctx: RunContext, flag: 'endpoints' | 'upstreams'): string[] {
  const v = ctx.flags[flag];
  const items = Array.isArray(v) ? v : [DEFAULTS[flag]];
  parseEndpoints(items);
  return items;
}

export const startPod = component('pod.ts', POD_FLAGS, (ctx) => ({
  name: typeof ctx.flags.name === 'string' ? ctx.flags.name : undefined,
  'keepalive-ms': scaledTimings(ctx.scale).keepAliveTimeoutMs,
  fix: ctx.flags.fix === true,
}));

export const startBalancer = component('l4-balancer.ts', BALANCER_FLAGS, (ctx) => ({
  endpoints: listFlag(ctx, 'endpoints'),
  policy: ctx.flags.policy === 'kube-proxy' ? 'kube-proxy' as const : 'deregister' as const,
}));

export const startGateway = component('incident-gateway.ts', GATEWAY_FLAGS, (ctx) => {
  const t = scaledTimings(ctx.scale);
  return { upstreams: listFlag(ctx, 'upstreams'), 'fail-timeout-ms': t.failTimeoutMs, 'keepalive-ms': t.keepAliveTimeoutMs };
});

export const startClient = component('client.ts', CLIENT_FLAGS, (ctx) => {
  const target = typeof ctx.flags.target === 'string' ? ctx.flags.target : DEFAULTS.target;
  const url = URL.canParse(target) ? new URL(target) : undefined;
  if (!url || url.protocol !== 'http:' || !['localhost', HOST].includes(url.hostname) || url.port === '') {
    throw new UsageError(`--target must be an http URL on ${HOST} with a port and a path, e.g. http://${HOST}:8080${OK_PAGE}; got "${target}"`);
  }
  return { target, 'interval-ms': scaledTimings(ctx.scale).clientIntervalMs };
});
