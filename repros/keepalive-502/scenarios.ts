// The scenarios: start the topology, let the client settle on its keep-alive connection, delete one
// pod through pod-deletion (kubectl delete pod), and record the client's timeline until the deleted pod
// has exited and a few more requests were answered. `up` starts the topology and leaves it running.
import { UsageError, type RunContext, type ScenarioResult } from '../lib/repro.ts';
import { deletionChecks, type DeletionKind } from './checks.ts';
import type { Policy } from './endpoints.ts';
import { now, type ClientResponse } from './events.ts';
import { OK_PAGE } from './graceful-shutdown.ts';
import { describe } from './narrate.ts';
import { deletionObservations } from './observations.ts';
import { toEntry } from './timeline.ts';
import { REAL, scaledTimings, SLACK_MS, type Timings } from './constants.ts';
import { startTopology, type Topology } from './topology.ts';


// The incident's balancer was a cloud load balancer that deregisters a terminating pod. With two
// replicas a Service (kube-proxy) chooses the same endpoints, so only the single-replica runs differ.
export const SETUPS: Record<DeletionKind, { replicas: number; fix: boolean; direct: boolean; policy: Policy }> = {
  broken: { replicas: 2, fix: false, direct: false, policy: 'deregister' },
  fixed: { replicas: 2, fix: true, direct: false, policy: 'deregister' },
  direct: { replicas: 2, fix: false, direct: true, policy: 'deregister' },
  'single-replica': { replicas: 1, fix: false, direct: false, policy: 'deregister' },
  'single-replica-service': { replicas: 1, fix: false, direct: false, policy: 'kube-proxy' },
};

/** How often a terminating pod's progress is shown, ms. */
const PROGRESS_EVERY_MS = 250;

const BALANCER: Record<Policy, string> = { deregister: 'l4-balancer (deregisters, as the cloud LB)', 'kube-proxy': 'l4-balancer (as a Service)' };

function shape(replicas: number, direct: boolean, fix: boolean, policy: Policy): string {
  const pods = `${replicas} pod${replicas === 1 ? '' : 's'}${fix ? ' (with the fix)' : ''}`;
  return direct ? `client -> gateway -> ${pods} (pod addresses as upstreams)` : `client -> gateway -> ${BALANCER[policy]} -> ${pods}`;
}

function rejectTopologyFlags(ctx: RunContext, scenario: string): void {
  for (const f of ['fix', 'direct', 'replicas', 'policy']) {
    if (ctx.flags[f] !== undefined) {
      throw new UsageError(`--${f} applies to the up scenario (and --fix to the pod component), not to ${scenario}; the deletion scenarios set it themselves`);
    }
  }
}

