// Scaled time. Repros express durations in real seconds (the numbers of the incident) and sleep
// scale x that long, so one code path serves a human watching at 1x and a test at 0.01x.

export function scaledMs(realSeconds: number, scale: number): number {
  return realSeconds * 1000 * scale;
}

/** Resolves after ms, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return sleepUnlessWoken(ms, signal);
}

/** sleep(), ended early (resolved) when a function in `wakers` is called. */
function sleepUnlessWoken(ms: number, signal?: AbortSignal, wakers?: Set<() => void>): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const settle = (): void => {
      clearTimeout(timer);
      wakers?.delete(wake);
      signal?.removeEventListener('abort', onAbort);
    };
    const wake = (): void => {
      settle();
      resolve();
    };
    const onAbort = (): void => {
      settle();
      reject(signal?.reason);
    };
    const timer = setTimeout(wake, Math.max(0, ms));
    wakers?.add(wake);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A monotonic stopwatch in milliseconds. */
export function stopwatch(): () => number {
  const t0 = performance.now();
  return () => performance.now() - t0;
}

/** The promise's value if it settles within ms, else undefined (also when it rejects); the timer never outlives the answer. */
export async function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([p.catch(() => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Something a waitFor can be woken by: call notify() where the awaited condition may have changed
 * (a line arrived, a process exited), and waitFor checks again at once instead of at its next poll.
 */
export class Wakeup {
  readonly #waiting = new Set<() => void>();

  notify(): void {
    for (const wake of [...this.#waiting]) wake();
  }

  /** Resolves at the next notify() or after ms, whichever is first; rejects when the signal aborts. */
  next(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepUnlessWoken(ms, signal, this.#waiting);
  }
}

export interface WaitForOptions {
  timeoutMs: number;
  /** Between checks, ms (default 10). With `wake`, the longest a change can go unseen. */
  intervalMs?: number;
  signal?: AbortSignal;
  /** Checks again as soon as this is notified, not only every intervalMs. */
  wake?: Wakeup;
  /** What was seen instead, appended to the timeout's message. */
  detail?: () => string;
}

/**
 * Polls until check() returns a value other than undefined, or fails after timeoutMs with a message
 * naming what was awaited. For conditions with no event to wait on (a file's contents, /proc), or,
 * with `wake`, for a condition over events that arrive on their own (lines of a watching process).
 */
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, opts: WaitForOptions): Promise<T> {
  const elapsed = stopwatch();
  const intervalMs = opts.intervalMs ?? 10;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (elapsed() > opts.timeoutMs) {
      const seen = opts.detail ? `; ${opts.detail()}` : '';
      throw new Error(`timed out after ${Math.round(opts.timeoutMs)} ms waiting for ${what}${seen}`);
    }
    await (opts.wake ? opts.wake.next(intervalMs, opts.signal) : sleep(intervalMs, opts.signal));
  }
}

/**
 * Calls tick(elapsed ms) at once and then every everyMs until durationMs have passed, the last wait
 * cut to the end; `since` counts the duration from an earlier moment. For watching something over a
 * fixed time (an outage held for a while), not for waiting on a condition (waitFor).
 */
export async function tickFor(
  durationMs: number,
  everyMs: number,
  tick: (elapsedMs: number) => unknown,
  opts: { signal?: AbortSignal; since?: () => number } = {},
): Promise<void> {
  const elapsed = opts.since ?? stopwatch();
  for (let at = elapsed(); at < durationMs; at = elapsed()) {
    await tick(at);
    await sleep(Math.min(everyMs, durationMs - elapsed()), opts.signal);
  }
}
