// keepalive-502's parts started alone (`npm run repro -- keepalive-502 <component>`): each runs in
// the foreground, narrating its events, until Ctrl-C. repro.ts describes them and loads this module
// on first start.
import { join } from 'node:path';
import { UsageError, type RunContext } from '../lib/repro.ts';
import { parseEndpoints } from './endpoints.ts';
import { EventStream, now, type AnyEvent } from './events.ts';
import { describe } from './narrate.ts';
import { COMPONENT_DEFAULTS as DEFAULTS } from './repro.ts';
import { scaledTimings } from './timings.ts';
import { OK_PAGE } from './graceful-shutdown.ts';
import { HOST } from '../lib/address.ts';

/** Runs one part alone in the foreground, narrating its events, until Ctrl-C. */
function component(script: string, args: (ctx: RunContext) => string[]): (ctx: RunContext) => Promise<void> {
  return async (ctx) => {
      const argv = [...args(ctx), ...(ctx.port !== undefined ? ['--port', String(ctx.port)] : [])];
      const spawned = ctx.procs.spawnNode(join(import.meta.dirname, script), argv, { stdio: ['ignore', 'pipe', 'inherit'] });
      const origin = now();
      new EventStream<AnyEvent>(spawned.child, (e) => {
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

function listFlag(ctx: RunContext, flag: 'endpoints' | 'upstreams'): string {
  const v = ctx.flags[flag];
  const items = Array.isArray(v) ? v : [DEFAULTS[flag]];
  parseEndpoints(items);
  return items.join(',');
}

export const startPod = component('pod.ts', (ctx) => [
  '--name', typeof ctx.flags.name === 'string' ? ctx.flags.name : 'pod-0',
  '--keepalive-ms', String(scaledTimings(ctx.scale).keepAliveTimeoutMs),
  ...(ctx.flags.fix === true ? ['--fix'] : []),
]);

export const startBalancer = component('l4-balancer.ts', (ctx) => [
  '--endpoints', listFlag(ctx, 'endpoints'),
  '--policy', ctx.flags.policy === 'kube-proxy' ? 'kube-proxy' : 'deregister',
]);

export const startGateway = component('incident-gateway.ts', (ctx) => {
  const t = scaledTimings(ctx.scale);
  return [
    '--upstreams', listFlag(ctx, 'upstreams'),
    '--fail-timeout-ms', String(t.failTimeoutMs),
    '--keepalive-ms', String(t.keepAliveTimeoutMs),
  ];
});

export const startClient = component('client.ts', (ctx) => {
  const target = typeof ctx.flags.target === 'string' ? ctx.flags.target : DEFAULTS.target;
  if (!/^http:\/\/(127\.0\.0\.1|localhost):\d+\//.test(target)) {
    throw new UsageError(`--target must be an http URL on ${HOST} with a path, e.g. http://${HOST}:8080${OK_PAGE}; got "${target}"`);
  }
  return ['--target', target, '--interval-ms', String(scaledTimings(ctx.scale).clientIntervalMs)];
});
