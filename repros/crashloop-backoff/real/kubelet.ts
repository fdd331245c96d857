// The mini kubelet on the real tier: the same loop as ../kubelet.ts, but each container instance is a
// real container that a private containerd + runc runs through the CRI, as the kubelet's kuberuntime
// manager does (CreateContainer with the restart count as the attempt, StartContainer). The chaos
// killer (../chaos-killer.ts) SIGKILLs the container's main process by its host pid. The exit, its
// code and FinishedAt come from the runtime's ContainerStatus; the ported doBackOff
// (../kubelet-backoff.ts) decides when to start the next instance, on the kubelet's clock, from the
// runtime's FinishedAt, as the kubelet does. Each wait is measured from that FinishedAt to the moment
// the kubelet let the restart through (its CreateContainer call, on the same wall clock); the
// runtime's CreatedAt and StartedAt of the next instance are recorded too, so the time containerd
// and runc take to create and start a container (tens to hundreds of ms on a busy machine, which no
// back-off setting controls) is shown apart from the back-off itself.
import { fileURLToPath } from 'node:url';
import { sleep, waitFor } from '../../lib/clock.ts';
import { nsToMs, type ContainerStatus } from '../../lib/cri/client.ts';
import { childArgv } from '../../lib/flags.ts';
import { processAlive } from '../../lib/temp-dir.ts';
import type { PrivateContainerd } from '../../lib/real/containerd.ts';
import type { RunContext } from '../../lib/repro.ts';
import { inImage, NODE_IN_IMAGE } from '../../lib/real/images.ts';
import { bootNode, freePort, runPod, startContainer, type Pod, type StartedContainer } from '../../lib/real/pods.ts';
import { CRI_NODE_TOOLS } from '../../lib/tiers.ts';
import { APP_FLAGS } from '../children.ts';
import { goDuration, runOf } from '../kubelet-backoff.ts';
import { CONTAINER, POD } from '../kubectl-format.ts';
import { kubeletCore, startChaosKiller, waitOutBackOff, type ChaosKiller, type KubeletCore, type KubeletRunOptions } from '../kubelet.ts';

export const REAL_TOOLS = CRI_NODE_TOOLS;
const APP = fileURLToPath(new URL('../app.ts', import.meta.url));
/** How often the mini kubelet asks the runtime for the status of a container whose process has ended (the kubelet's PLEG relists every 1 s; at a test scale the poll must be finer). */
const EXIT_POLL_MS = 2;
/** A killed container is reported EXITED by containerd within milliseconds; this is a generous bound for a busy machine. */
const EXIT_SEEN_WITHIN_MS = 30_000;

export interface RealRestart {
  restart: number;
  /** Model seconds since the first instance started (runtime StartedAt), for the table. */
  exitedAt: number;
  restartedAt: number;
  /** Runtime FinishedAt (dead instance) to the kubelet's restart (its CreateContainer call), model seconds. */
  backoffSeconds: number;
  /** Runtime FinishedAt to runtime CreatedAt of the next instance, model seconds. */
  runtimeWaitSeconds: number;
  /** The restart to the runtime's CreatedAt (containerd's CreateContainer), wall ms. */
  createLatencyMs: number;
  /** CreatedAt to StartedAt of the next instance (runc create + start), wall ms. */
  startLatencyMs: number;
  /** StartedAt to FinishedAt of the instance that exited, model seconds. */
  ranSeconds: number;
  exitCode: number;
  reason: string;
  refusals: number;
  nominalBackoff: number;
  containerId: string;
}

export interface RealKubeletResult {
  restarts: RealRestart[];
  killedByChaos: number;
  backOffEvents: number;
  timings: Record<string, number>;
}

/** A started container instance and the runtime's status of it at the start. */
interface RealInstance {
  c: StartedContainer;
  status: ContainerStatus;
}

/** The mini kubelet of one real run: the private containerd and pod, and the runtime's clock. */
interface RealKubelet extends KubeletCore {
  cd: PrivateContainerd;
  pod: Pod;
  appRef: string;
  /** Wall-clock ms since the epoch, the runtime's timestamps' clock. */
  epochMs(): number;
  /** Epoch ms to model seconds since the kubelet started (the clock's zero). */
  toModel(ms: number): number;
  backOffEvents: number;
}

function newRealKubelet(ctx: RunContext, opts: KubeletRunOptions, node: { cd: PrivateContainerd; pod: Pod; appRef: string; chaos: ChaosKiller }): RealKubelet {
  const epochMs = (): number => performance.timeOrigin + performance.now();
  const t0 = epochMs();
  const toModel = (ms: number): number => (ms - t0) / (1000 * ctx.scale);
  // The kubelet's clock in model seconds, on the same epoch as the runtime's timestamps.
  const clock = { now: (): number => toModel(epochMs()) };
  return { ...kubeletCore(ctx, opts, clock, node.chaos), cd: node.cd, pod: node.pod, appRef: node.appRef, epochMs, toModel, backOffEvents: 0 };
}

