// Helpers for processes that a repro starts. A child must never outlive the repro: if its parent
// dies (even by SIGKILL, which runs no handler) it notices that its parent pid changed and exits.
// A child's flags: ChildFlag lists in lib/flags.ts; its events: lib/child-events.ts.
import { sweepOrphanedTempDirs } from './temp-dir.ts';

/**
 * Exits once the parent is gone. Before it does, it removes the temporary directories whose owner is
 * gone (temp-dir.ts): a SIGKILLed runner cannot remove its own.
 */
export function exitWhenParentDies(intervalMs = 250): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    sweepOrphanedTempDirs();
    process.exit(1);
  }, intervalMs);
  timer.unref();
}
