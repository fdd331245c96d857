// What the CrashLoopBackOff page states, with where each number comes from. The model claims are
// checked against kubelet-backoff.ts (a port of the kubelet's code); the supervisor claims against
// real processes that a mini kubelet restarts with that same code.
import { defineClaims, type Source } from '../lib/claims.ts';
import { GC_EXAMPLE, INCIDENT, MODEL_INPUTS, SUPERVISOR_TOLERANCE_MS, WRITE_UP_READING } from './constants.ts';

const DO_BACKOFF: Source = {
  label: 'k/k pkg/kubelet/kuberuntime/kuberuntime_manager.go: doBackOff',
  url: 'https://github.com/kubernetes/kubernetes/blob/master/pkg/kubelet/kuberuntime/kuberuntime_manager.go',
};
const CLIENT_GO_BACKOFF: Source = {
  label: 'client-go util/flowcontrol/backoff.go (v0.35.0): Next, IsInBackOffSince, hasExpired',
  url: 'https://github.com/kubernetes/client-go/blob/v0.35.0/util/flowcontrol/backoff.go',
};
const CLIENT_GO_GC: Source = {
  label: 'client-go util/flowcontrol/backoff.go (v0.35.0): GC deletes entries for which hasExpired(now, lastUpdate) holds',
  url: 'https://github.com/kubernetes/client-go/blob/v0.35.0/util/flowcontrol/backoff.go',
};
const HOUSEKEEPING: Source = {
  label: 'k/k pkg/kubelet/kubelet_pods.go: HandlePodCleanups ends with the back-off GC; pkg/kubelet/kubelet.go: housekeepingPeriod = 2 s',
  url: 'https://github.com/kubernetes/kubernetes/blob/master/pkg/kubelet/kubelet_pods.go',
};
const POD_WORKERS: Source = {
  label: 'k/k pkg/kubelet/pod_workers.go before PR #133066: completeWork requeues a failed sync after wait.Jitter(backOffPeriod, 0.5), 10-15 s',
  url: 'https://github.com/kubernetes/kubernetes/blob/5cf4fbe524ca1479607a4880949a032064556f76/pkg/kubelet/pod_workers.go#L1495-L1497',
};
const WRITE_UP: Source = { label: 'Incident write-up (reported observation)' };
const KUBELET_GO: Source = {
  label: 'k/k pkg/kubelet/kubelet.go: newCrashLoopBackOff and the HasExpiredFunc override',
  url: 'https://github.com/kubernetes/kubernetes/blob/master/pkg/kubelet/kubelet.go',
};
const KUBELET_DEFAULTS: Source = {
  label: 'k/k pkg/kubelet/apis/config/v1beta1/defaults.go: maxContainerRestartPeriod defaults to 300 s',
  url: 'https://github.com/kubernetes/kubernetes/blob/master/pkg/kubelet/apis/config/v1beta1/defaults.go',
};
const FEATURES: Source = {
  label: 'k/k pkg/features/kube_features.go: KubeletCrashLoopBackOffMax, ReduceDefaultCrashLoopBackOffDecay',
  url: 'https://github.com/kubernetes/kubernetes/blob/master/pkg/features/kube_features.go',
};
const KEP_4603: Source = {
  label: 'KEP-4603: Tune CrashLoopBackOff',
  url: 'https://github.com/kubernetes/enhancements/blob/master/keps/sig-node/4603-tune-crashloopbackoff/README.md',
};
const POD_LIFECYCLE: Source = {
  label: 'Kubernetes docs: Pod lifecycle, container restarts',
  url: 'https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#container-restarts',
};
const ISSUE_123602: Source = {
  label: 'k/k issue #123602: Pod Crashloop backoff requeue issues (the refusal is retried as a sync error, every 10 s plus jitter)',
  url: 'https://github.com/kubernetes/kubernetes/issues/123602',
};
const PR_133066: Source = {
  label: 'k/k PR #133066: Propagate backoff duration for crashloop backoff (requeue at the expiry, at most the 1 min resync interval, jittered)',
  url: 'https://github.com/kubernetes/kubernetes/pull/133066',
};

