// The crashloop-backoff experiment on a real kubelet (started by run.ts): the `api` Deployment with
// its in-pod chaos killer, and the pod's own container statuses read back after every restart. The
// observations are those of `npm run repro -- crashloop-backoff --json` (scenario chaos), with each
// wait taken from the kubelet's FinishedAt and the next StartedAt instead of a mini kubelet.
import type { Flags, ScenarioResult } from '../../lib/repro.ts';
import type { KindCluster } from '../../lib/cluster/kind.ts';
import { secondsBetween, until } from '../../lib/cluster/kubectl.ts';
import { toYaml } from '../../lib/cluster/objects.ts';
import { chaosChecks } from '../checks.ts';
import { INCIDENT } from '../constants.ts';
import { againstModel, chaosRunObservations } from '../against-model.ts';
import { resolveKubelet, schedule, VERSIONS, type K8sVersion } from '../kubelet-backoff.ts';
import { CONTAINER } from '../kubectl-format.ts';
import type { MeasuredRestart } from '../kubelet.ts';
import { manifests, NAME } from './manifests.ts';
import { parseEvent } from '../../lib/child-events.ts';
import type { PodChaosEvent } from '../children.ts';

interface ContainerState {
  running?: { startedAt: string };
  terminated?: { startedAt: string; finishedAt: string; exitCode: number; signal?: number; reason?: string };
  waiting?: { reason?: string };
}
interface PodJson {
  metadata: { name: string; deletionTimestamp?: string };
  status: { containerStatuses?: { name: string; restartCount: number; state: ContainerState; lastState: ContainerState }[] };
}
/**
 * One restart, in the fields of the local scenario's rows. What only the mini kubelet can time (its
 * own decision to restart, the new instance's first probe) is null.
 */
export type Row = Omit<MeasuredRestart, 'nominalBackoff' | 'spawnLatencyMs' | 'readyAfterMs'> & { spawnLatencyMs: null; readyAfterMs: null };
interface EventList {
  items: { reason: string; message?: string; count?: number; series?: { count: number } }[];
}

/** The Kubernetes minor version the model knows that is closest to the server's. */
export function modelVersion(gitVersion: string): K8sVersion {
  const minor = /^v?1\.(\d+)/.exec(gitVersion)?.[1];
  const v = `1.${minor ?? ''}`;
  if ((VERSIONS as readonly string[]).includes(v)) return v as K8sVersion;
  return Number(minor) < 31 ? VERSIONS[0] : (VERSIONS[VERSIONS.length - 1] as K8sVersion);
}

/** How many times the pod's events of this reason were recorded (repeats are folded into a count). */
async function eventCount(c: KindCluster, pod: string, reason: 'BackOff' | 'Unhealthy', messageStart = ''): Promise<number> {
  const list = await c.json<EventList>(['get', 'events', '--field-selector', `involvedObject.name=${pod},reason=${reason}`]);
  return list.items.filter((e) => (e.message ?? '').startsWith(messageStart)).reduce((n, e) => n + (e.series?.count ?? e.count ?? 1), 0);
}

