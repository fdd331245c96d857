// crashloop-backoff's scenarios: the chaos run (stand-in processes restarted by the mini kubelet, each
// wait compared with the model) and the model's claims at once. repro.ts describes them and loads
// this module on first run.
import { numberList } from '../lib/flags.ts';
import { UsageError, type FlagSpec, type Flags, type RunContext, type ScenarioResult } from '../lib/repro.ts';
import { GC_EXAMPLE, INCIDENT, MODEL_INPUTS } from './constants.ts';
import { againstModel, chaosRunObservations, logComparison } from './against-model.ts';
import { chaosChecks, modelChecks } from './checks.ts';
import { writeUpReading } from './write-up.ts';
import { runKubelet, startApp } from './kubelet.ts';
import {
  BackoffConfigError,
  parseFeatureGates,
  resolveKubelet,
  schedule,
  waits,
  type K8sVersion,
  type Schedule,
  type ScheduleInput,
} from './kubelet-backoff.ts';
import { DEFAULT_KILL_EVERY, DEFAULT_RESTARTS, DEFAULT_VERSION, FLAGS } from './repro.ts';
import { HOST } from '../lib/address.ts';

function flagSpec(name: string): FlagSpec {
  const s = FLAGS.find((f) => f.name === name);
  if (!s) throw new Error(`no flag ${name}`);
  return s;
}

/** Turns parsed flags into a schedule input, or a UsageError naming the bad input. */
export function inputFromFlags(flags: Flags): ScheduleInput {
  const runs = Array.isArray(flags.runs)
    ? numberList(flagSpec('runs'), flags.runs)
    : [typeof flags['kill-every'] === 'number' ? flags['kill-every'] : DEFAULT_KILL_EVERY];
  const restarts = typeof flags.restarts === 'number' ? flags.restarts : DEFAULT_RESTARTS;
  if (!Number.isInteger(restarts)) throw new UsageError(`--restarts must be a whole number, got ${restarts}`);
  const version = (typeof flags.version === 'string' ? flags.version : DEFAULT_VERSION) as K8sVersion;
  try {
    const input: ScheduleInput = {
      version,
      featureGates: Array.isArray(flags['feature-gates']) ? parseFeatureGates(flags['feature-gates']) : {},
      maxContainerRestartPeriod: typeof flags['max-restart-period'] === 'number' ? flags['max-restart-period'] : undefined,
      runs,
      restarts,
      retryGranularity: flags['retry-granularity'] === true,
      seed: typeof flags.seed === 'number' ? flags.seed : 1,
    };
    resolveKubelet(input);
    return input;
  } catch (err) {
    if (err instanceof BackoffConfigError) throw new UsageError(err.message);
    throw err;
  }
}

const fmt = (n: number): string => String(Number(n.toFixed(2)));

function describeKubelet(s: Schedule): string {
  const k = s.kubelet;
  const on = Object.entries(k.gates).filter(([, v]) => v).map(([g]) => g);
  const retry = k.podWorkerRetry === 'fixed-period' ? 'a refused pod is retried every 10-15 s' : 'a refused pod is retried at the expiry, at most 60 s ahead';
  return `kubelet ${k.version}: back-off starts at ${k.initial} s, doubles, caps at ${k.max} s; resets after a run of more than ${s.resetAfter} s; ` +
    `housekeeping deletes the entry more than ${s.gcAfter} s after the last restart; ${retry}` +
    (on.length ? `; gates on: ${on.join(', ')}` : '') + (s.retryGranularity ? '; jitter drawn from the seed' : '; earliest retries');
}

