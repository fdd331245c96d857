// Starts the incident's topology as real processes on HOST (lib/address.ts) and waits for each to report its
// port: pods -> l4-balancer (unless direct) -> gateway -> pod-deletion -> client (optional).
import { join } from 'node:path';
import { EventStream, START_TIMEOUT_MS } from '../lib/child-events.ts';
import { childArgv } from '../lib/flags.ts';
import type { Spawned } from '../lib/processes.ts';
import type { RunContext } from '../lib/repro.ts';
import { BALANCER_FLAGS, CLIENT_FLAGS, POD_DELETION_FLAGS, GATEWAY_FLAGS, POD_FLAGS } from './children.ts';
import { type AnyEvent, type BalancerEvent, type ClientEvent, type PodDeletionEvent, type GatewayEvent, type PodEvent } from './events.ts';
import type { Policy } from './endpoints.ts';
import type { Timings } from './constants.ts';
import { HOST } from '../lib/address.ts';

const HERE = import.meta.dirname;

export interface TopologyOptions {
  replicas: number;
  fix: boolean;
  direct: boolean;
  /** Which endpoints the balancer gives new connections (endpoints.ts). */
  policy: Policy;
  timings: Timings;
  /** Start the incident's client against the gateway, requesting this path. */
  clientPath?: string;
  /** Called with every event of every process, in arrival order. */
  onEvent: (e: AnyEvent) => void;
}

export interface Proc<E extends AnyEvent> {
  spawned: Spawned;
  events: EventStream<E>;
}

export interface PodProc extends Proc<PodEvent> {
  name: string;
  port: number;
  /** Resolves with the time (events' clock) the process exited. */
  exitedAt: Promise<number>;
}

export interface Topology {
  pods: PodProc[];
  balancer?: Proc<BalancerEvent> & { port: number; adminPort: number };
  gateway: Proc<GatewayEvent> & { port: number };
  deletion: Proc<PodDeletionEvent> & { port: number };
  client?: Proc<ClientEvent>;
  gatewayUrl: string;
  deletionUrl: string;
}

function start<E extends AnyEvent>(ctx: RunContext, script: string, args: string[], onEvent: (e: AnyEvent) => void): Proc<E> {
  const spawned = ctx.procs.spawnNode(join(HERE, script), args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return { spawned, events: new EventStream<E>(spawned.child.stdout, onEvent) };
}

async function listening<E extends AnyEvent>(ctx: RunContext, p: Proc<E>, what: string): Promise<Extract<E, { ev: 'listening' }>> {
  const exited = p.spawned.exited.then(({ code, signal }) => {
    throw new Error(`${what} exited before it was ready (code ${code}, signal ${signal})`);
  });
  const ready = p.events.waitFor(`${what} to report its port`, (e): e is Extract<E, { ev: 'listening' }> => e.ev === 'listening', { signal: ctx.signal, timeoutMs: START_TIMEOUT_MS });
  return Promise.race([ready, exited]);
}

export async function startTopology(ctx: RunContext, o: TopologyOptions): Promise<Topology> {
  const t = o.timings;
  const podProcs = Array.from({ length: o.replicas }, (_, i) => {
    const name = `pod-${i}`;
    const p = start<PodEvent>(ctx, 'pod.ts', childArgv(POD_FLAGS, { name, 'keepalive-ms': t.keepAliveTimeoutMs, fix: o.fix }), o.onEvent);
    return { name, p };
  });
  const pods: PodProc[] = await Promise.all(
    podProcs.map(async ({ name, p }) => {
      const l = await listening(ctx, p, name);
      const exitedAt = p.spawned.exited.then(() => performance.timeOrigin + performance.now());
      return { ...p, name, port: l.port, exitedAt };
    }),
  );
  const podAddrs = pods.map((p) => `${p.name}=${HOST}:${p.port}`);

  let balancer: Topology['balancer'];
  if (!o.direct) {
    const b = start<BalancerEvent>(ctx, 'l4-balancer.ts', childArgv(BALANCER_FLAGS, { endpoints: podAddrs, policy: o.policy }), o.onEvent);
    const l = await listening(ctx, b, 'l4-balancer');
    balancer = { ...b, port: l.port, adminPort: l.adminPort };
  }
  const upstreams = balancer ? [`lb=${HOST}:${balancer.port}`] : podAddrs;
  const g = start<GatewayEvent>(
    ctx,
    'incident-gateway.ts',
    childArgv(GATEWAY_FLAGS, { upstreams, 'fail-timeout-ms': t.failTimeoutMs, 'keepalive-ms': t.keepAliveTimeoutMs }),
    o.onEvent,
  );
  const gateway = { ...g, port: (await listening(ctx, g, 'gateway')).port };

  const c = start<PodDeletionEvent>(
    ctx,
    'pod-deletion.ts',
    childArgv(POD_DELETION_FLAGS, {
      pods: podAddrs,
      pids: pods.map((p) => `${p.name}=${p.spawned.child.pid ?? 0}`),
      'prestop-ms': t.preStopMs,
      'grace-ms': t.graceMs,
      'balancer-admin': balancer ? `http://${HOST}:${balancer.adminPort}` : undefined,
    }),
    o.onEvent,
  );
  const deletion = { ...c, port: (await listening(ctx, c, 'pod-deletion')).port };
  const gatewayUrl = `http://${HOST}:${gateway.port}`;

  let client: Proc<ClientEvent> | undefined;
  if (o.clientPath !== undefined) {
    client = start<ClientEvent>(ctx, 'client.ts', childArgv(CLIENT_FLAGS, { target: gatewayUrl + o.clientPath, 'interval-ms': t.clientIntervalMs }), o.onEvent);
    await listening(ctx, client, 'client');
  }
  return {
    pods,
    ...(balancer ? { balancer } : {}),
    gateway,
    deletion,
    ...(client ? { client } : {}),
    gatewayUrl,
    deletionUrl: `http://${HOST}:${deletion.port}`,
  };
}
