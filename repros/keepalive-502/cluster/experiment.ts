// The keepalive-502 experiment on real Kubernetes (started by run.ts): the app behind a NodePort
// Service (the load balancer), the gateway pointed at that one address, and the incident's client
// pod. It deletes the pod the client's requests reach, with the incident's preStop hook and
// grace period doing the rest, and reads every part's JSON event lines with `kubectl logs -f`. The
// report has the observations of `npm run repro -- keepalive-502 <scenario> --json`.
import type { Flags, ScenarioResult } from '../../lib/repro.ts';
import type { KindCluster } from '../../lib/cluster/kind.ts';
import { until, type Watch, type WatchLine } from '../../lib/cluster/kubectl.ts';
import { toYaml } from '../../lib/cluster/objects.ts';
import { deletionChecks } from '../checks.ts';
import type { ClientEvent, ClientResponse, PodDeletionEvent, GatewayEvent, PodEvent } from '../events.ts';
import { parseEvent, type ChildEvent } from '../../lib/child-events.ts';
import { deletionObservations } from '../observations.ts';
import { isOk, toEntry } from '../timeline.ts';
import { REAL } from '../constants.ts';
import { APP, CLIENT, GATEWAY, manifests } from './manifests.ts';
import type { ClusterScenario } from './variants.ts';

const SETUPS: Record<ClusterScenario, { replicas: number; fix: boolean }> = {
  broken: { replicas: 2, fix: false },
  fixed: { replicas: 2, fix: true },
  'single-replica': { replicas: 1, fix: false },
};

/** The Deployments' rollout, and the client pod's readiness (kubectl's --timeout). */
const ROLLOUT_TIMEOUT = '300s';
const CLIENT_READY_TIMEOUT = '120s';
/** The client's answers (warm-up, then after the pod is gone) come every few seconds; a minute is plenty. */
const ANSWERS_WITHIN_MS = 60_000;
const EVENTS_POLL_MS = 200;
/** The deleted pod is gone from the API within its grace period and this much more. */
const POD_GONE_SPARE_S = 60;

/** The parts' event lines (lib/child-events.ts) from `kubectl logs -f`; anything else they print is skipped. */
function events<E extends ChildEvent>(w: Watch): E[] {
  return w.lines.flatMap((l) => parseEvent<E>(l.line) ?? []);
}

interface PodList {
  items: { metadata: { name: string; deletionTimestamp?: string }; status: { phase: string; podIP?: string } }[];
}

/** The app, the gateway and their Service, rolled out, with every part's event lines watched from now on. */
async function deployAndWatch(c: KindCluster, kind: ClusterScenario, log: (line: string) => void) {
  const setup = SETUPS[kind];
  const objects = manifests(setup);
  await c.replace(toYaml(objects.slice(0, 4)));
  for (const d of [APP, GATEWAY]) await c.kubectl(['rollout', 'status', `deployment/${d}`, '--timeout', ROLLOUT_TIMEOUT]);
  const pods = (await c.json<PodList>(['get', 'pods', '-l', `app=${APP}`])).items.filter((p) => !p.metadata.deletionTimestamp);
  log(`${kind}: client -> gateway -> NodePort Service -> ${pods.length} pod${pods.length === 1 ? '' : 's'}${setup.fix ? ' (with the fix)' : ''}`);
  // Every part's event lines, from before the deletion to the end.
  const podLogs = new Map(pods.map((p) => [p.metadata.name, c.watch(['logs', '-f', p.metadata.name])]));
  const gatewayLog = c.watch(['logs', '-f', `deployment/${GATEWAY}`]);
  const slices = c.watch(
    ['get', 'endpointslices', '-l', `kubernetes.io/service-name=${APP}`, '-w', '-o',
      'jsonpath={range .endpoints[*]}{.targetRef.name} ready={.conditions.ready} serving={.conditions.serving} terminating={.conditions.terminating}; {end}{"\\n"}'],
    (l) => log(`  EndpointSlice: ${l.line}`),
  );
  c.watch(['get', 'pods', '-l', `app=${APP}`, '-w'], (l) => log(`  ${l.line}`));
  return { clientPod: objects[4], podLogs, gatewayLog, slices };
}

/** The incident's client pod, its answers narrated as they arrive; returns its log watch. */
async function startClient(c: KindCluster, clientPod: ReturnType<typeof manifests>[number], log: (line: string) => void): Promise<Watch> {
  await c.replace(toYaml([clientPod]));
  await c.kubectl(['wait', '--for=condition=Ready', `pod/${CLIENT}`, `--timeout=${CLIENT_READY_TIMEOUT}`]);
  return c.watch(['logs', '-f', CLIENT], (l) => {
    const r = parseEvent<ClientEvent>(l.line);
    if (r?.ev === 'response') {
      log(`  client #${r.seq}: ${r.status || r.error} ${r.pod ?? ''} ${r.podConn ?? ''}`);
    }
  });
}

