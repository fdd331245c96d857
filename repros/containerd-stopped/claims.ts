// The behaviour the containerd-stopped postmortem documents, as data: each statement, the value the
// facts predict, and where the facts come from. The repro measures, the tests judge.
import { defineClaims, type Source } from '../lib/claims.ts';
import { DEFAULT_TOLERATION_SECONDS } from './cluster.ts';
import { DEFAULT_KUBELET_CONFIG } from './kubelet.ts';
import { DEFAULT_LINE_BYTES } from './log-line.ts';
import { DEFAULT_CONTROLLER_CONFIG, NODE_EVICTION_PERIOD_MS } from './node-lifecycle-controller.ts';
import { GRACE_PERIOD_S } from './node-simulation.ts';
import { chainCeilingBytes, DEFAULT_PIPE_BYTES, linesPerPipe, predictedRequestsBeforeHang } from './pipe-math.ts';

export const SLUG = 'containerd-stopped';

/** The fixed inputs of the runs the claims speak about. */
export const RUN = {
  lineBytes: DEFAULT_LINE_BYTES,
  /** F_SETPIPE_SZ target for the bigger-pipe variant: /proc/sys/fs/pipe-max-size's default. */
  bigPipeBytes: 1_048_576,
  /** Requests sent with the console.log app after the copier stopped. */
  consoleRequests: 4000,
  /** Requests sent with the dropping logger after the copier stopped. */
  fixedRequests: 2000,
} as const;

const CEILING = chainCeilingBytes(DEFAULT_PIPE_BYTES, DEFAULT_PIPE_BYTES);
const PREDICTED_REQUESTS = predictedRequestsBeforeHang(RUN.lineBytes, DEFAULT_PIPE_BYTES, DEFAULT_PIPE_BYTES);
const PREDICTED_RATIO = predictedRequestsBeforeHang(RUN.lineBytes, RUN.bigPipeBytes, RUN.bigPipeBytes) / PREDICTED_REQUESTS;

/** The tolerationSeconds the page recommends for the not-ready / unreachable taints of stateless pods. */
export const SHORT_TOLERATION_S = 30;

/** Derived numbers the page quotes next to the claims. */
export const PREDICTIONS = {
  ceilingBytes: CEILING,
  linesPerPipe: linesPerPipe(DEFAULT_PIPE_BYTES, RUN.lineBytes),
  requestsBeforeHang: PREDICTED_REQUESTS,
  naiveRequests: Math.floor(CEILING / RUN.lineBytes),
  bigPipeRatio: PREDICTED_RATIO,
} as const;

const monitorS = DEFAULT_CONTROLLER_CONFIG.nodeMonitorPeriodMs / 1000;
const k = DEFAULT_KUBELET_CONFIG;
/** Earliest and latest eviction after containerd stops: see the claim's method. */
const EVICT_MIN_S = DEFAULT_TOLERATION_SECONDS + (k.runtimeSyncThresholdMs - k.runtimeUpPeriodMs) / 1000;
const EVICT_MAX_S =
  DEFAULT_TOLERATION_SECONDS + (k.runtimeSyncThresholdMs + k.nodeStatusUpdateFrequencyMs) / 1000 + monitorS + NODE_EVICTION_PERIOD_MS / 1000;

