// The one place a crashloop-backoff claim id meets a measurement: the model scenario, the chaos run
// (stand-in processes, or real containers on the real tier, or --simulate) and the cluster run all
// turn what they measured into claim checks here.
import type { ClaimCheck } from '../lib/claims.ts';
import { claims, INCIDENT, SUPERVISOR_TOLERANCE_MS } from './claims.ts';
import type { ResolvedKubelet } from './kubelet-backoff.ts';

type ClaimId = keyof typeof claims;

/** Checks for the model scenario: one per observed value, keyed by claim id. */
export function modelChecks(observations: Readonly<Record<string, unknown>>): ClaimCheck[] {
  return Object.entries(observations).map(([id, observed]) => {
    const claim = (claims as Record<string, (typeof claims)[ClaimId]>)[id];
    if (!claim) throw new Error(`no claim ${id}`);
    return { claim, observed };
  });
}

/** What a chaos run (stand-ins, real tier, --simulate) measured that claims speak to. */
export interface ChaosMeasurement {
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
}

/** The claims about the default kubelet speak only of a default kubelet killed every INCIDENT.killEvery s. */
function uniformDefault(m: ChaosMeasurement): boolean {
  return m.kubelet.initial === 10 && m.kubelet.max === 300 && !m.retryGranularity && m.runs.every((r) => r === INCIDENT.killEvery);
}

export function chaosChecks(m: ChaosMeasurement): ClaimCheck[] {
  const checks: ClaimCheck[] = [];
  if (m.maxDeviationMs !== undefined && !m.retryGranularity) {
    checks.push({ claim: claims['supervisor-matches-model'], observed: Number(m.maxDeviationMs.toFixed(1)) });
  }
  if (uniformDefault(m) && m.restarts >= 7) checks.push({ claim: claims['seventh-restart-hits-cap'], observed: m.firstAtCap });
  if (m.waits && uniformDefault(m) && m.restarts >= 8) checks.push({ claim: claims['default-waits'], observed: m.waits.slice(0, 8) });
  return checks;
}

/**
 * From measured waits: the largest difference from the model (wall ms) and the first restart whose
 * wait is the cap, within the supervisor tolerance (converted to model seconds at this scale).
 */
export function measuredAgainstModel(rows: readonly { restart: number; backoffSeconds: number; deviationMs: number }[], max: number, scale: number): { maxDeviationMs: number; firstAtCap: number | null } {
  const maxDeviationMs = Math.max(0, ...rows.map((r) => r.deviationMs));
  const tolModel = SUPERVISOR_TOLERANCE_MS / (1000 * scale);
  const firstAtCap = rows.find((r) => Math.abs(r.backoffSeconds - max) <= tolModel)?.restart ?? null;
  return { maxDeviationMs, firstAtCap };
}
