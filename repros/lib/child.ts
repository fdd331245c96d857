// Helpers for processes that a repro starts. A child must never outlive the repro: if its parent
// dies (even by SIGKILL, which runs no handler) it notices that its parent pid changed and exits.

export function exitWhenParentDies(intervalMs = 250): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) process.exit(1);
  }, intervalMs);
  timer.unref();
}

/** Parses "--name value" pairs of a child's argv into a map (children get argv from code, not users). */
export function childArgs(argv: readonly string[] = process.argv.slice(2)): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a?.startsWith('--')) {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        out.set(a.slice(2), next);
        i++;
      } else out.set(a.slice(2), 'true');
    }
  }
  return out;
}