const S = {
  pipe7: { label: 'pipe(7): pipe capacity, PIPE_BUF, F_GETPIPE_SZ', url: 'https://man7.org/linux/man-pages/man7/pipe.7.html' },
  fcntl: { label: 'fcntl(2): F_SETPIPE_SZ / F_GETPIPE_SZ', url: 'https://man7.org/linux/man-pages/man2/fcntl.2.html' },
  wchan: { label: 'proc_pid_wchan(5)', url: 'https://man7.org/linux/man-pages/man5/proc_pid_wchan.5.html' },
  pipeC: { label: 'Linux fs/pipe.c: anon_pipe_write (merging into the last page slot)', url: 'https://github.com/torvalds/linux/blob/master/fs/pipe.c' },
  shimIo: {
    label: 'containerd cmd/containerd-shim-runc-v2/process/io.go: copyPipes, bufPool (4,096 bytes)',
    url: 'https://github.com/containerd/containerd/blob/main/cmd/containerd-shim-runc-v2/process/io.go',
  },
  criIo: {
    label: 'containerd internal/cri/io/container_io.go: CRI log redirection',
    url: 'https://github.com/containerd/containerd/blob/main/internal/cri/io/container_io.go',
  },
  unit: { label: 'containerd containerd.service: KillMode=process', url: 'https://github.com/containerd/containerd/blob/main/containerd.service' },
  nodeIo: { label: 'Node.js docs: process, "A note on process I/O"', url: 'https://nodejs.org/api/process.html#a-note-on-process-io' },
  tcpProbe: { label: 'k/k pkg/probe/tcp/tcp.go: DoTCPProbe', url: 'https://github.com/kubernetes/kubernetes/blob/master/pkg/probe/tcp/tcp.go' },
  httpProbe: { label: 'k/k pkg/probe/http/http.go: DoHTTPProbe', url: 'https://github.com/kubernetes/kubernetes/blob/master/pkg/probe/http/http.go' },
  nlc: {
    label: 'k/k pkg/controller/nodelifecycle/node_lifecycle_controller.go: monitorNodeHealth, tryUpdateNodeHealth',
    url: 'https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/nodelifecycle/node_lifecycle_controller.go',
  },
  taintEviction: {
    label: 'k/k pkg/controller/tainteviction/taint_eviction.go: processPodOnNode, getMinTolerationTime',
    url: 'https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/tainteviction/taint_eviction.go',
  },
  kubeletRuntime: { label: 'k/k pkg/kubelet/runtime.go: runtimeErrors', url: 'https://github.com/kubernetes/kubernetes/blob/master/pkg/kubelet/runtime.go' },
  grace: { label: 'k/k PR #126287: node-monitor-grace-period 40 s -> 50 s (1.32)', url: 'https://github.com/kubernetes/kubernetes/pull/126287' },
  issue125618: { label: 'k/k issue #125618: pods stay Ready when the kubelet posts Ready=False', url: 'https://github.com/kubernetes/kubernetes/issues/125618' },
  issue112733: { label: 'k/k issue #112733: False -> Unknown does not mark pods NotReady', url: 'https://github.com/kubernetes/kubernetes/issues/112733' },
  tolerations: {
    label: 'Kubernetes docs: taint-based evictions, tolerationSeconds 300 by default',
    url: 'https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/#taint-based-evictions',
  },
  epslice: {
    label: 'k/k staging/src/k8s.io/endpointslice/utils.go: podToEndpoint',
    url: 'https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/endpointslice/utils.go',
  },
} satisfies Record<string, Source>;

