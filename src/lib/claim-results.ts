// The last test run's claim verdicts (written by `npm test` to test-results/claims.json). Absent
// results mean "not yet verified"; a page never shows a tick it cannot back.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { claimList, claimTiers, formatExpected, type Claim, type Claims } from '../../repros/lib/claims.ts';
import { TIERS, type Tier, type Versions } from '../../repros/lib/tiers.ts';

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

/** KB_CLAIM_RESULTS points the build at another results file (a fixture, a CI artifact). */
export const CLAIM_RESULTS_PATH = resolve(process.cwd(), process.env.KB_CLAIM_RESULTS ?? join('test-results', 'claims.json'));

let cached: ClaimResultsFile | null | undefined;

export function claimResults(): ClaimResultsFile | null {
  if (cached !== undefined) return cached;
  cached = existsSync(CLAIM_RESULTS_PATH) ? (JSON.parse(readFileSync(CLAIM_RESULTS_PATH, 'utf8')) as ClaimResultsFile) : null;
  return cached;
}

export function verdictFor(slug: string, id: string): ClaimVerdict | undefined {
  return claimResults()?.claims[`${slug}#${id}`];
}

/**
 * The observed value of a verdict, from its detail line ("expected <e>, observed <o>", written by
 * judge() in repros/lib/claims.ts); the whole detail when it has another shape.
 */
export function observedOf(claim: Claim, detail: string): string {
  const head = `expected ${formatExpected(claim.expected)}, observed `;
  return detail.startsWith(head) ? detail.slice(head.length) : detail;
}

/** How one tier fared across an incident's claims. */
export interface TierSummary {
  tier: Tier;
  /** Claims that declare this tier. */
  declared: number;
  /** Of those, how many the last run verified (passed) and failed on this tier. */
  verified: number;
  failed: number;
  /** The newest verdict on this tier (ISO time), if any. */
  lastAt?: string;
  /** Every distinct set of versions seen on this tier, formatted by the caller. */
  versions: Versions[];
}

export interface VerificationSummary {
  total: number;
  /** Claims whose verdict passed on every tier that checked them. */
  verified: number;
  failed: number;
  tiers: TierSummary[];
  /** When the test run finished, or undefined without results. */
  runAt?: string;
}

/** The incident's claims summed up by tier, for the page's details box. */
export function verificationSummary(claims: Claims<string>): VerificationSummary {
  const list = claimList(claims);
  const run = claimResults();
  const tiers = new Map<Tier, TierSummary>();
  for (const t of TIERS) tiers.set(t, { tier: t, declared: 0, verified: 0, failed: 0, versions: [] });
  let verified = 0;
  let failed = 0;
  for (const c of list) {
    const v = verdictFor(c.slug, c.id);
    if (v?.pass) verified++;
    else if (v) failed++;
    for (const t of claimTiers(c)) {
      const s = tiers.get(t) as TierSummary;
      s.declared++;
      const tv = v?.tiers?.[t] ?? (t === 'stand-in' && v && !v.tiers ? v : undefined);
      if (!tv) continue;
      if (tv.pass) s.verified++;
      else s.failed++;
      if (!s.lastAt || tv.at > s.lastAt) s.lastAt = tv.at;
      if (tv.versions && !s.versions.some((x) => JSON.stringify(x) === JSON.stringify(tv.versions))) s.versions.push(tv.versions);
    }
  }
  return {
    total: list.length,
    verified,
    failed,
    tiers: [...tiers.values()].filter((s) => s.declared > 0),
    ...(run ? { runAt: run.finishedAt } : {}),
  };
}
