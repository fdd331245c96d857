// The incident's numbers, each written once: the setup the model and the real processes run, the
// reading of the write-up's listing and its BackOff event, the examples the claims state, and the supervisor's tolerance.
// Claims, scenarios, checks, the cluster recipe and the page import them from here.

/**
 * The incident's setup as the model runs it. The write-up says the chaos test killed the main process
 * "every 3-4 minutes"; 210 s is the middle of that (an assumption), and 1.35 is the version the model
 * explains today's behaviour with (the write-up names no version).
 */
export const INCIDENT = { killEvery: 210, restarts: 8, version: '1.35' } as const;

/**
 * Reading the write-up's own listing (every pod at RESTARTS 7, AGE 56m; the BackOff event's first
 * occurrence 37 minutes before the listing) against the model. Assumptions, none of them in the
 * write-up: kills every 240 s of run time (the upper end of "3-4 minutes"); the first kill came
 * `firstKillAfter` seconds after the pods started; a kubelet that retries a refused pod every 10 s
 * (1.31, the oldest version modelled; the write-up names none), earliest retries.
 */
export const WRITE_UP_READING = { killEvery: 240, firstKillAfter: 900, version: '1.31', ageSeconds: 56 * 60, restarts: 7, backOffSpanMinutes: 37 } as const;

/**
 * The write-up's BackOff event as `kubectl describe` showed it: `9m34s (x39 over 37m)`, that is the
 * count at its last write, which came 9 min 34 s before the listing. client-go's EventCorrelate
 * (tools/record/events_cache.go) counts an occurrence (eventObserve) before the spam filter decides
 * whether to write it, so the count includes every refusal up to the last write.
 */
export const BACKOFF_EVENT = { count: 39, lastWrittenSecondsBefore: 9 * 60 + 34 } as const;

/** The GC example: a container that runs this long between crashes. */
export const GC_EXAMPLE = { runEvery: 400, restarts: 13 } as const;

/**
 * The model claims' other inputs, as their methods state them: the fourth run of the reset examples
 * (more than, and exactly, the 600 s reset run time) and how many seeds the jitter sweeps draw.
 */
export const MODEL_INPUTS = { longRun: 601, exactRun: 600, seeds: 200 } as const;

/** The tolerance of the real supervisor's waits, in wall-clock milliseconds (see the claim's method). */
export const SUPERVISOR_TOLERANCE_MS = 250;
