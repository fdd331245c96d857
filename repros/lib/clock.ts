// Scaled time. Repros express durations in real seconds (the numbers of the incident) and sleep
// scale x that long, so one code path serves a human watching at 1x and a test at 0.01x.

export function scaledMs(realSeconds: number, scale: number): number {
  return realSeconds * 1000 * scale;
}

/** Resolves after ms, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A monotonic stopwatch in milliseconds. */
export function stopwatch(): () => number {
  const t0 = performance.now();
  return () => performance.now() - t0;
}

/**
 * Polls until check() returns a value other than undefined, or fails after timeoutMs with a message
 * naming what was awaited. For conditions with no event to wait on (a file's contents, /proc).
 */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  opts: { timeoutMs: number; intervalMs?: number; signal?: AbortSignal },
): Promise<T> {
  const elapsed = stopwatch();
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (elapsed() > opts.timeoutMs) throw new Error(`timed out after ${Math.round(opts.timeoutMs)} ms waiting for ${what}`);
    await sleep(opts.intervalMs ?? 10, opts.signal);
  }
}