async function startInstance(k: RealKubelet, attempt: number, port: number): Promise<RealInstance> {
  const { cd, pod, appRef, chaos, opts, toWallMs } = k;
  const c = await startContainer(cd, pod, { name: CONTAINER, image: appRef, command: [NODE_IN_IMAGE], args: [inImage(APP), ...childArgv(APP_FLAGS, { instance: attempt, port })], attempt });
  const status = await cd.cri.containerStatus(c.id);
  // The chaos killer's clock starts at the runtime's StartedAt, like run time on a node.
  const ranMs = k.epochMs() - nsToMs(status.startedAt);
  chaos.target(c.pid, Math.max(0, toWallMs(runOf(opts.runs, attempt)) - ranMs));
  k.ctx.log(`  event  Normal  Started   kubelet  Started container ${CONTAINER} (attempt ${attempt}, pid ${c.pid})`);
  return { c, status };
}

/**
 * Waits for the instance to exit: idle until just before the chaos killer is due, then watches
 * the process in /proc (cheap), then asks the runtime until it reports the exit (a few ms more:
 * the shim's exit event reaches containerd asynchronously).
 */
async function exitOf(k: RealKubelet, inst: RealInstance, attempt: number): Promise<ContainerStatus> {
  const { opts, toWallMs, ctx: { signal } } = k;
  const dueMs = nsToMs(inst.status.startedAt) + toWallMs(runOf(opts.runs, attempt));
  const timeoutMs = EXIT_SEEN_WITHIN_MS + toWallMs(Math.max(...opts.runs));
  await sleep(Math.max(0, dueMs - k.epochMs() - 20), signal);
  await waitFor(`process ${inst.c.pid} to end`, () => (processAlive(inst.c.pid) ? undefined : true), { timeoutMs, intervalMs: 1, signal });
  return waitFor(
    `container ${inst.c.id.slice(0, 12)} to exit`,
    async () => {
      const s = await k.cd.cri.containerStatus(inst.c.id);
      return s.state === 'CONTAINER_EXITED' ? s : undefined;
    },
    { timeoutMs, intervalMs: EXIT_POLL_MS, signal },
  );
}

/**
 * Restart i: the current instance's exit as the runtime reports it, the pod worker's syncs until
 * doBackOff lets the restart through, the next instance, and the restart measured between the
 * runtime's timestamps (origin: the first instance's StartedAt).
 */
async function restart(k: RealKubelet, i: number, current: RealInstance, origin: number): Promise<{ next: RealInstance; measured: RealRestart }> {
  const { ctx } = k;
  const scale = ctx.scale;
  const exit = await exitOf(k, current, i - 1);
  const finishedAt = k.toModel(nsToMs(exit.finishedAt));
  ctx.log(`  ${POD}  0/1  ${exit.reason || 'Error'} (exit code ${exit.exitCode}, finishedAt ${new Date(nsToMs(exit.finishedAt)).toISOString()})`);
  // The next instance's port, found before the decision so that nothing but the runtime's own
  // work lies between the decision and CreatedAt.
  const port = await freePort();
  const { refusals, nominal } = await waitOutBackOff({
    ...k,
    finishedAt,
    signal: ctx.signal,
    onRefusal: (d, n) => {
      k.backOffEvents += 1;
      if (n === 1) ctx.log(`  event  Warning BackOff   kubelet  Back-off restarting failed container ${CONTAINER} in pod ${POD}_default (${d.message ?? ''})`);
    },
  });
  const decidedMs = k.epochMs();
  const next = await startInstance(k, i, port);
  const createdMs = nsToMs(next.status.createdAt);
  const startedMs = nsToMs(next.status.startedAt);
  const finishedMs = nsToMs(exit.finishedAt);
  const measured: RealRestart = {
    restart: i,
    exitedAt: (finishedMs - origin) / (1000 * scale),
    restartedAt: (decidedMs - origin) / (1000 * scale),
    backoffSeconds: (decidedMs - finishedMs) / (1000 * scale),
    runtimeWaitSeconds: (createdMs - finishedMs) / (1000 * scale),
    createLatencyMs: createdMs - decidedMs,
    startLatencyMs: startedMs - createdMs,
    ranSeconds: (finishedMs - nsToMs(current.status.startedAt)) / (1000 * scale),
    exitCode: exit.exitCode,
    reason: exit.reason,
    refusals,
    nominalBackoff: nominal,
    containerId: exit.id,
  };
  ctx.progress(`restart ${i}: waited ${goDuration((decidedMs - finishedMs) / (1000 * scale))} after the runtime's FinishedAt`);
  // The kubelet keeps dead instances for `kubectl logs --previous` and garbage-collects them later;
  // keeping only the last one is enough here.
  await k.cd.cri.removeContainer(exit.id);
  return { next, measured };
}

export async function runRealKubelet(ctx: RunContext, opts: KubeletRunOptions): Promise<RealKubeletResult> {
  const { cd, appRef, timings } = await bootNode(ctx);
  try {
    const chaos = await startChaosKiller(ctx);
    const pod = await runPod(cd, POD);
    ctx.log(`Pod sandbox ${pod.sandboxId.slice(0, 12)} (${POD}); container ${CONTAINER} runs ${inImage(APP)} in ${appRef}.`);
    const k = newRealKubelet(ctx, opts, { cd, pod, appRef, chaos });
    const restarts: RealRestart[] = [];
    let current = await startInstance(k, 0, await freePort());
    const origin = nsToMs(current.status.startedAt);
    for (let i = 1; i <= opts.restarts; i++) {
      const r = await restart(k, i, current, origin);
      restarts.push(r.measured);
      current = r.next;
    }
    chaos.stop();
    return { restarts, killedByChaos: chaos.killed(), backOffEvents: k.backOffEvents, timings };
  } finally {
    await cd.close();
  }
}
