// A mini kubelet for one pod with one container (restartPolicy: Always). It starts the app as a real
// child process, probes its /healthz, and when the process exits it does what the kubelet's sync
// loop does: call doBackOff (the ported code in kubelet-backoff.ts) with the exit time, refuse and
// retry when the version's pod worker would (nextSyncAfterRefusal), and start a new instance when
// doBackOff lets it through. Housekeeping garbage-collects the back-off entry every 2 s, as the
// kubelet's HandlePodCleanups does. It reports what `kubectl get pods -w` and the pod's events would
// show, and times every exit and respawn.
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { emitter, EventStream, START_TIMEOUT_MS } from '../lib/child-events.ts';
import { sleep } from '../lib/clock.ts';
import { childArgv } from '../lib/flags.ts';
import type { Spawned } from '../lib/processes.ts';
import { UsageError, type RunContext } from '../lib/repro.ts';
import { APP_FLAGS, CHAOS_FLAGS, type AppEvent, type ChaosCommand, type ChaosEvent } from './children.ts';
import type { Backoff } from './model/client-go-backoff.ts';
import type { BackOffDecision } from './model/kubelet-sync.ts';
import {
  doBackOff,
  firstSyncAfterExit,
  goDuration,
  HOUSEKEEPING_PERIOD,
  newKubeletBackoff,
  NO_JITTER,
  nextSyncAfterRefusal,
  resetRunTime,
  runOf,
  seededRandom,
  type ResolvedKubelet,
} from './kubelet-backoff.ts';
import { CONTAINER, kubectlAge, POD, POD_HEADER, podRow } from './kubectl-format.ts';
import { HOST } from '../lib/address.ts';

/**
 * The liveness probe the mini kubelet runs: the Kubernetes API defaults (k8s.io/api core/v1 Probe:
 * periodSeconds 10, timeoutSeconds 1, failureThreshold 3), also used by the cluster manifests.
 * The page's point is that none of them is read by doBackOff.
 */
export const LIVENESS_PROBE = { periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3 } as const;

const APP = fileURLToPath(new URL('./app.ts', import.meta.url));
const CHAOS = fileURLToPath(new URL('./chaos-killer.ts', import.meta.url));

export interface KubeletRunOptions {
  kubelet: ResolvedKubelet;
  /** Run time of each instance before the chaos killer strikes (model seconds); the last repeats. */
  runs: readonly number[];
  restarts: number;
  /** Draw the PLEG delay and the pod worker's retry jitter from `seed` (else: the earliest retry). */
  retryGranularity: boolean;
  seed: number;
}

/** One restart as measured: wall-clock ms since the first spawn, and model seconds. */
export interface MeasuredRestart {
  restart: number;
  exitedAt: number;
  restartedAt: number;
  backoffSeconds: number;
  /** How long the instance that exited had run (spawn to exit), model seconds. */
  ranSeconds: number;
  exitSignal: string | null;
  exitCode: number | null;
  /** BackOff events recorded before this restart. */
  refusals: number;
  /** The back-off doBackOff enforced, model seconds (0 when not refused). */
  nominalBackoff: number;
  /** From doBackOff letting the restart through to the new process running, wall ms. */
  spawnLatencyMs: number;
  /** Spawn to first successful /healthz of the new instance, wall ms. */
  readyAfterMs: number;
  exitedAtMs: number;
  restartedAtMs: number;
}

export interface KubeletRunResult {
  restarts: MeasuredRestart[];
  killedByChaos: number;
  backOffEvents: number;
  livenessFailures: number;
}

/** Starts one app process alone (the `app` component); resolves once it listens. */
export async function startApp(ctx: RunContext, port: number): Promise<{ pid: number; port: number; done: Promise<void> }> {
  const spawned = ctx.procs.spawnNode(APP, childArgv(APP_FLAGS, { instance: 0, port }), { stdio: ['ignore', 'pipe', 'inherit'] });
  const events = new EventStream<AppEvent>(spawned.child.stdout);
  const bound = await new Promise<number>((resolve, reject) => {
    events.waitFor('the app to listen', (e) => e.ev === 'listening', { timeoutMs: START_TIMEOUT_MS, signal: ctx.signal }).then((e) => resolve(e.port), () => undefined);
    void spawned.exited.then((e) => reject(new UsageError(`the app exited before it listened (code ${e.code}); is port ${port} free?`)));
  });
  const done = new Promise<void>((resolve) => {
    ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    void spawned.exited.then(() => resolve());
  });
  return { pid: spawned.child.pid as number, port: bound, done };
}

