// The last test run's claim verdicts (written by `npm test` to test-results/claims.json). Absent
// results mean "not yet verified"; a page never shows a tick it cannot back.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Tier, Versions } from '../../repros/lib/tiers.ts';

export interface TierVerdict {
  pass: boolean;
  detail: string;
  at: string;
  /** Versions of the real software (real tier). */
  versions?: Versions;
}

export interface ClaimVerdict extends TierVerdict {
  /** The verdict on each tier that checked the claim; the top-level verdict passes only if all do. */
  tiers?: Partial<Record<Tier, TierVerdict>>;
}

export interface ClaimResultsFile {
  /** When the run finished (ISO time). */
  finishedAt: string;
  /** "<slug>#<id>" -> verdict. */
  claims: Record<string, ClaimVerdict>;
}

export const CLAIM_RESULTS_PATH = join(process.cwd(), 'test-results', 'claims.json');

let cached: ClaimResultsFile | null | undefined;

export function claimResults(): ClaimResultsFile | null {
  if (cached !== undefined) return cached;
  cached = existsSync(CLAIM_RESULTS_PATH) ? (JSON.parse(readFileSync(CLAIM_RESULTS_PATH, 'utf8')) as ClaimResultsFile) : null;
  return cached;
}

export function verdictFor(slug: string, id: string): ClaimVerdict | undefined {
  return claimResults()?.claims[`${slug}#${id}`];
}
