// The one place a crashloop-backoff claim id meets a measurement: the model scenario, the chaos run
// (stand-in processes, or real containers on the real tier, or --simulate) and the cluster run all
// turn what they measured into claim checks here.
import type { ClaimCheck } from '../lib/claims.ts';
import { claims } from './claims.ts';
import { INCIDENT } from './constants.ts';
import { INITIAL_CRASHLOOP_BACKOFF, MAX_CRASHLOOP_BACKOFF, type ResolvedKubelet } from './kubelet-backoff.ts';

type ClaimId = keyof typeof claims;

function check(id: ClaimId, observed: unknown): ClaimCheck {
  return { claim: claims[id], observed };
}

/** The model scenario's observations: each claim's observed value, keyed by claim id. */
export type ModelObservations = Readonly<Record<string, unknown>>;

/** Checks for the model scenario: one per observed value. */
export function modelChecks(o: ModelObservations): ClaimCheck[] {
  return Object.entries(o).map(([id, observed]) => {
    if (!Object.hasOwn(claims, id)) throw new Error(`no claim ${id}`);
    return check(id as ClaimId, observed);
  });
}

/** What a chaos run (stand-ins, real tier, --simulate, a cluster) observed that claims speak to. */
export type ChaosObservations = {
  kubelet: ResolvedKubelet;
  /** Run time of each container instance, seconds (the chaos killer's schedule). */
  runs: readonly number[];
  restarts: number;
  retryGranularity: boolean;
  /** The first restart whose wait was at the cap, or null. */
  firstAtCap: number | null;
  /** Largest |measured wait - model's wait|, wall ms (absent for --simulate, which measures nothing). */
  maxDeviationMs?: number;
  /** The model's first eight waits (--simulate only). */
  waits?: readonly number[];
};

/** The claims about the default kubelet speak only of a default kubelet killed every INCIDENT.killEvery s. */
function uniformDefault(o: ChaosObservations): boolean {
  return o.kubelet.initial === INITIAL_CRASHLOOP_BACKOFF && o.kubelet.max === MAX_CRASHLOOP_BACKOFF && !o.retryGranularity && o.runs.every((r) => r === INCIDENT.killEvery);
}

export function chaosChecks(o: ChaosObservations): ClaimCheck[] {
  const checks: ClaimCheck[] = [];
  if (o.maxDeviationMs !== undefined && !o.retryGranularity) checks.push(check('supervisor-matches-model', Number(o.maxDeviationMs.toFixed(1))));
  if (uniformDefault(o) && o.restarts >= 7) checks.push(check('seventh-restart-hits-cap', o.firstAtCap));
  if (o.waits && uniformDefault(o) && o.restarts >= INCIDENT.restarts) checks.push(check('default-waits', o.waits.slice(0, INCIDENT.restarts)));
  return checks;
}