export const claims = defineClaims(SLUG, {
  'default-pipe-capacity': {
    tiers: ['stand-in', 'real'],
    statement: "The app's stdout pipe holds 65,536 bytes: the Linux default of 16 pages.",
    expected: { kind: 'equals', value: DEFAULT_PIPE_BYTES, unit: 'bytes' },
    sources: [S.pipe7, S.fcntl],
    method: 'fcntl(F_GETPIPE_SZ) on the pipe the shim created, and on the FIFO.',
  },
  'hang-bytes': {
    tiers: ['stand-in', 'real'],
    statement: `With the copier stopped, the app hangs once it has written more than one pipe's worth but at most the app pipe + the shim's 4 KiB buffer + the FIFO (${CEILING.toLocaleString('en-US')} bytes) into the undrained chain.`,
    expected: { kind: 'range', min: DEFAULT_PIPE_BYTES, max: CEILING, unit: 'bytes' },
    sources: [S.pipe7, S.shimIo],
    method: 'Bytes of log the app had written, from its last answered response, minus what it had written when the copier stopped.',
  },
  'hang-requests': {
    tiers: ['stand-in', 'real'],
    statement: `With ${RUN.lineBytes}-byte lines the app answers ${PREDICTED_REQUESTS} requests after the copier stops, not ${Math.floor(CEILING / RUN.lineBytes)}: each pipe holds 16 page slots of ${Math.floor(4096 / RUN.lineBytes)} lines, plus one line in the shim's buffer.`,
    expected: { kind: 'approx', value: PREDICTED_REQUESTS, tolerance: Math.ceil(PREDICTED_REQUESTS * 0.05), unit: 'requests' },
    sources: [S.pipe7, S.pipeC, S.shimIo],
    method:
      'Sequential requests until one gets no answer within the timeout. Tolerance 5%: when the shim reads two lines in one go, the merged write may not fit the FIFO\'s last page slot, which wastes a few lines.',
  },
  'tcp-connect-while-hung': {
    tiers: ['stand-in', 'real'],
    statement: 'While the app is hung, a TCP connection to it still succeeds: the kernel completes the handshake.',
    expected: { kind: 'equals', value: true },
    sources: [S.tcpProbe],
    method: 'A new TCP connection to the app port after the hang was detected.',
  },
  'http-no-response-while-hung': {
    tiers: ['stand-in', 'real'],
    statement: 'While the app is hung, an HTTP request gets no response at all.',
    expected: { kind: 'equals', value: 'no response' },
    sources: [S.pipe7],
    method: 'GET on a new connection, waiting 2 s (a healthy request takes milliseconds).',
  },
  wchan: {
    tiers: ['stand-in', 'real'],
    statement: "The hung app sleeps in the kernel's pipe write function.",
    expected: { kind: 'oneOf', values: ['pipe_write', 'anon_pipe_write'] },
    sources: [S.wchan, S.pipeC],
    method: '/proc/<app pid>/wchan: pipe_write on older kernels, anon_pipe_write on newer ones. Not observable without /proc (macOS).',
  },
  'tcp-probe-passes': {
    tiers: ['stand-in', 'real'],
    statement: 'A tcpSocket readiness probe against the hung app passes.',
    expected: { kind: 'equals', value: 'success' },
    sources: [S.tcpProbe],
  },
  'http-probe-fails': {
    tiers: ['stand-in', 'real'],
    statement: 'An httpGet readiness probe against the hung app fails at its timeout.',
    expected: { kind: 'equals', value: 'failure' },
    sources: [S.httpProbe],
    method: 'timeoutSeconds: 1, the default.',
  },
  'waiting-requests-complete': {
    tiers: ['stand-in', 'real'],
    statement: 'When containerd starts again, every request that was waiting gets its answer.',
    expected: { kind: 'equals', value: 0, unit: 'requests still unanswered' },
    sources: [S.shimIo, S.criIo],
    method: 'The requests left waiting during the hang, counted again 10 s after a new copier attached.',
  },
  'log-exactly-once': {
    tiers: ['stand-in', 'real'],
    statement: 'After containerd is back, the log file has every request line exactly once, in order.',
    expected: { kind: 'equals', value: { missing: 0, duplicated: 0, outOfOrder: 0 } },
    sources: [S.criIo, S.unit],
    method: 'Request numbers read back from the CRI log file (partial "P" entries joined), 1 to the last request.',
  },
  'bigger-pipe-lasts-longer': {
    tiers: ['stand-in', 'real'],
    statement: `With both pipes raised to 1 MiB (F_SETPIPE_SZ) the app answers about ${Math.round(PREDICTED_RATIO)} times more requests before it hangs.`,
    expected: { kind: 'approx', value: PREDICTED_RATIO, tolerance: 1.5, unit: 'x' },
    sources: [S.fcntl, S.pipe7],
    method:
      'Requests before the hang with 1 MiB pipes divided by the same with the default pipes, one run each. Tolerance 1.5: on a busy machine the shim sometimes copies two lines at once, and the merged write can waste the end of a page slot.',
  },
  'fixed-logger-never-hangs': {
    tiers: ['stand-in', 'real'],
    statement: `The fixed app (a non-blocking logger with a 64 KiB bound) answers all ${RUN.fixedRequests.toLocaleString('en-US')} requests while containerd is down.`,
    expected: { kind: 'equals', value: 0, unit: 'requests without an answer' },
    sources: [S.nodeIo],
  },
  'fixed-logger-counts-drops': {
    tiers: ['stand-in', 'real'],
    statement: 'The fixed app reports exactly how many lines it dropped: the log is short by that many lines, no more.',
    expected: { kind: 'equals', value: 0, unit: 'lines unaccounted for' },
    sources: [S.nodeIo],
    method: 'Lines missing from the log after containerd is back, minus the dropped count the app reported.',
  },
  'console-log-no-hang': {
    statement: `A Node app that logs with console.log answers all ${RUN.consoleRequests.toLocaleString('en-US')} requests while containerd is down.`,
    expected: { kind: 'equals', value: 0, unit: 'requests without an answer' },
    sources: [S.nodeIo],
  },
  'console-log-memory-grows': {
    statement: "Instead, every line the chain cannot take waits in the app's memory (process.stdout's buffer).",
    expected: { kind: 'range', min: RUN.consoleRequests * RUN.lineBytes - CEILING, unit: 'bytes' },
    sources: [S.nodeIo],
    method: `process.stdout.writableLength after ${RUN.consoleRequests} requests of ${RUN.lineBytes}-byte lines: at least what was logged minus the chain's ceiling.`,
  },
  'kubelet-stop-endpoint-1-31': {
    statement: `Before 1.32, stopping the kubelet takes the pod out of the ready endpoints ${GRACE_PERIOD_S['1.31']} to ${GRACE_PERIOD_S['1.31'] + 2 * monitorS} s after its last heartbeat.`,
    expected: { kind: 'range', min: GRACE_PERIOD_S['1.31'], max: GRACE_PERIOD_S['1.31'] + 2 * monitorS, unit: 's' },
    sources: [S.nlc, S.epslice],
    method: 'Model. The controller notices a Lease renewal on its next 5 s pass and declares Unknown on the first pass strictly after that + the grace period.',
  },
  'kubelet-stop-endpoint-1-32': {
    statement: `From 1.32, the same takes ${GRACE_PERIOD_S['1.32']} to ${GRACE_PERIOD_S['1.32'] + 2 * monitorS} s after the last heartbeat.`,
    expected: { kind: 'range', min: GRACE_PERIOD_S['1.32'], max: GRACE_PERIOD_S['1.32'] + 2 * monitorS, unit: 's' },
    sources: [S.nlc, S.grace, S.epslice],
    method: 'Model, as above, with the 1.32 default grace period.',
  },
  'containerd-stop-never-marks-pods': {
    statement: 'Stopping containerd (alone, or followed by the kubelet) never makes the controller mark the pods NotReady.',
    expected: { kind: 'equals', value: 0, unit: 'MarkPodsNotReady calls' },
    sources: [S.nlc, S.issue125618, S.issue112733],
    method: 'Model: the kubelet posts Ready=False itself, so the observed condition is never True when the current one turns non-True.',
  },
  'containerd-stop-endpoint-until-eviction': {
    statement: `After containerd stops, the pod stays a ready endpoint until the not-ready taint's ${DEFAULT_TOLERATION_SECONDS} s toleration runs out and it is evicted: ${EVICT_MIN_S} to ${EVICT_MAX_S} s later.`,
    expected: { kind: 'range', min: EVICT_MIN_S, max: EVICT_MAX_S, unit: 's' },
    sources: [S.kubeletRuntime, S.nlc, S.taintEviction, S.tolerations, S.epslice],
    method:
      'Model. The kubelet reports "container runtime is down" 25-30 s after the stop (30 s threshold, runtime checked every 5 s), posts it within 10 s, the controller reads it within 5 s and taints within 0.1 s; then 300 s.',
  },
});
