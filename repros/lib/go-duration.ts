// Go's time.Duration String(), for messages the ported kubelet code prints ("back-off 5m0s ...",
// "pleg was last seen active 3m4.2s ago"). Millisecond precision, as the repros measure.

/** Go's time.Duration String() for whole and fractional seconds, e.g. 1h0m0s, 5m0s, 2m40s, 10s, 1.5s. */
export function goDuration(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  if (ms === 0) return '0s';
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  const sec = `${Number.isInteger(s) ? s : s.toFixed(3).replace(/0+$/, '')}s`;
  if (h > 0) return `${h}h${m}m${sec}`;
  if (m > 0) return `${m}m${sec}`;
  return sec;
}
