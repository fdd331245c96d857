// How kubectl prints what the mini kubelet reports: `kubectl get pods -w` rows and event lines.
// Pure, so the page can render the same rows from the model at build time.

export const POD = 'api-5966577d7b-x2m46';
export const CONTAINER = 'app';

/** kubectl's AGE column (apimachinery util/duration HumanDuration, the ranges that matter here). */
export function kubectlAge(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
}

export const POD_HEADER = `${'NAME'.padEnd(24)} ${'READY'.padEnd(7)} ${'STATUS'.padEnd(18)} ${'RESTARTS'.padEnd(10)} AGE`;

export function podRow(ready: string, status: string, restarts: number, ageSeconds: number): string {
  return `${POD.padEnd(24)} ${ready.padEnd(7)} ${status.padEnd(18)} ${String(restarts).padEnd(10)} ${kubectlAge(ageSeconds)}`;
}

/** The rows `kubectl get pods -w` prints for a schedule of exits and restarts. */
export function watchRows(restarts: readonly { restart: number; exitedAt: number; restartedAt: number }[]): string[] {
  const rows = [POD_HEADER, podRow('1/1', 'Running', 0, 0)];
  for (const r of restarts) {
    rows.push(podRow('0/1', 'Error', r.restart - 1, r.exitedAt));
    if (r.restartedAt > r.exitedAt) rows.push(podRow('0/1', 'CrashLoopBackOff', r.restart - 1, r.exitedAt));
    rows.push(podRow('1/1', 'Running', r.restart, r.restartedAt));
  }
  return rows;
}
