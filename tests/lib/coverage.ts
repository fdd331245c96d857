// After the unit and repro tests: every claim defined in any repros/<slug>/claims.ts must have been
// asserted on each tier it declares (tests/lib/claims.ts records each assertion with its tier). The
// real tier counts only when it could run here (or always, under CI=true, where a skip is a failure);
// the cluster tier is checked by hand on a kind cluster and never required here. Writes
// test-results/claims.json, which the site shows as each claim's verified status per tier.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { claimList, claimTiers } from '../../repros/lib/claims.ts';
import { loadAllRepros } from '../../repros/lib/registry.ts';
import type { Tier, Versions } from '../../repros/lib/tiers.ts';
import { RESULTS_DIR } from './claims.ts';

interface Recorded {
  slug: string;
  id: string;
  pass: boolean;
  detail: string;
  at: string;
  tier?: Tier;
  versions?: Versions;
}

export interface TierVerdict {
  pass: boolean;
  detail: string;
  at: string;
  versions?: Versions;
}

export interface Coverage {
  total: number;
  verified: number;
  failed: string[];
  unchecked: string[];
}

export interface CoverageOptions {
  /** Whether the real tier ran in this test run (so a real-tier claim without a result is unchecked). */
  realTierRan: boolean;
}

export async function claimCoverage(outFile: string, opts: CoverageOptions = { realTierRan: true }): Promise<Coverage> {
  // "<slug>#<id>" -> tier -> the verdict; a claim asserted several times on one tier is verified
  // there only if every assertion passed (the newest of equal verdicts is kept).
  const recorded = new Map<string, Map<Tier, Recorded>>();
  if (existsSync(RESULTS_DIR)) {
    for (const f of readdirSync(RESULTS_DIR).filter((x) => x.endsWith('.jsonl')).sort()) {
      for (const line of readFileSync(join(RESULTS_DIR, f), 'utf8').split('\n')) {
        if (!line.trim()) continue;
        const r = JSON.parse(line) as Recorded;
        const key = `${r.slug}#${r.id}`;
        const tier = r.tier ?? 'stand-in';
        const byTier = recorded.get(key) ?? new Map<Tier, Recorded>();
        recorded.set(key, byTier);
        const prev = byTier.get(tier);
        if (!prev || (prev.pass && !r.pass) || (prev.pass === r.pass && r.at > prev.at)) byTier.set(tier, r);
      }
    }
  }
  const claims = (await loadAllRepros()).flatMap((r) => claimList(r.claims));
  const out: Record<string, { pass: boolean; detail: string; at: string; tiers: Partial<Record<Tier, TierVerdict>> }> = {};
  const failed: string[] = [];
  const unchecked: string[] = [];
  for (const c of claims) {
    const key = `${c.slug}#${c.id}`;
    const byTier = recorded.get(key) ?? new Map<Tier, Recorded>();
    const required = claimTiers(c).filter((t) => t === 'stand-in' || (t === 'real' && opts.realTierRan));
    const missing = required.filter((t) => !byTier.has(t));
    for (const t of missing) unchecked.push(`${key} on the ${t} tier ("${c.statement}")`);
    for (const [t, r] of byTier) if (!r.pass) failed.push(`${key} (${t}): ${r.detail}`);
    if (byTier.size === 0) continue;
    const tiers: Partial<Record<Tier, TierVerdict>> = {};
    for (const [t, r] of byTier) tiers[t] = { pass: r.pass, detail: r.detail, at: r.at, ...(r.versions ? { versions: r.versions } : {}) };
    const all = [...byTier.values()];
    const worst = all.find((r) => !r.pass) ?? all.reduce((a, b) => (b.at > a.at ? b : a));
    out[key] = { pass: all.every((r) => r.pass), detail: worst.detail, at: worst.at, tiers };
  }
  writeFileSync(outFile, JSON.stringify({ finishedAt: new Date().toISOString(), claims: out }, null, 2) + '\n');
  const bad = new Set([...failed, ...unchecked].map((s) => s.split(/[ :(]/)[0]));
  return { total: claims.length, verified: claims.length - bad.size, failed, unchecked };
}
