// The values and parts of content/incidents/crashloop-backoff.md (src/lib/body.ts): every number the
// page states, computed from the repro's back-off model and constants, in the order the page uses them.
import {
  claims, INCIDENT, GC_EXAMPLE, WRITE_UP_READING, SUPERVISOR_TOLERANCE_MS, writeUpReading,
  schedule, waits, goDuration, STABLE_RUN_RESET, INITIAL_CRASHLOOP_BACKOFF, MAX_CRASHLOOP_BACKOFF,
  REDUCED_INITIAL_CRASHLOOP_BACKOFF, REDUCED_MAX_CRASHLOOP_BACKOFF, MIN_RESTART_PERIOD, MAX_RESTART_PERIOD,
  POD_WORKER_BACKOFF_PERIOD, POD_WORKER_JITTER_FACTOR, HOUSEKEEPING_PERIOD, POD_WORKER_RESYNC_INTERVAL,
  BACKOFF_EVENT,
} from '../../../repros/crashloop-backoff/page.ts';
import type { Claim } from '../../../repros/lib/claims.ts';
import { html, part, type Body } from '../../lib/body.ts';
import { halfMinutes } from '../../lib/text.ts';
import { clock, percent, words } from './calc-view.ts';
import BackoffCalculator from './BackoffCalculator.astro';
import PodWatch from './PodWatch.astro';
import styles from './parts.css?inline';

/** A value the page's prose depends on; its absence means the model changed under the page. */
function must<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`crashloop-backoff body: ${what}`);
  return value;
}

/** The upper bound of a range claim. */
function rangeMax(claim: Claim): number {
  const e = claim.expected;
  if (e.kind !== 'range' || e.max === undefined) throw new Error(`crashloop-backoff body: claim ${claim.id} is not a range with a maximum`);
  return e.max;
}

const minutes = (s: number): number => Math.round(s / 60);

// The incident's schedule (a kill every INCIDENT.killEvery s on an INCIDENT.version kubelet) and the others the page compares.
const run = schedule({ version: INCIDENT.version, runs: [INCIDENT.killEvery], restarts: INCIDENT.restarts });
const firstAtCap = must(run.firstAtCap, 'the incident schedule never reaches the cap');
const steady = INCIDENT.killEvery / (INCIDENT.killEvery + MAX_CRASHLOOP_BACKOFF);
const old = schedule({ version: '1.34', runs: [INCIDENT.killEvery], restarts: INCIDENT.restarts });
const five = schedule({ version: '1.35', featureGates: { KubeletCrashLoopBackOffMax: true }, maxContainerRestartPeriod: 5, runs: [INCIDENT.killEvery], restarts: 4 });
const gc = schedule({ version: INCIDENT.version, runs: [GC_EXAMPLE.runEvery], restarts: GC_EXAMPLE.restarts });
const gcCut = must(gc.restarts.find((r) => r.gcEndedEarly), 'the GC example has no wait the GC ended early');
const sixth = must(run.restarts[5], 'the incident schedule has fewer than 6 restarts');
const refusals = (s: typeof run): number => s.restarts.reduce((a, r) => a + r.refusals, 0);
// The write-up's listing read against the model.
const reading = writeUpReading();
const reading210 = writeUpReading(INCIDENT.killEvery);
const late135 = rangeMax(claims['propagated-retry-late']);