export const claims = /* @__PURE__ */ defineClaims('crashloop-backoff', {
  'default-waits': {
    statement: `With default settings the waits before restarts 1 to 8 are 0, 10, 20, 40, 80, 160, 300 and 300 s (kills every ${INCIDENT.killEvery} s, earliest pod worker retries).`,
    expected: { kind: 'equals', value: [0, 10, 20, 40, 80, 160, 300, 300], unit: 's' },
    sources: [DO_BACKOFF, CLIENT_GO_BACKOFF, KUBELET_GO, KEP_4603, POD_WORKERS, PR_133066],
    method: `The ported doBackOff and Backoff, driven through eight exits of a container that runs ${INCIDENT.killEvery} s each time.`,
  },
  'seventh-restart-hits-cap': {
    tiers: ['stand-in', 'real'],
    statement: `With the container killed every ${INCIDENT.killEvery} s of run time, restart 7 is the first one that waits the full 300 s.`,
    expected: { kind: 'equals', value: 7 },
    sources: [DO_BACKOFF, CLIENT_GO_BACKOFF],
    method: 'The model schedule, and the real supervisor: the first restart whose measured wait is within tolerance of 300 s.',
  },
  'long-run-resets': {
    statement:
      'A container that ran more than 600 s before it exited is restarted at once, and the next wait starts again from 10 s.',
    expected: { kind: 'equals', value: [0, 10], unit: 's' },
    sources: [KUBELET_GO, CLIENT_GO_BACKOFF, CLIENT_GO_GC, POD_LIFECYCLE],
    method: `Runs of ${INCIDENT.killEvery}, ${INCIDENT.killEvery}, ${INCIDENT.killEvery}, ${MODEL_INPUTS.longRun}, ${INCIDENT.killEvery} s: the waits before restarts 4 and 5.`,
  },
  'exactly-600s-gc': {
    statement:
      'A container that ran exactly 600 s is not reset when it exits (that needs more than 600 s), but 600 s after its last restart housekeeping deletes the back-off entry, so the next pod sync restarts it at once and the back-off starts over: on 1.35 the waits before restarts 4 and 5 are 40 and 10 s (not 40 and 80); on 1.34, whose pod worker retries every 10 s, 10 and 10 s.',
    expected: { kind: 'equals', value: { '1.34': [10, 10], '1.35': [40, 10] }, unit: 's' },
    sources: [KUBELET_GO, CLIENT_GO_BACKOFF, CLIENT_GO_GC, HOUSEKEEPING, POD_WORKERS, PR_133066],
    method: `Runs of ${INCIDENT.killEvery}, ${INCIDENT.killEvery}, ${INCIDENT.killEvery}, ${MODEL_INPUTS.exactRun}, ${INCIDENT.killEvery} s on 1.34 and on 1.35, earliest pod worker retries, housekeeping every 2 s: the waits before restarts 4 and 5.`,
  },
  'gc-400s-never-full-wait': {
    statement:
      `A container that runs ${GC_EXAMPLE.runEvery} s between crashes never waits the full 300 s: ${GC_EXAMPLE.runEvery} s of running plus the wait passes 600 s since the last restart, housekeeping deletes the entry in the middle of the wait, the next pod sync restarts the container, and the back-off starts over from 10 s.`,
    expected: { kind: 'equals', value: { waits: [0, 10, 20, 40, 80, 160, 240, 10, 20, 40, 80, 160, 240], endedEarlyByGc: [7, 13], fullWaitsAtCap: 0 }, unit: 's' },
    sources: [CLIENT_GO_GC, HOUSEKEEPING, KUBELET_GO, PR_133066],
    method:
      `The model on 1.35 over ${GC_EXAMPLE.restarts} restarts of a container that runs ${GC_EXAMPLE.runEvery} s each time; the pod worker requeues a refused pod at most 60 s ahead, so the restart lands on the first requeue after the GC (earliest retries).`,
  },
  'reduced-decay-waits': {
    statement:
      'With ReduceDefaultCrashLoopBackOffDecay on 1.33 or 1.34 the back-off runs 1, 2, 4, 8, 16, 32, 60 s, but those kubelets sync a refused pod again only every 10-15 s, so no wait is shorter than 10 s: 0, 10, 10, 10, 10, 20, 40, 60, 60 s with the earliest retries.',
    expected: { kind: 'equals', value: { backoffs: [0, 1, 2, 4, 8, 16, 32, 60, 60], waits: [0, 10, 10, 10, 10, 20, 40, 60, 60] }, unit: 's' },
    sources: [KUBELET_GO, FEATURES, KEP_4603, POD_WORKERS, ISSUE_123602],
    method: 'The model on 1.33 with --feature-gates ReduceDefaultCrashLoopBackOffDecay=true, nine restarts: the back-off doBackOff enforced, and the wait until the pod worker\'s retry let the restart through.',
  },
  'reduced-decay-135-capped-at-300': {
    statement:
      'On 1.35, turning on ReduceDefaultCrashLoopBackOffDecay alone still caps at 300 s: KubeletCrashLoopBackOffMax is on by default there and its unset maxContainerRestartPeriod defaults to 300 s, which takes precedence.',
    expected: { kind: 'equals', value: { max: 300, waits: [0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 300] } },
    sources: [KUBELET_GO, KUBELET_DEFAULTS, FEATURES, PR_133066],
    method: 'The model on 1.35 with only ReduceDefaultCrashLoopBackOffDecay=true, eleven restarts.',
  },
  'max-restart-period-5s': {
    statement:
      'With maxContainerRestartPeriod: 5s the back-off is 5 s. On 1.35 the waits are 0, 5, 5, 5, ... s; on 1.32 to 1.34, whose pod worker retries a refused pod every 10-15 s, they are 0, 10, 10, 10, ... s at best.',
    expected: { kind: 'equals', value: { '1.32': [0, 10, 10, 10, 10, 10], '1.35': [0, 5, 5, 5, 5, 5] }, unit: 's' },
    sources: [KUBELET_GO, FEATURES, KEP_4603, POD_WORKERS, ISSUE_123602, PR_133066],
    method: 'The model with KubeletCrashLoopBackOffMax=true and --max-restart-period 5 on 1.32 and on 1.35, six restarts, earliest retries.',
  },
  'retry-granularity-late': {
    statement:
      'On kubelets without back-off propagation (before k/k PR #133066, modelled as 1.31 to 1.34), a restart lands up to about 15 s after the back-off expires.',
    expected: { kind: 'range', min: 0, max: 15, unit: 's' },
    sources: [POD_WORKERS, ISSUE_123602],
    method:
      `The model on 1.34 with --retry-granularity over ${MODEL_INPUTS.seeds} seeds: the largest delay between the nominal expiry and the restart (PLEG relist up to 1 s, then pod worker retries every 10-15 s).`,
  },
  'propagated-retry-late': {
    statement:
      'With back-off propagation (k/k PR #133066, modelled as 1.35) the pod worker still jitters its requeue by up to half the delay, and caps the delay at its 1 min resync interval, so a restart after a 300 s back-off can land up to 30 s after the expiry.',
    expected: { kind: 'range', min: 0, max: 30, unit: 's' },
    sources: [PR_133066],
    method:
      `The model on 1.35 with --retry-granularity over ${MODEL_INPUTS.seeds} seeds, kills every ${INCIDENT.killEvery} s: the largest delay between the nominal expiry and the restart (PLEG relist up to 1 s, then requeues of min(expiry - now, 60 s) x 1 to 1.5).`,
  },
  'write-up-restarts-at-56m': {
    statement:
      `The write-up's listing (every pod at RESTARTS ${WRITE_UP_READING.restarts} at AGE 56m, the first BackOff event ${WRITE_UP_READING.backOffSpanMinutes} minutes earlier) fits the model if the chaos test killed every ${WRITE_UP_READING.killEvery} s of run time and its first kill came about ${WRITE_UP_READING.firstKillAfter / 60} minutes after the pods started; neither is in the write-up.`,
    expected: { kind: 'equals', value: { restartsAtAge: WRITE_UP_READING.restarts, firstBackOffMinutesBefore: WRITE_UP_READING.backOffSpanMinutes } },
    sources: [WRITE_UP, DO_BACKOFF, CLIENT_GO_BACKOFF, POD_WORKERS],
    method:
      `The model on ${WRITE_UP_READING.version} (earliest retries every 10 s) with runs of ${WRITE_UP_READING.killEvery} s, shifted so that the first kill comes ${WRITE_UP_READING.firstKillAfter} s after the pods started: the restart count at AGE 56m, and how many whole minutes before that the first refusal came.`,
  },
  'supervisor-matches-model': {
    tiers: ['stand-in', 'real'],
    statement: `The real supervisor's measured waits (child exit to next spawn) match the model within ${SUPERVISOR_TOLERANCE_MS} ms.`,
    expected: { kind: 'range', min: 0, max: SUPERVISOR_TOLERANCE_MS, unit: 'ms' },
    sources: [DO_BACKOFF, CLIENT_GO_BACKOFF],
    method:
      'Largest |measured - model| over all restarts, in wall-clock ms, from a run at --scale 0.01. The difference is the time to notice ' +
      'the exit, timer lateness and the fork and exec of the next process. Measured on a 2-core machine: 3-6 ms idle, 12-70 ms with ' +
      'both cores kept busy by CPU hogs, up to about 150 ms with several other test suites running as well, and 15-150 ms in a ' +
      'full 43-minute run at --scale 1 on a busy machine; 250 ms leaves room for that. ' +
      'At that scale the first steps (10 s = 100 ms of wall time) are inside the tolerance; the doubling is resolved from restart 5 on, ' +
      'and at --scale 1 the same 250 ms is under 3% of the smallest wait.',
  },
});
