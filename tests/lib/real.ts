// The real tier in node tests: run when this machine can, otherwise skip with the reason, except
// under CI=true, where the real tier must run and a skip is a failure.
import type { TestContext } from 'node:test';
import { realTierProblem, type ToolName } from '../../repros/lib/real/tools.ts';

/**
 * Returns true when the test should go on with the real tier. Otherwise it marks the test skipped
 * (with why, and what to run) and returns false; under CI it throws instead, so the run fails.
 */
export function realTier(t: TestContext, tools: readonly ToolName[], needsRoot = true): boolean {
  const problem = realTierProblem(tools, needsRoot);
  if (!problem) return true;
  if (process.env.CI) throw new Error(`CI=true: the real tier must run, but ${problem}`);
  t.skip(`real tier not run: ${problem}`);
  return false;
}
