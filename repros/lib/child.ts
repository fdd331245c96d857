// Helpers for processes that a repro starts. A child must never outlive the repro: if its parent
// dies (even by SIGKILL, which runs no handler) it notices that its parent pid changed and exits.
// A child's flags: ChildFlag lists in lib/flags.ts; its events: lib/child-events.ts.
import { processAlive, sweepOrphanedTempDirs } from './temp-dir.ts';

/**
 * The pid of the process that started this one, set by ProcessGroup.spawn. A parent SIGKILLed while
 * this process was still starting has already left it to init before it could note its parent pid;
 * this names the parent all the same.
 */
export const PARENT_PID_ENV = 'REPRO_PARENT_PID';

/**
 * Calls `gone` once the parent is gone: its pid changed, or the process that started this one (a
 * grandchild's runner too) no longer exists. Before that, it removes the temporary directories whose
 * owner is gone (temp-dir.ts): a SIGKILLed runner cannot remove its own.
 */
export function onParentGone(gone: () => void, intervalMs = 250): void {
  const parent = process.ppid;
  const starter = Number(process.env[PARENT_PID_ENV]);
  const timer = setInterval(() => {
    if (process.ppid === parent && (!(starter > 0) || processAlive(starter))) return;
    clearInterval(timer);
    sweepOrphanedTempDirs();
    gone();
  }, intervalMs);
  timer.unref();
}

export function exitWhenParentDies(intervalMs = 250): void {
  onParentGone(() => process.exit(1), intervalMs);
}