export const body: Body = {
  values: {
    // If you are paged
    maxWaitWords: words(MAX_CRASHLOOP_BACKOFF),
    maxWaitGo: goDuration(MAX_CRASHLOOP_BACKOFF),
    resetMinutes: STABLE_RUN_RESET / 60,
    pagedRecoveryMinutes: halfMinutes(MAX_CRASHLOOP_BACKOFF + late135),
    retryLate135: late135,
    // Summary
    initialBackoff: INITIAL_CRASHLOOP_BACKOFF,
    killEvery: INCIDENT.killEvery,
    kubeletVersion: INCIDENT.version,
    // Impact
    writeUpRestarts: WRITE_UP_READING.restarts,
    writeUpAgeMinutes: WRITE_UP_READING.ageSeconds / 60,
    firstAtCap,
    maxBackoff: MAX_CRASHLOOP_BACKOFF,
    steadyAvailability: percent(steady),
    windowMinutes: minutes(run.windowEnd),
    windowAvailability: percent(run.availability),
    // Timeline
    backoffEventCount: BACKOFF_EVENT.count,
    backoffEventSpanMinutes: WRITE_UP_READING.backOffSpanMinutes,
    backoffEventLastWrite: `${Math.floor(BACKOFF_EVENT.lastWrittenSecondsBefore / 60)}m${BACKOFF_EVENT.lastWrittenSecondsBefore % 60}s`,
    restartTimeline: html`<ul>${run.restarts.map((r) => html`<li><strong>${clock(r.exitedAt)}</strong>: kill ${r.restart}. ${r.backoffSeconds === 0
      ? html`The kubelet restarts the container at once (RESTARTS ${r.restart}).`
      : html`The pod shows <code>CrashLoopBackOff</code>; the kubelet restarts it at <strong>${clock(r.restartedAt)}</strong>, after ${words(r.backoffSeconds)} (RESTARTS ${r.restart}).${r.restart === firstAtCap ? ` The first wait at the cap: from here on every kill costs the full ${words(MAX_CRASHLOOP_BACKOFF)}.` : ''}`}</li>`)}</ul>`,
    // The write-up's numbers against the model
    writeUpKillEvery: WRITE_UP_READING.killEvery,
    writeUpFirstKillMinutes: WRITE_UP_READING.firstKillAfter / 60,
    readingRestarts: reading.restartsAtAge,
    readingFirstRefusalMinutesBefore: reading.firstBackOffMinutesBefore,
    reading210Restarts: reading210.restartsAtAge,
    readingRefusalsByLastWrite: reading.refusalsByLastWrite,
    readingRefusalsByAge: reading.refusalsByAge,
    podWorkerRetry: POD_WORKER_BACKOFF_PERIOD,
    podWorkerRetryMax: POD_WORKER_BACKOFF_PERIOD * (1 + POD_WORKER_JITTER_FACTOR),
    sixthWaitWords: words(sixth.backoffSeconds),
    // Root cause
    stableRunReset: STABLE_RUN_RESET,
    resyncIntervalWords: words(POD_WORKER_RESYNC_INTERVAL),
    retryLateBefore135: rangeMax(claims['retry-granularity-late']),
    housekeepingPeriod: HOUSEKEEPING_PERIOD,
    incidentWaits: waits(run).join(', '),
    gcRunEvery: GC_EXAMPLE.runEvery,
    gcCutRestart: gcCut.restart,
    gcCutNominalWords: words(gcCut.nominalBackoff),
    gcCutWaitWords: words(gcCut.backoffSeconds),
    cycleSeconds: INCIDENT.killEvery + MAX_CRASHLOOP_BACKOFF,
    refusalsBefore135: refusals(old),
    incidentRestarts: INCIDENT.restarts,
    refusals135: refusals(run),
    // Mitigation
    minRestartPeriod: MIN_RESTART_PERIOD,
    maxRestartPeriod: MAX_RESTART_PERIOD,
    waitsCap5s: waits(five).join(', '),
    reducedInitialBackoff: REDUCED_INITIAL_CRASHLOOP_BACKOFF,
    reducedMaxBackoff: REDUCED_MAX_CRASHLOOP_BACKOFF,
    // Reproduce
    supervisorToleranceMs: SUPERVISOR_TOLERANCE_MS,
    scaledRunSeconds: Math.round((run.restarts.at(-1)?.restartedAt ?? 0) / 100),
  },
  parts: {
    'pod-watch': part(PodWatch, { restarts: firstAtCap }),
    'backoff-calculator': part(BackoffCalculator, { killEvery: INCIDENT.killEvery, restarts: INCIDENT.restarts, version: INCIDENT.version }),
  },
  styles,
};
