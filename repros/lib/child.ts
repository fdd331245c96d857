// Helpers for processes that a repro starts. A child must never outlive the repro: if its parent
// dies (even by SIGKILL, which runs no handler) it notices that its parent pid changed and exits.
// A child's flags: ChildFlag lists in lib/flags.ts; its events: lib/child-events.ts.

export function exitWhenParentDies(intervalMs = 250): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) process.exit(1);
  }, intervalMs);
  timer.unref();
}