function logSchedule(ctx: RunContext, s: Schedule): void {
  ctx.log('restart  exited at  restarted at  waited');
  for (const r of s.restarts) {
    ctx.log(`${String(r.restart).padStart(7)}  ${fmt(r.exitedAt).padStart(8)}s  ${fmt(r.restartedAt).padStart(11)}s  ${fmt(r.backoffSeconds).padStart(5)}s${rowNote(r)}`);
  }
  ctx.log(`first wait at the cap: ${s.firstAtCap === null ? 'none in this window' : `restart ${s.firstAtCap}`}; running ${(s.availability * 100).toFixed(1)}% of ${fmt(s.windowEnd)} s`);
}

/** The note after a restart row: why it came early or started the back-off over. */
export function rowNote(r: Schedule['restarts'][number]): string {
  if (r.reset) return '  (ran > reset time: back-off reset)';
  if (r.gcEndedEarly) return `  (GC ended the ${fmt(r.nominalBackoff)} s back-off early: entry deleted, back-off starts over)`;
  if (r.gcDeleted) return '  (entry garbage-collected during the wait: back-off starts over)';
  return '';
}

/** The observed values of every model claim, computed by the ported code. */
export function modelObservations(): Record<string, unknown> {
  const def = schedule({ version: DEFAULT_VERSION, runs: [DEFAULT_KILL_EVERY], restarts: INCIDENT.restarts });
  const k = DEFAULT_KILL_EVERY;
  const reset = (x: number, version: K8sVersion = DEFAULT_VERSION): number[] => waits(schedule({ version, runs: [k, k, k, x, k], restarts: 5 })).slice(3);
  const reduced135 = schedule({ version: '1.35', featureGates: { ReduceDefaultCrashLoopBackOffDecay: true }, runs: [DEFAULT_KILL_EVERY], restarts: 11 });
  const reduced133 = schedule({ version: '1.33', featureGates: { ReduceDefaultCrashLoopBackOffDecay: true }, runs: [DEFAULT_KILL_EVERY], restarts: 9 });
  const five = (version: K8sVersion): number[] => waits(schedule({ version, featureGates: { KubeletCrashLoopBackOffMax: true }, maxContainerRestartPeriod: 5, runs: [DEFAULT_KILL_EVERY], restarts: 6 }));
  const gc = schedule({ version: DEFAULT_VERSION, runs: [GC_EXAMPLE.runEvery], restarts: GC_EXAMPLE.restarts });
  const latest = (version: K8sVersion): number => {
    let late = 0;
    for (let seed = 1; seed <= MODEL_INPUTS.seeds; seed++) {
      const g = schedule({ version, runs: [DEFAULT_KILL_EVERY], restarts: INCIDENT.restarts, retryGranularity: true, seed });
      for (const r of g.restarts) late = Math.max(late, r.backoffSeconds - r.nominalBackoff);
    }
    return Number(late.toFixed(3));
  };
  return {
    'default-waits': waits(def),
    'seventh-restart-hits-cap': def.firstAtCap,
    'long-run-resets': reset(MODEL_INPUTS.longRun),
    'exactly-600s-gc': { '1.34': reset(MODEL_INPUTS.exactRun, '1.34'), '1.35': reset(MODEL_INPUTS.exactRun, '1.35') },
    'gc-400s-never-full-wait': {
      waits: waits(gc),
      endedEarlyByGc: gc.restarts.filter((r) => r.gcEndedEarly).map((r) => r.restart),
      fullWaitsAtCap: gc.restarts.filter((r) => r.backoffSeconds >= gc.kubelet.max).length,
    },
    'reduced-decay-waits': { backoffs: reduced133.restarts.map((r) => r.nominalBackoff), waits: waits(reduced133) },
    'reduced-decay-135-capped-at-300': { max: reduced135.kubelet.max, waits: waits(reduced135) },
    'max-restart-period-5s': { '1.32': five('1.32'), '1.35': five('1.35') },
    'retry-granularity-late': latest('1.34'),
    'propagated-retry-late': latest('1.35'),
    'write-up-restarts-at-56m': (({ restartsAtAge, firstBackOffMinutesBefore }) => ({ restartsAtAge, firstBackOffMinutesBefore }))(writeUpReading()),
  };
}