export async function experiment(c: KindCluster, flags: Flags, log: (line: string) => void): Promise<ScenarioResult> {
  const restarts = typeof flags.restarts === 'number' ? flags.restarts : INCIDENT.restarts;
  const killEvery = typeof flags['kill-every'] === 'number' ? flags['kill-every'] : INCIDENT.killEvery;
  const server = JSON.parse((await c.kubectl(['version', '-o', 'json'])).stdout) as { serverVersion: { gitVersion: string } };
  const version = modelVersion(server.serverVersion.gitVersion);
  const predicted = schedule({ version, runs: [killEvery], restarts });
  log(`Kubernetes ${server.serverVersion.gitVersion}: the model (${version}) predicts waits of ${predicted.restarts.map((r) => r.backoffSeconds).join(', ')} s, about ${Math.round((predicted.restarts.at(-1)?.restartedAt ?? 0) / 60)} minutes in all.`);

  await c.replace(toYaml(manifests({ killEvery })));
  const pod = await until('the api pod to run', async () => {
    const pods = await c.json<{ items: PodJson[] }>(['get', 'pods', '-l', `app=${NAME}`]);
    // A pod of an earlier run may still be terminating.
    const p = pods.items.find((x) => !x.metadata.deletionTimestamp);
    const s = p?.status.containerStatuses?.find((x) => x.name === CONTAINER);
    return p && s?.state.running ? p.metadata.name : undefined;
  }, 300_000, 2000);
  log(`Watching ${pod} (kubectl get pods -w). The chaos killer SIGKILLs the app after each ${killEvery} s of run time.`);
  c.watch(['get', 'pods', '-l', `app=${NAME}`, '-w'], (l) => log(`  ${l.line}`));

  const starts: string[] = [];
  const rows: Row[] = [];
  let events = 0;
  let seen = 0;
  const first = (await c.json<PodJson>(['get', 'pod', pod])).status.containerStatuses?.find((x) => x.name === CONTAINER);
  if (first?.state.running) starts.push(first.state.running.startedAt);
  // The model's time of the last restart, plus a run, plus an old kubelet's retry slack per restart,
  // plus ten minutes for a slow node.
  const budgetMs = ((predicted.restarts.at(-1)?.restartedAt ?? 0) + restarts * 30 + killEvery + 600) * 1000;
  await until(`restart ${restarts}`, async () => {
    const s = (await c.json<PodJson>(['get', 'pod', pod])).status.containerStatuses?.find((x) => x.name === CONTAINER);
    if (!s || s.restartCount <= seen || !s.state.running || !s.lastState.terminated) return undefined;
    // restartCount counts new containers; between two polls it moves by one (runs last minutes).
    seen = s.restartCount;
    const term = s.lastState.terminated;
    const startedAt = s.state.running.startedAt;
    const origin = starts[0] ?? term.startedAt;
    const before = events;
    events = await eventCount(c, pod, 'BackOff');
    rows.push({
      restart: seen,
      exitedAt: secondsBetween(origin, term.finishedAt),
      restartedAt: secondsBetween(origin, startedAt),
      backoffSeconds: secondsBetween(term.finishedAt, startedAt),
      ranSeconds: secondsBetween(term.startedAt, term.finishedAt),
      exitSignal: term.exitCode === 137 ? 'SIGKILL' : null,
      exitCode: term.exitCode,
      refusals: events - before,
      exitedAtMs: secondsBetween(origin, term.finishedAt) * 1000,
      restartedAtMs: secondsBetween(origin, startedAt) * 1000,
      spawnLatencyMs: null,
      readyAfterMs: null,
    });
    starts.push(startedAt);
    log(`restart ${seen}: ran ${secondsBetween(term.startedAt, term.finishedAt)} s, exit ${term.exitCode}, waited ${secondsBetween(term.finishedAt, startedAt)} s`);
    return seen >= restarts ? true : undefined;
  }, budgetMs, 2000);
  c.stopWatches();

  const killed = (await c.kubectl(['logs', `deployment/${NAME}`, '-c', 'chaos-killer'])).stdout.split('\n').filter((l) => parseEvent<PodChaosEvent>(l)?.ev === 'killed').length;
  return observe({ version, killEvery, rows, killedByChaos: killed, backOffEvents: events, livenessFailures: await eventCount(c, pod, 'Unhealthy', 'Liveness probe failed') });
}

/** What a cluster run read back from the pod: one row per restart, and counts of events. */
export interface Collected {
  version: K8sVersion;
  killEvery: number;
  rows: readonly Row[];
  killedByChaos: number;
  backOffEvents: number;
  livenessFailures: number;
}

/**
 * The local chaos scenario's observations and checks from what the cluster run read back, with the
 * model's waits for the run times that really happened next to each measured wait. Pure, so a test
 * can feed it a schedule and compare.
 */
export function observe(x: Collected): ScenarioResult {
  const kubelet = resolveKubelet({ version: x.version });
  // A cluster run is in real time (scale 1), and its rows carry the run times the kubelet saw.
  const c = againstModel({ version: x.version, runs: [x.killEvery], restarts: x.rows.length }, kubelet, x.rows, x.rows.map((r) => r.ranSeconds), 1);
  // The API's timestamps have whole seconds, so a wait at the cap can read one second short.
  const firstAtCap = c.rows.find((r) => r.backoffSeconds >= kubelet.max - 1)?.restart ?? null;
  const checks = chaosChecks({ kubelet, runs: [x.killEvery], restarts: x.rows.length, retryGranularity: false, firstAtCap });
  // The local rows' nominalBackoff is the mini kubelet's own decision; a cluster's kubelet does not
  // show it, so the row carries the model's wait there, as the local shape has the field.
  const rows = c.rows.map((r, i) => ({ ...r, nominalBackoff: c.model.restarts[i]?.backoffSeconds ?? null }));
  const counts = { killedByChaos: x.killedByChaos, backOffEvents: x.backOffEvents, livenessFailures: x.livenessFailures };
  return { observations: { ...chaosRunObservations(kubelet, { ...c, rows, firstAtCap }, counts), mode: 'cluster' }, checks };
}