function probe(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: HOST, port, path: '/healthz', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

export interface ChaosKiller {
  chaos: Spawned;
  /** How many instances it has SIGKILLed. */
  killed(): number;
  /** SIGKILL this pid after afterMs of wall-clock run time. */
  target(pid: number, afterMs: number): void;
  stop(): void;
}

/** Starts the chaos killer (./chaos-killer.ts) and resolves once it is ready, with a count of its kills. */
export async function startChaosKiller(ctx: RunContext): Promise<ChaosKiller> {
  const chaos = ctx.procs.spawnNode(CHAOS, childArgv(CHAOS_FLAGS, {}), { stdio: ['pipe', 'pipe', 'inherit'] });
  const events = new EventStream<ChaosEvent>(chaos.child.stdout);
  const send = emitter<ChaosCommand>(chaos.child.stdin!);
  chaos.child.stdin!.on('error', () => undefined);
  const exited = chaos.exited.then(() => {
    throw new Error('the chaos killer exited before it was ready');
  });
  await Promise.race([events.waitFor('the chaos killer to be ready', (e) => e.ev === 'ready', { timeoutMs: START_TIMEOUT_MS, signal: ctx.signal }), exited]);
  const live = (): boolean => chaos.child.exitCode === null && chaos.child.signalCode === null && chaos.child.stdin?.writable === true;
  return {
    chaos,
    killed: () => events.events.filter((e) => e.ev === 'killed').length,
    target: (pid, afterMs) => send({ ev: 'target', pid, afterMs }),
    stop: () => void (live() && send({ ev: 'stop' })),
  };
}

/** The exited container's sync: the kubelet's back-off state and clock, and what to do on each refusal. */
export type BackOffWait = Pick<KubeletCore, 'backOff' | 'key' | 'clock' | 'toWallMs' | 'opts' | 'rand'> & {
  /** The exited container's FinishedAt, model seconds. */
  finishedAt: number;
  signal: AbortSignal;
  /** Called on each refusal (a BackOff event), with its number and the back-off then in force. */
  onRefusal(d: BackOffDecision, refusals: number, nominal: number): void;
};

/**
 * The pod worker's syncs of a pod whose container exited, until doBackOff lets the restart through:
 * the first sync after the exit, then one per refusal when the version's pod worker retries.
 */
export async function waitOutBackOff(w: BackOffWait): Promise<{ refusals: number; nominal: number }> {
  let syncAt = firstSyncAfterExit(w.finishedAt, w.opts.retryGranularity, w.rand);
  let refusals = 0;
  let nominal = 0;
  for (;;) {
    // Timers may fire up to a millisecond early; sleeping one more keeps a sync from landing a
    // hair before the expiry (a refusal no real kubelet would make).
    const waitMs = w.toWallMs(syncAt - w.clock.now());
    await sleep(Math.max(0, Math.ceil(waitMs)) + 1, w.signal);
    const d = doBackOff(w.backOff, w.key, w.finishedAt, CONTAINER, `${POD}_default`);
    if (!d.inBackOff) return { refusals, nominal };
    refusals += 1;
    nominal = w.backOff.get(w.key);
    w.onRefusal(d, refusals, nominal);
    syncAt = nextSyncAfterRefusal(w.clock.now(), d.expiresAt ?? w.clock.now(), w.opts.kubelet.podWorkerRetry, w.rand);
  }
}

/** One running container instance: its process, and when it was spawned and first ready (wall ms). */
interface Instance {
  spawned: Spawned;
  spawnedAtMs: number;
  readyAtMs: number;
}

/** What both mini kubelets (processes here, real containers in real/kubelet.ts) run on: a clock, the ported back-off, the chaos killer. */
export interface KubeletCore {
  ctx: RunContext;
  opts: KubeletRunOptions;
  /** The kubelet's clock, in model seconds: what the ported Backoff reads. */
  clock: { now(): number };
  toWallMs(modelSeconds: number): number;
  backOff: Backoff;
  /** The PLEG delay's and the pod worker's jitter (NO_JITTER: the earliest retry). */
  rand: () => number;
  /** The back-off entry's key: pod and container. */
  key: string;
  chaos: ChaosKiller;
}

export function kubeletCore(ctx: RunContext, opts: KubeletRunOptions, clock: { now(): number }, chaos: ChaosKiller): KubeletCore {
  return {
    ctx, opts, clock, chaos,
    toWallMs: (modelSeconds) => modelSeconds * 1000 * ctx.scale,
    backOff: newKubeletBackoff(opts.kubelet, clock),
    rand: opts.retryGranularity ? seededRandom(opts.seed) : NO_JITTER,
    key: `default/${POD}/${CONTAINER}`,
  };
}

/** The mini kubelet of one run with processes: what it counts and prints besides. */
interface MiniKubelet extends KubeletCore {
  /** Wall ms since the kubelet started. */
  wallMs(): number;
  counts: { backOffEvents: number; livenessFailures: number; restartCount: number };
  /** A line of `kubectl get pods -w`. */
  row(ready: string, status: string): void;
  /** A line of the pod's events. */
  event(type: string, reason: string, message: string): void;
}

/** t0: performance.now() when the kubelet started (its clock's zero). */
function newMiniKubelet(ctx: RunContext, opts: KubeletRunOptions, chaos: ChaosKiller, t0: number): MiniKubelet {
  const wallMs = (): number => performance.now() - t0;
  const clock = { now: (): number => wallMs() / (1000 * ctx.scale) };
  const counts = { backOffEvents: 0, livenessFailures: 0, restartCount: 0 };
  return {
    ...kubeletCore(ctx, opts, clock, chaos),
    wallMs,
    counts,
    row: (ready, status) => ctx.log(podRow(ready, status, counts.restartCount, clock.now())),
    event: (type, reason, message) => ctx.log(`  event  ${type.padEnd(7)} ${reason.padEnd(9)} kubelet  ${message}`),
  };
}

/** Starts one instance; resolves with its process, and with the spawn and ready times. */
async function startInstance(k: MiniKubelet, instance: number): Promise<Instance> {
  const { ctx, opts, chaos, wallMs, toWallMs, event, row } = k;
  const spawned = ctx.procs.spawnNode(APP, childArgv(APP_FLAGS, { instance }), { stdio: ['ignore', 'pipe', 'inherit'] });
  const events = new EventStream<AppEvent>(spawned.child.stdout);
  const spawnedAtMs = await new Promise<number>((resolve, reject) => {
    spawned.child.once('spawn', () => resolve(wallMs()));
    spawned.child.once('error', reject);
  });
  const runFor = runOf(opts.runs, instance);
  const pid = spawned.child.pid as number;
  chaos.target(pid, toWallMs(runFor));
  event('Normal', 'Started', `Started container ${CONTAINER}`);
  // The chaos killer may end an instance before it listens: its output ends, no port.
  const port = await events.waitFor('the app to listen', (e) => e.ev === 'listening', { timeoutMs: START_TIMEOUT_MS, signal: ctx.signal }).then((e) => e.port, () => undefined);
  let readyAtMs = Number.NaN;
  if (port !== undefined) {
    // Readiness: the first successful probe makes the pod 1/1.
    for (let i = 0; i < 200 && spawned.child.exitCode === null && spawned.child.signalCode === null; i++) {
      if (await probe(port, 500)) {
        readyAtMs = wallMs();
        row('1/1', 'Running');
        break;
      }
      await sleep(10, ctx.signal);
    }
    startLiveness(k, spawned, port);
  }
  return { spawned, spawnedAtMs, readyAtMs };
}

/**
 * Liveness probe (LIVENESS_PROBE: the Kubernetes defaults). After a SIGKILL the exit is seen first
 * (as PLEG sees it on a node), so this rarely fires here; it stays to show that probe tuning does
 * not touch the restart timing.
 */
function startLiveness(k: MiniKubelet, spawned: Spawned, port: number): void {
  // Scaled, but never so short that a busy machine makes a healthy app miss its probe: a probe
  // timeout of a few ms would fail three times and kill an instance the chaos killer had not.
  const period = Math.max(250, k.toWallMs(LIVENESS_PROBE.periodSeconds));
  let failures = 0;
  const timer = setInterval(() => {
    void probe(port, Math.max(1000, k.toWallMs(LIVENESS_PROBE.timeoutSeconds))).then((ok) => {
      if (spawned.child.exitCode !== null || spawned.child.signalCode !== null) return;
      if (ok) {
        failures = 0;
        return;
      }
      failures += 1;
      k.counts.livenessFailures += 1;
      k.event('Warning', 'Unhealthy', `Liveness probe failed: Get "http://${HOST}:${port}/healthz": connection refused`);
      if (failures >= LIVENESS_PROBE.failureThreshold) spawned.child.kill('SIGKILL');
    });
  }, period);
  void spawned.exited.then(() => clearInterval(timer));
}

/**
 * Housekeeping: the back-off GC on ticks at whole multiples of HOUSEKEEPING_PERIOD after the first
 * start (origin, wall ms), as the model assumes; each tick is timed from the origin so that lateness
 * does not add up. Returns the function that stops it.
 */
function startHousekeeping(k: MiniKubelet, origin: number): () => void {
  const { kubelet } = k.opts;
  let timer: NodeJS.Timeout | undefined;
  const tick = (n: number): void => {
    timer = setTimeout(() => {
      const deleted = k.backOff.gc();
      if (deleted.length > 0) k.ctx.progress(`housekeeping: back-off entry ${deleted.join(', ')} garbage-collected (more than ${resetRunTime(kubelet)} s since the last restart)`);
      tick(n + 1);
    }, Math.max(0, origin + k.toWallMs(n * HOUSEKEEPING_PERIOD) - k.wallMs()));
  };
  tick(1);
  return () => clearTimeout(timer);
}

/** The instance's exit, or the run's abort. */
function exitOrAbort(current: Instance, signal: AbortSignal): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return Promise.race([
    current.spawned.exited,
    new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true })),
  ]);
}