export async function chaos(ctx: RunContext): Promise<ScenarioResult> {
  const input = inputFromFlags(ctx.flags);
  const s = schedule(input);
  ctx.log(describeKubelet(s));
  const measurement = { kubelet: s.kubelet, runs: input.runs, restarts: input.restarts, retryGranularity: input.retryGranularity === true };

  if (ctx.flags.simulate === true) {
    ctx.log(`simulating ${input.restarts} restarts from the model (no processes started)`);
    logSchedule(ctx, s);
    return {
      observations: { mode: 'simulate', kubelet: s.kubelet, restarts: s.restarts, firstAtCap: s.firstAtCap, availability: s.availability, windowEnd: s.windowEnd, resetAfter: s.resetAfter, gcAfter: s.gcAfter, timeline: s.spans },
      checks: chaosChecks({ ...measurement, firstAtCap: s.firstAtCap, waits: waits(s) }),
    };
  }

  const total = s.restarts.at(-1)?.restartedAt ?? 0;
  ctx.log(`chaos killer: SIGKILL after ${input.runs.join(', ')} s of run time; ${input.restarts} restarts, about ${fmt(total * ctx.scale)} s of wall time at scale ${ctx.scale}`);
  const k = resolveKubelet(input);
  const measured = await runKubelet(ctx, { kubelet: k, runs: input.runs, restarts: input.restarts, retryGranularity: input.retryGranularity === true, seed: input.seed ?? 1 });
  // The model, given the run times that really happened, says how long each wait should have been.
  // The back-off entry is stamped when the kubelet decides to restart, before the process exists,
  // and the GC counts from that stamp: so each run is counted from the decision that started it
  // (the measured run plus that restart's spawn latency), and the model's wait ends at a decision.
  const decidedRuns = measured.restarts.map((r, i) => r.ranSeconds + (i === 0 ? 0 : (measured.restarts[i - 1]?.spawnLatencyMs ?? 0) / (1000 * ctx.scale)));
  const cmp = againstModel(input, k, measured.restarts, decidedRuns, ctx.scale);
  ctx.log('');
  ctx.log('restart  exited at  restarted at  waited   model   |diff| (wall ms)  spawn (ms)');
  for (const r of cmp.rows) {
    const m = cmp.model.restarts[r.restart - 1];
    ctx.log(`${String(r.restart).padStart(7)}  ${fmt(r.exitedAt).padStart(8)}s  ${fmt(r.restartedAt).padStart(11)}s  ${fmt(r.backoffSeconds).padStart(6)}s  ${fmt(r.modelBackoffSeconds).padStart(5)}s  ${r.deviationMs.toFixed(1).padStart(7)}  ${r.spawnLatencyMs.toFixed(1).padStart(16)}${m ? rowNote(m) : ''}`);
  }
  logComparison(ctx, cmp);
  return {
    observations: chaosRunObservations(k, cmp, { killedByChaos: measured.killedByChaos, backOffEvents: measured.backOffEvents, livenessFailures: measured.livenessFailures }),
    checks: chaosChecks({ ...measurement, firstAtCap: cmp.firstAtCap, maxDeviationMs: cmp.maxDeviationMs }),
  };
}

/** The model scenario: every claim about the back-off model at once (instant, no processes). */
export function model(ctx: RunContext): Promise<ScenarioResult> {
  const obs = modelObservations();
  for (const [id, v] of Object.entries(obs)) ctx.log(`${id}: ${JSON.stringify(v)}`);
  return Promise.resolve({ observations: obs, checks: modelChecks(obs) });
}

/** The app alone, as one container instance. */
export async function appAlone(ctx: RunContext): Promise<void> {
  const app = await startApp(ctx, ctx.port ?? 0);
  ctx.log(`app pid ${app.pid} listening on http://${HOST}:${app.port}/ (liveness: /healthz); Ctrl-C stops it`);
  await app.done;
}
