// keepalive-502: 502s from a gateway while a pod terminates behind a load balancer, because the
// gateway's keep-alive connection keeps reaching the terminating pod.
import { join } from 'node:path';
import { UsageError, type Component, type FlagSpec, type Repro, type RunContext } from '../lib/repro.ts';
import { claims } from './claims.ts';
import { parseEndpoints, POLICIES } from './endpoints.ts';
import { EventStream, now, type AnyEvent } from './events.ts';
import { OK_PAGE } from './graceful-shutdown.ts';
import { describe } from './narrate.ts';
import { realBroken, realSingleReplicaService } from './real/scenarios.ts';
import { runDeletion, runUp } from './scenarios.ts';
import { REAL, scaledTimings } from './timings.ts';

const FLAGS: readonly FlagSpec[] = [
  { name: 'fix', type: 'boolean', description: 'up, pod: the fixed app (Connection: close while draining, ok page stays 200)' },
  { name: 'direct', type: 'boolean', description: 'up: gateway upstreams are the pod addresses, no balancer' },
  { name: 'policy', type: 'string', choices: POLICIES, description: 'up, l4-balancer: new connections to ready pods only (deregister: the incident\'s cloud LB) or as a Service (kube-proxy: terminating pods when none is ready)', default: 'deregister' },
  { name: 'replicas', type: 'number', description: 'up: number of pods', default: '2', min: 1, max: 5 },
  { name: 'name', type: 'string', description: 'pod: the pod name in x-pod', default: 'pod-0' },
  { name: 'endpoints', type: 'list', description: 'l4-balancer: pod addresses, name=127.0.0.1:port or 127.0.0.1:port', default: 'pod-0=127.0.0.1:8081' },
  { name: 'upstreams', type: 'list', description: 'gateway: upstream addresses, name=127.0.0.1:port (the balancer, or the pods)', default: 'lb=127.0.0.1:9000' },
  { name: 'target', type: 'string', description: 'client: URL to request', default: `http://127.0.0.1:8080${OK_PAGE}` },
];

/** Runs one part alone in the foreground, narrating its events, until Ctrl-C. */
function component(description: string, script: string, args: (ctx: RunContext) => string[]): Component {
  return {
    description,
    async start(ctx) {
      const argv = [...args(ctx), ...(ctx.port !== undefined ? ['--port', String(ctx.port)] : [])];
      const spawned = ctx.procs.spawnNode(join(import.meta.dirname, script), argv, { stdio: ['ignore', 'pipe', 'inherit'] });
      const origin = now();
      new EventStream<AnyEvent>(spawned.child, (e) => {
        if (e.ev === 'listening') {
          if (e.proc === 'client') ctx.log(`client: requesting ${e.target} (Ctrl-C to stop)`);
          else if (e.proc === 'l4-balancer') ctx.log(`l4-balancer listening on 127.0.0.1:${e.port}, admin API on 127.0.0.1:${e.adminPort} (GET /endpoints)`);
          else ctx.log(`${e.proc === 'pod' ? e.name : e.proc} listening on 127.0.0.1:${e.port}`);
          return;
        }
        const line = describe(e, { origin, verbose: true });
        if (line) ctx.log(line);
      });
      await new Promise<void>((resolve) => {
        ctx.signal.addEventListener('abort', () => resolve(), { once: true });
        spawned.exited.then(() => resolve(), () => resolve());
      });
    },
  };
}

// Defaults that chain the parts started alone on fixed ports:
//   pod --port 8081  <-  l4-balancer --port 9000  <-  incident-gateway --port 8080  <-  client
const DEFAULTS = {
  endpoints: 'pod-0=127.0.0.1:8081',
  upstreams: 'lb=127.0.0.1:9000',
  target: `http://127.0.0.1:8080${OK_PAGE}`,
} as const;

function listFlag(ctx: RunContext, flag: 'endpoints' | 'upstreams'): string {
  const v = ctx.flags[flag];
  const items = Array.isArray(v) ? v : [DEFAULTS[flag]];
  parseEndpoints(items);
  return items.join(',');
}