/**
 * Restart i: waits for the current instance to exit, lets the pod worker sync until doBackOff lets
 * the restart through, starts the next instance, and measures the restart (origin: the first start).
 */
async function restart(k: MiniKubelet, i: number, current: Instance, origin: number): Promise<{ next: Instance; measured: MeasuredRestart }> {
  const { ctx, clock, row } = k;
  const scale = ctx.scale;
  const exit = await exitOrAbort(current, ctx.signal);
  const exitedAtMs = k.wallMs();
  // The container status's FinishedAt: the moment the runtime saw the process end.
  const finishedAt = clock.now();
  const exitCode = exit.code ?? (exit.signal === 'SIGKILL' ? 137 : 1);
  row('0/1', exitCode === 0 ? 'Completed' : 'Error');

  const { refusals, nominal } = await waitOutBackOff({
    ...k,
    finishedAt,
    signal: ctx.signal,
    onRefusal: (d, n, backOffNow) => {
      k.counts.backOffEvents += 1;
      if (n === 1) row('0/1', 'CrashLoopBackOff');
      k.event('Warning', 'BackOff', `Back-off restarting failed container ${CONTAINER} in pod ${POD}_default (${d.message ?? ''})`);
      if (n === 1) ctx.progress(`CrashLoopBackOff: back-off ${goDuration(backOffNow)}, restart ${i} due at ${kubectlAge(d.expiresAt ?? clock.now())}`);
    },
  });
  k.counts.restartCount = i;
  const decidedAtMs = k.wallMs();
  const next = await startInstance(k, i);
  const measured: MeasuredRestart = {
    restart: i,
    exitedAt: (exitedAtMs - origin) / (1000 * scale),
    restartedAt: (next.spawnedAtMs - origin) / (1000 * scale),
    backoffSeconds: (next.spawnedAtMs - exitedAtMs) / (1000 * scale),
    ranSeconds: (exitedAtMs - current.spawnedAtMs) / (1000 * scale),
    exitSignal: exit.signal,
    exitCode,
    refusals,
    nominalBackoff: nominal,
    readyAfterMs: next.readyAtMs - next.spawnedAtMs,
    spawnLatencyMs: next.spawnedAtMs - decidedAtMs,
    exitedAtMs: exitedAtMs - origin,
    restartedAtMs: next.spawnedAtMs - origin,
  };
  return { next, measured };
}

export async function runKubelet(ctx: RunContext, opts: KubeletRunOptions): Promise<KubeletRunResult> {
  const t0 = performance.now();
  const chaos = await startChaosKiller(ctx);
  const k = newMiniKubelet(ctx, opts, chaos, t0);
  ctx.log(POD_HEADER);
  let current = await startInstance(k, 0);
  // Times in the report count from the first container start, like the pod's own timeline.
  const origin = current.spawnedAtMs;
  const stopHousekeeping = startHousekeeping(k, origin);
  const restarts: MeasuredRestart[] = [];
  try {
    for (let i = 1; i <= opts.restarts; i++) {
      const r = await restart(k, i, current, origin);
      restarts.push(r.measured);
      current = r.next;
    }
  } finally {
    stopHousekeeping();
    chaos.stop();
    if (current.spawned.child.exitCode === null && current.spawned.child.signalCode === null) current.spawned.child.kill('SIGTERM');
  }
  return { restarts, killedByChaos: chaos.killed(), backOffEvents: k.counts.backOffEvents, livenessFailures: k.counts.livenessFailures };
}
