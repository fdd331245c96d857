// Asserting claims in tests. Every assertion is also recorded (test-results/claims/*.jsonl), so the
// test runner can fail when a documented claim was never checked, and the site can show when each
// claim was last verified.
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { evaluate, type ClaimCheck, type ClaimResult } from '../../repros/lib/claims.ts';
import type { RunReport } from '../../repros/lib/runner.ts';

export const RESULTS_DIR = join(import.meta.dirname, '..', '..', 'test-results', 'claims');
const file = join(RESULTS_DIR, `${process.pid}.jsonl`);

function record(result: ClaimResult): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  appendFileSync(file, JSON.stringify({ ...result, at: new Date().toISOString() }) + '\n');
}

/** Judges the observation against the claim, records the verdict, and fails the test if it does not hold. */
export function assertClaim(check: ClaimCheck): ClaimResult {
  const result = evaluate(check);
  record(result);
  assert.ok(result.pass, `claim ${check.claim.slug}#${check.claim.id} ("${check.claim.statement}"): ${result.detail}`);
  return result;
}

/** Asserts every claim a repro run checked. */
export function assertReport(report: RunReport): void {
  assert.ok(report.checks.length > 0, `${report.slug} ${report.scenario} checked no claims`);
  for (const c of report.checks) assertClaim(c);
}
