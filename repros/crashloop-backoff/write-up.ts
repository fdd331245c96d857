// The incident write-up's own listing (every pod at RESTARTS 7, AGE 56m; the BackOff event first seen
// 37 minutes before) read against the back-off model, under the assumptions WRITE_UP_READING states.
// Pure, so the page, the model scenario and the tests compute the same numbers.
import { BACKOFF_EVENT, WRITE_UP_READING } from './constants.ts';
import { POD_WORKER_BACKOFF_PERIOD, schedule, type K8sVersion } from './kubelet-backoff.ts';

export interface WriteUpReading {
  /** RESTARTS at the listing's AGE. */
  restartsAtAge: number;
  /** Whole minutes between the first refusal (the first BackOff event) and the listing. */
  firstBackOffMinutesBefore: number;
  /** Refusals (BackOff decisions) up to the listing; the write-up's event shows a count of 39. */
  refusalsByAge: number;
  /** Refusals up to the BackOff event's last write (BACKOFF_EVENT.lastWrittenSecondsBefore before the listing): the model's number for the write-up's count of 39. */
  refusalsByLastWrite: number;
}

/** The model's RESTARTS and first BackOff event at the listing's AGE, for a kill interval and start offset. */
export function writeUpReading(
  killEvery: number = WRITE_UP_READING.killEvery,
  firstKillAfter: number = WRITE_UP_READING.firstKillAfter,
  version: K8sVersion = WRITE_UP_READING.version,
): WriteUpReading {
  const s = schedule({ version, runs: [killEvery], restarts: 40 });
  // Model time 0 is the first container start; the first kill comes killEvery later. The assumption
  // is about when the first kill came, so the model is shifted to put it there.
  const at = WRITE_UP_READING.ageSeconds - (firstKillAfter - killEvery);
  const restartsAtAge = s.restarts.filter((r) => r.restartedAt <= at).length;
  const firstRefused = s.restarts.find((r) => r.refusals > 0);
  const firstBackOffMinutesBefore = firstRefused ? Math.floor((at - firstRefused.exitedAt) / 60) : 0;
  // Before 1.35 with the earliest retries, the refusals of one wait come every 10 s from the exit.
  const refusalsBy = (t: number): number => {
    let n = 0;
    for (const r of s.restarts) {
      for (let k = 0; k < r.refusals; k++) if (r.exitedAt + k * POD_WORKER_BACKOFF_PERIOD <= t) n += 1;
    }
    return n;
  };
  const refusalsByAge = refusalsBy(at);
  const refusalsByLastWrite = refusalsBy(at - BACKOFF_EVENT.lastWrittenSecondsBefore);
  return { restartsAtAge, firstBackOffMinutesBefore, refusalsByAge, refusalsByLastWrite };
}