/** `kubectl delete pod` of the pod the client's answers come from; until it is gone, and a few answers more. */
async function deleteServingPod(c: KindCluster, responses: () => ClientResponse[], podLogs: ReadonlyMap<string, Watch>, log: (line: string) => void) {
  const warm = await until(`${REAL.warmupRequests} answers before the deletion`, async () => {
    const ok = responses().filter((r) => isOk(r.status));
    return ok.length >= REAL.warmupRequests ? ok : undefined;
  }, ANSWERS_WITHIN_MS, EVENTS_POLL_MS);
  const victim = warm[warm.length - 1]?.pod;
  if (!victim || !podLogs.has(victim)) throw new Error(`the client's answers did not name a pod of ${APP}: ${JSON.stringify(warm.at(-1))}`);

  log(`kubectl delete pod ${victim}`);
  const deletedAt = Date.now();
  await c.kubectl(['delete', 'pod', victim, '--wait=false']);
  const exitedAt = await until(`${victim} to be gone (preStop ${REAL.preStopS} s, grace period ${REAL.graceS} s)`, async () => {
    const r = await c.kubectl(['get', 'pod', victim, '-o', 'name'], { allowFail: true });
    return r.code !== 0 ? Date.now() : undefined;
  }, (REAL.graceS + POD_GONE_SPARE_S) * 1000, 500);
  await until(`${REAL.tailRequests} answers after ${victim} exited`, async () => (responses().filter((r) => r.sentT > exitedAt).length >= REAL.tailRequests ? true : undefined), ANSWERS_WITHIN_MS, EVENTS_POLL_MS);
  return { victim, deletedAt, exitedAt };
}

export async function experiment(c: KindCluster, flags: Flags, log: (line: string) => void): Promise<ScenarioResult> {
  const kind = (typeof flags.scenario === 'string' ? flags.scenario : 'broken') as ClusterScenario;
  const { clientPod, podLogs, gatewayLog, slices } = await deployAndWatch(c, kind, log);
  const clientLog = await startClient(c, clientPod, log);
  const responses = (): ClientResponse[] => events<ClientResponse>(clientLog).filter((e) => e.ev === 'response');
  const { victim, deletedAt, exitedAt } = await deleteServingPod(c, responses, podLogs, log);
  c.stopWatches();

  return observe({
    kind,
    victim,
    deletedAt,
    exitedAt,
    responses: responses(),
    podEvents: events<PodEvent>(podLogs.get(victim) as Watch),
    gatewayEvents: events<GatewayEvent>(gatewayLog),
    endpointSlice: slices.lines,
    log,
  });
}

/** What a cluster run collected: the client's answers, the parts' events and the EndpointSlice lines. */
export interface Collected {
  kind: ClusterScenario;
  victim: string;
  /** Wall-clock ms of the deletion and of the pod's disappearance from the API. */
  deletedAt: number;
  exitedAt: number;
  responses: readonly ClientResponse[];
  podEvents: readonly PodEvent[];
  gatewayEvents: readonly GatewayEvent[];
  endpointSlice: readonly WatchLine[];
  log(line: string): void;
}

/**
 * The local scenario's observations and checks from what the cluster run collected, with the same
 * functions (timeline.ts). Pure, so a test can feed it a local recording and compare.
 */
export function observe(x: Collected): ScenarioResult {
  const { kind, victim, deletedAt, exitedAt, podEvents } = x;
  const setup = SETUPS[kind];
  // The kubelet's steps as the local pod-deletion process reports them, from what the pod itself saw:
  // the hook's ok.htm?down=true, SIGTERM, and the end of the pod.
  const kubelet: PodDeletionEvent[] = [
    ...podEvents.flatMap((e): PodDeletionEvent[] => (e.ev === 'draining' ? [{ ev: 'prestop-done', proc: 'pod-deletion', pod: victim, status: 200, t: e.t }] : [])),
    ...podEvents.flatMap((e): PodDeletionEvent[] => (e.ev === 'sigterm' ? [{ ev: 'signal', proc: 'pod-deletion', pod: victim, signal: 'SIGTERM', t: e.t }] : [])),
    { ev: 'signal', proc: 'pod-deletion', pod: victim, signal: 'SIGKILL', t: exitedAt },
  ];
  const observations = deletionObservations({
    scenario: kind,
    topology: `client -> gateway -> NodePort Service (kube-proxy) -> ${setup.replicas} pod${setup.replicas === 1 ? '' : 's'}${setup.fix ? ' (with the fix)' : ''}`,
    victim,
    deletedAt,
    exitedAt,
    scale: 1,
    timeline: x.responses.map((r) => toEntry(r, deletedAt, 1)),
    kubelet,
    podEvents,
    gatewayEvents: x.gatewayEvents,
    // kube-proxy's choice for each new connection is a NAT rule, not an event; the EndpointSlice
    // conditions below are what it acted on.
    balancerConnectionsAfterDeletion: null,
    endpointSliceAfterDeletion: x.endpointSlice.filter((l) => l.t >= deletedAt).map((l) => ({ s: Math.round(l.t - deletedAt) / 1000, endpoints: l.line.trim() })),
  });
  x.log(`after the deletion: ${observations.requestsAfterDeletion} requests, statuses ${observations.statusRunsAfterDeletion.join(' -> ')}, ${observations.oldConnection.requestsAfterDeletion} answered by ${victim} on its old connection`);

  // On a cluster the balancer is a Service: kube-proxy, not a balancer that deregisters the pod, so a
  // single replica is checked against the Service's claims.
  const judgedAs = kind === 'single-replica' ? 'single-replica-service' : kind;
  return { observations, checks: deletionChecks({ ...observations, judgedAs, direct: false }) };
}
