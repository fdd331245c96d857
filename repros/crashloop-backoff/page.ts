// crashloop-backoff as the site sees it: the one module incident pages and site components import
// (the back-off calculator runs it in the browser too). Pure data and functions (no process, socket or
// real-tier code; tests/site/site-surface.test.ts checks).
export { claims } from './claims.ts';
export { BACKOFF_EVENT, GC_EXAMPLE, INCIDENT, SUPERVISOR_TOLERANCE_MS, WRITE_UP_READING } from './constants.ts';
export {
  BackoffConfigError, GATES, gateStage, goDuration, schedule, VERSIONS, waits,
  HOUSEKEEPING_PERIOD, INITIAL_CRASHLOOP_BACKOFF, MAX_CRASHLOOP_BACKOFF, MAX_RESTART_PERIOD, MIN_RESTART_PERIOD,
  POD_WORKER_BACKOFF_PERIOD, POD_WORKER_JITTER_FACTOR, POD_WORKER_RESYNC_INTERVAL, REDUCED_INITIAL_CRASHLOOP_BACKOFF,
  REDUCED_MAX_CRASHLOOP_BACKOFF, STABLE_RUN_RESET,
} from './kubelet-backoff.ts';
export type { GateName, K8sVersion, Schedule } from './kubelet-backoff.ts';
export { watchRows } from './kubectl-format.ts';
export { writeUpReading } from './write-up.ts';

/** Files shown on the incident page, relative to the repo root. */
export const SOURCE_FILES: readonly string[] = [
  'repros/crashloop-backoff/kubelet-backoff.ts',
  'repros/crashloop-backoff/model/client-go-backoff.ts',
  'repros/crashloop-backoff/model/kubelet-config.ts',
  'repros/crashloop-backoff/model/kubelet-sync.ts',
  'repros/crashloop-backoff/write-up.ts',
  'repros/crashloop-backoff/kubelet.ts',
  'repros/crashloop-backoff/chaos-killer.ts',
  'repros/crashloop-backoff/app.ts',
];