export const repro: Repro = {
  slug: 'keepalive-502',
  title: '502s during pod termination behind a load balancer with HTTP keep-alive',
  description: 'Deleting a pod: the gateway\'s keep-alive connection through the balancer reaches the terminating pod; the incident\'s gateway marks its only upstream down on a 503, 502s follow.',
  defaultScenario: 'broken',
  scenarios: {
    broken: {
      description: 'the incident\'s gateway -> l4-balancer -> 2 pods; delete the pod the client is on: 200s for the preStop time, a 503, then 502s',
      run: (ctx) => runDeletion(ctx, 'broken'),
      real: realBroken,
    },
    'single-replica': {
      description: 'as broken with one pod behind a balancer that deregisters it (the cloud LB): new connections refused, 502s until the end',
      run: (ctx) => runDeletion(ctx, 'single-replica'),
    },
    'single-replica-service': {
      description: 'one pod behind a Service (kube-proxy policy): the terminating pod keeps getting new connections, none refused',
      run: (ctx) => runDeletion(ctx, 'single-replica-service'),
      real: realSingleReplicaService,
    },
    fixed: {
      description: 'as broken with the fixed app (Connection: close while draining, ok page stays 200): no non-2xx',
      run: (ctx) => runDeletion(ctx, 'fixed'),
    },
    direct: {
      description: 'gateway -> pod addresses, no balancer: only the deleted pod is marked down, no 502',
      run: (ctx) => runDeletion(ctx, 'direct'),
    },
    up: {
      description: 'start the topology and keep it running for your own client (--fix, --direct, --replicas apply)',
      run: runUp,
    },
  },
  components: {
    pod: component('the app alone (--name, --fix): GET /ok.htm, /ok.htm?down=true, any other path', 'pod.ts', (ctx) => [
      '--name', typeof ctx.flags.name === 'string' ? ctx.flags.name : 'pod-0',
      '--keepalive-ms', String(scaledTimings(ctx.scale).keepAliveTimeoutMs),
      ...(ctx.flags.fix === true ? ['--fix'] : []),
    ]),
    'l4-balancer': component('the TCP balancer alone (--endpoints, default pod-0=127.0.0.1:8081; --policy)', 'l4-balancer.ts', (ctx) => [
      '--endpoints', listFlag(ctx, 'endpoints'),
      '--policy', ctx.flags.policy === 'kube-proxy' ? 'kube-proxy' : 'deregister',
    ]),
    'incident-gateway': component('the incident\'s gateway alone, as modelled (marks even its only upstream down after a 503; --upstreams, default lb=127.0.0.1:9000)', 'incident-gateway.ts', (ctx) => {
      const t = scaledTimings(ctx.scale);
      return [
        '--upstreams', listFlag(ctx, 'upstreams'),
        '--fail-timeout-ms', String(t.failTimeoutMs),
        '--keepalive-ms', String(t.keepAliveTimeoutMs),
      ];
    }),
    client: component(`the incident's client alone (--target, default ${DEFAULTS.target}): one keep-alive session, one request a second`, 'client.ts', (ctx) => {
      const target = typeof ctx.flags.target === 'string' ? ctx.flags.target : DEFAULTS.target;
      if (!/^http:\/\/(127\.0\.0\.1|localhost):\d+\//.test(target)) {
        throw new UsageError(`--target must be an http URL on 127.0.0.1 with a path, e.g. http://127.0.0.1:8080${OK_PAGE}; got "${target}"`);
      }
      return ['--target', target, '--interval-ms', String(scaledTimings(ctx.scale).clientIntervalMs)];
    }),
  },
  flags: FLAGS,
  claims,
  sourceFiles: [
    'repros/keepalive-502/graceful-shutdown.ts',
    'repros/keepalive-502/pod.ts',
    'repros/keepalive-502/control.ts',
    'repros/keepalive-502/endpoints.ts',
    'repros/keepalive-502/l4-balancer.ts',
    'repros/keepalive-502/incident-gateway-health.ts',
    'repros/keepalive-502/incident-gateway.ts',
    'repros/keepalive-502/client.ts',
    'repros/keepalive-502/real/kube-proxy-chains.ts',
    'repros/keepalive-502/real/nginx-conf.ts',
    'repros/keepalive-502/real/netns.ts',
  ],
  expectedOutput: [
    'A per-request timeline: time, status, pod, connection.',
    `200s from the deleted pod on its old connection for about ${REAL.preStopS} s,`,
    `one 503, about ${REAL.failTimeoutS} s of 502s from the gateway,`,
    'then 200s from the other pod; then the claims, PASS or FAIL.',
  ].join('\n'),
};