async function terminate(topo: Topology, pod: string): Promise<void> {
  const res = await fetch(`${topo.deletionUrl}/pods/${pod}/terminate`, { method: 'POST' });
  if (res.status !== 202) throw new Error(`pod-deletion refused to delete ${pod}: HTTP ${res.status} ${await res.text()}`);
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${Math.round(ms)} ms waiting for ${what}`)), ms);
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    });
  });
}

/** The client's answers so far. */
function responsesOf(client: NonNullable<Topology['client']>): ClientResponse[] {
  return client.events.events.filter((e): e is ClientResponse => e.ev === 'response');
}

/**
 * Waits for the warm-up answers, then deletes the pod the client's requests currently reach (through
 * the balancer: the pod behind the gateway's pooled connection; with pod addresses as upstreams, pod-0).
 */
async function deleteServingPod(ctx: RunContext, topo: Topology, direct: boolean, t: Timings): Promise<{ victim: string; deletedAt: number }> {
  const client = topo.client!;
  const warm = await client.events.waitUntil(
    `${REAL.warmupRequests} answers before the deletion`,
    () => (responsesOf(client).length >= REAL.warmupRequests ? responsesOf(client) : undefined),
    { signal: ctx.signal, timeoutMs: SLACK_MS + REAL.warmupRequests * t.clientIntervalMs },
  );
  const victim = direct ? 'pod-0' : warm[warm.length - 1]?.pod;
  if (!victim) throw new Error(`no pod answered before the deletion: ${JSON.stringify(warm)}`);
  await terminate(topo, victim);
  const deletedAt = (await topo.deletion.events.waitFor('the deletion', (e) => e.ev === 'terminate', { signal: ctx.signal, timeoutMs: SLACK_MS })).t;
  return { victim, deletedAt };
}

/** Until the deleted pod exits at the end of its grace period, and a few answers more; returns its exit time. */
async function untilExitedAndAfter(ctx: RunContext, topo: Topology, victim: string, deletedAt: number, t: Timings): Promise<number> {
  const client = topo.client!;
  const victimProc = topo.pods.find((p) => p.name === victim)!;
  const ticker = setInterval(() => {
    const s = (now() - deletedAt) / 1000;
    ctx.progress(`${victim} terminating: ${s.toFixed(1)} s of its ${t.graceMs / 1000} s grace period`);
  }, PROGRESS_EVERY_MS);
  try {
    const exitedAt = await withTimeout(victimProc.exitedAt, t.graceMs + SLACK_MS, `${victim} to exit at the end of its grace period`, ctx.signal);
    await client.events.waitUntil(
      `${REAL.tailRequests} answers after ${victim} exited`,
      () => (responsesOf(client).filter((r) => r.sentT > exitedAt).length >= REAL.tailRequests ? true : undefined),
      { signal: ctx.signal, timeoutMs: SLACK_MS + REAL.tailRequests * t.clientIntervalMs },
    );
    return exitedAt;
  } finally {
    clearInterval(ticker);
  }
}

export async function runDeletion(ctx: RunContext, kind: DeletionKind): Promise<ScenarioResult> {
  rejectTopologyFlags(ctx, kind);
  const setup = SETUPS[kind];
  const t = scaledTimings(ctx.scale);
  const origin = now();
  ctx.log(`${kind}: ${shape(setup.replicas, setup.direct, setup.fix, setup.policy)}`);
  ctx.log(
    `timings at scale ${ctx.scale}: preStop ${t.preStopMs / 1000} s, grace period ${t.graceMs / 1000} s, ` +
      `client every ${t.clientIntervalMs / 1000} s, gateway fail_timeout ${t.failTimeoutMs / 1000} s`,
  );
  const topo = await startTopology(ctx, {
    ...setup,
    timings: t,
    clientPath: OK_PAGE,
    onEvent: (e) => {
      const line = describe(e, { origin, verbose: false });
      if (line) ctx.log(line);
    },
  });
  const { victim, deletedAt } = await deleteServingPod(ctx, topo, setup.direct, t);
  const exitedAt = await untilExitedAndAfter(ctx, topo, victim, deletedAt, t);

  const observations = deletionObservations({
    scenario: kind,
    topology: shape(setup.replicas, setup.direct, setup.fix, setup.policy),
    victim,
    deletedAt,
    exitedAt,
    scale: ctx.scale,
    timeline: responsesOf(topo.client!).map((r) => toEntry(r, deletedAt, ctx.scale)),
    kubelet: topo.deletion.events.events,
    podEvents: topo.pods.find((p) => p.name === victim)!.events.events,
    gatewayEvents: topo.gateway.events.events,
    balancerConnectionsAfterDeletion: (topo.balancer?.events.events ?? []).flatMap((e) =>
      e.ev === 'conn' && e.t >= deletedAt ? [{ endpoint: e.endpoint, endpointState: e.endpointState }] : [],
    ),
  });
  ctx.log(
    `after the deletion: ${observations.requestsAfterDeletion} requests, statuses ${observations.statusRunsAfterDeletion.join(' -> ')}, ` +
      `${observations.oldConnection.requestsAfterDeletion} answered by ${victim} on its old connection ${observations.oldConnection.conn ?? '?'}`,
  );
  return { observations, checks: deletionChecks({ ...observations, judgedAs: kind, direct: setup.direct }) };
}

export async function runUp(ctx: RunContext): Promise<ScenarioResult> {
  const replicas = typeof ctx.flags.replicas === 'number' ? ctx.flags.replicas : 2;
  const fix = ctx.flags.fix === true;
  const direct = ctx.flags.direct === true;
  const policy: Policy = ctx.flags.policy === 'kube-proxy' ? 'kube-proxy' : 'deregister';
  const t = scaledTimings(ctx.scale);
  const origin = now();
  ctx.log(`up: ${shape(replicas, direct, fix, policy).replace('client ->', 'your client ->')}`);
  const topo = await startTopology(ctx, {
    replicas,
    fix,
    direct,
    policy,
    timings: t,
    onEvent: (e) => {
      const line = describe(e, { origin, verbose: true });
      if (line) ctx.log(line);
    },
  });
  ctx.log(`gateway URL: ${topo.gatewayUrl}/`);
  ctx.log(`pod-deletion URL: ${topo.deletionUrl}/`);
  ctx.log('in another terminal, paste this line, then run the commands below (or the page\'s):');
  ctx.log(`  export GATEWAY=${topo.gatewayUrl} DELETION=${topo.deletionUrl}`);
  ctx.log(`  curl -s -D- -o /dev/null "$GATEWAY${OK_PAGE}" "$GATEWAY/api/orders"   # one connection, two URLs`);
  ctx.log('  curl -X POST "$DELETION/pods/0/terminate"                          # kubectl delete pod pod-0');
  ctx.log('  curl "$DELETION/pods"');
  ctx.log('Ctrl-C stops every process.');
  // Runs until interrupted; an interrupted run ends like any other (the CLI exits 130).
  return new Promise<ScenarioResult>((_, reject) => {
    if (ctx.signal.aborted) return reject(ctx.signal.reason);
    ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
  });
}
