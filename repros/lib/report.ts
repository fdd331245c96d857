// The report of one run, whatever ran it: the stand-ins and the real tier (runner.ts, for the CLI and
// the tests) and a kind cluster (cluster/run-on-kind.ts). One builder stamps every check with the tier
// and the versions it ran against and judges it; one printer writes it for a person or as JSON.
import { evaluate, type ClaimResult } from './claims.ts';
import type { ScenarioResult } from './repro.ts';
import { formatVersions, type Tier, type Versions } from './tiers.ts';

export interface RunReport extends ScenarioResult {
  slug: string;
  scenario: string;
  scale: number;
  tier: Tier;
  /** Versions of the software the run exercised (real tools and kernel; the cluster's Kubernetes). */
  versions?: Versions;
  startedAt: string;
  durationMs: number;
  results: ClaimResult[];
}

export interface ReportOf {
  slug: string;
  scenario: string;
  scale: number;
  tier: Tier;
  versions?: Versions | undefined;
  /** When the run started (ISO time) and its performance.now() then. */
  startedAt: string;
  t0: number;
}

/** The run's observations with each check stamped with its tier and versions, and judged. */
export function buildReport(of: ReportOf, r: ScenarioResult): RunReport {
  const versions = of.versions ? { versions: of.versions } : {};
  const checks = r.checks.map((c) => ({ ...c, tier: of.tier, ...versions }));
  return {
    slug: of.slug,
    scenario: of.scenario,
    scale: of.scale,
    tier: of.tier,
    ...versions,
    startedAt: of.startedAt,
    durationMs: Math.round(performance.now() - of.t0),
    observations: r.observations,
    checks,
    results: checks.map(evaluate),
  };
}

/** What `--json` prints: the report without the claims' full text (the results name them). */
export function reportJson(r: RunReport): string {
  const { checks: _checks, ...rest } = r;
  return JSON.stringify(rest, null, 2) + '\n';
}

/** The claims a run checked, PASS or FAIL, and the count: what a run prints at its end. */
export function reportText(r: RunReport): string {
  const failed = r.results.filter((x) => !x.pass).length;
  const tier = r.tier === 'stand-in' ? 'stand-ins' : `${r.tier} tier`;
  const on = r.versions ? `${tier}: ${formatVersions(r.versions)}` : tier;
  const out = ['', `claims checked by ${r.slug} ${r.scenario} (${on}, scale ${r.scale}, ${(r.durationMs / 1000).toFixed(1)} s):`];
  for (const x of r.results) out.push(`  ${x.pass ? 'PASS' : 'FAIL'}  #${x.n} ${x.id}: ${x.detail}`);
  out.push(`${r.results.length - failed} passed, ${failed} failed`);
  return out.join('\n');
}

/** Exit code of a finished run: 0 when every claim it checked passed, else 1. */
export function reportExitCode(r: RunReport): number {
  return r.results.every((x) => x.pass) ? 0 : 1;
}
