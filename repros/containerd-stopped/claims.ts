// The behaviour the containerd-stopped postmortem documents, as data: each statement, the value the
// facts predict, and where the facts come from. The repro measures, the tests judge.
import { defineClaims, type Source } from '../lib/claims.ts';
import { DEFAULT_TOLERATION_SECONDS } from './cluster.ts';
import { DAEMONSET_HOLD_S, DELETED_POD_SEEN_AFTER_S, DELETE_AT_S, EVICTION_WINDOW_S, HANG_TIMEOUT_MS, NODE_MONITOR_PERIOD_S, PREDICTIONS, RUN, SLUG } from './constants.ts';
import { GRACE_PERIOD_S } from './node-simulation.ts';
import { DEFAULT_PIPE_BYTES, PAGE_BYTES } from './pipe-math.ts';

const K = 'https://github.com/kubernetes/kubernetes/blob';
const C = 'https://github.com/containerd/containerd/blob';

const S = {
  pipe7: { label: 'pipe(7): capacity, PIPE_BUF, blocking writes', url: 'https://man7.org/linux/man-pages/man7/pipe.7.html' },
  fcntl: { label: 'fcntl(2): F_SETPIPE_SZ / F_GETPIPE_SZ', url: 'https://man7.org/linux/man-pages/man2/fcntl.2.html' },
  listen: { label: 'listen(2): the backlog of established connections', url: 'https://man7.org/linux/man-pages/man2/listen.2.html' },
  wchan: { label: 'proc_pid_wchan(5)', url: 'https://man7.org/linux/man-pages/man5/proc_pid_wchan.5.html' },
  pipeC: { label: 'Linux fs/pipe.c: anon_pipe_write (merging into the last page slot)', url: 'https://github.com/torvalds/linux/blob/master/fs/pipe.c' },
  shimIo: {
    label: 'containerd v1.6.20 pkg/process/io.go: copyPipes, 4 KiB bufPool, FIFO opened for reading too (same in 1.7, 2.x)',
    url: `${C}/v1.6.20/pkg/process/io.go`,
  },
  goCopy: {
    label: 'Go src/io/io.go: copyBuffer uses the given buffer unless src has WriteTo (os.File, from Go 1.22)',
    url: 'https://github.com/golang/go/blob/master/src/io/io.go',
  },
  criLogger: {
    label: 'containerd v1.6.20 pkg/cri/io/logger.go: redirectLogs (no flush on stop)',
    url: `${C}/v1.6.20/pkg/cri/io/logger.go`,
  },
  criRestart: {
    label: 'containerd v1.6.20 pkg/cri/server/restart.go: reattaches to running containers\' FIFOs',
    url: `${C}/v1.6.20/pkg/cri/server/restart.go`,
  },
  unit: { label: 'containerd v1.6.20 containerd.service: KillMode=process', url: `${C}/v1.6.20/containerd.service` },
  realRun: {
    label: 'Measured with containerd 1.6.20 + runc 1.1.5: daemon stopped while idle, restarted: no gap in the CRI log',
  },
  nodeIo: { label: 'Node.js docs: "A note on process I/O"', url: 'https://nodejs.org/api/process.html#a-note-on-process-io' },
  nodeWritable: {
    label: 'Node.js docs: writable.writableLength',
    url: 'https://nodejs.org/api/stream.html#writablewritablelength',
  },
  fixedApp: { label: "This repro's own fixed logger (app.ts, --logger dropping)" },
  tcpProbe: { label: 'k/k pkg/probe/tcp/tcp.go: DoTCPProbe', url: `${K}/master/pkg/probe/tcp/tcp.go` },
  httpProbe: { label: 'k/k pkg/probe/http/http.go: DoHTTPProbe', url: `${K}/master/pkg/probe/http/http.go` },
  nlc: {
    label: 'k/k pkg/controller/nodelifecycle/node_lifecycle_controller.go: monitorNodeHealth, tryUpdateNodeHealth',
    url: `${K}/master/pkg/controller/nodelifecycle/node_lifecycle_controller.go`,
  },
  taintEviction: {
    label: 'k/k pkg/controller/tainteviction/taint_eviction.go: processPodOnNode, getMinTolerationTime',
    url: `${K}/master/pkg/controller/tainteviction/taint_eviction.go`,
  },
  kubeletRuntime: { label: 'k/k pkg/kubelet/runtime.go: runtimeErrors', url: `${K}/master/pkg/kubelet/runtime.go` },
  grace: { label: 'k/k PR #126287: node-monitor-grace-period 40 s -> 50 s (1.32)', url: 'https://github.com/kubernetes/kubernetes/pull/126287' },
  issue125618: { label: 'k/k issue #125618: pods stay Ready when the kubelet posts Ready=False', url: 'https://github.com/kubernetes/kubernetes/issues/125618' },
  issue112733: { label: 'k/k issue #112733: False -> Unknown does not mark pods NotReady', url: 'https://github.com/kubernetes/kubernetes/issues/112733' },
  tolerations: {
    label: 'Kubernetes docs: taint-based evictions (300 s default)',
    url: 'https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/#taint-based-evictions',
  },
  toleratesTaint: {
    label: 'k/k core/v1 toleration.go: ToleratesTaint (commit 19c6083b)',
    url: `${K}/19c6083b5c8b499f3bdd52e5f58a0b6f645d0fd3/staging/src/k8s.io/api/core/v1/toleration.go`,
  },
  tolerationApi: {
    label: 'Kubernetes API reference: Pod tolerations (empty key, empty effect)',
    url: 'https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#scheduling',
  },
  daemonTolerations: {
    label: 'k/k pkg/controller/daemon/util/daemonset_util.go: AddOrUpdateDaemonPodTolerations (commit 05c351a9)',
    url: `${K}/05c351a9037bd79bf88c56171a951c3097b658da/pkg/controller/daemon/util/daemonset_util.go`,
  },
  epslice: {
    label: 'k/k staging/src/k8s.io/endpointslice/utils.go: podToEndpoint (commit 115584ee)',
    url: `${K}/115584ee0d12b1698f52c5d7cfae1dd84716b6b5/staging/src/k8s.io/endpointslice/utils.go`,
  },
  proxyTopology: {
    label: 'k/k pkg/proxy/topology.go: CategorizeEndpoints (commit 008b3652)',
    url: `${K}/008b3652959ca58af8be3fb5b6ecfe9ae7638282/pkg/proxy/topology.go`,
  },
  kep1669: {
    label: 'KEP-1669: proxy terminating endpoints (GA 1.28)',
    url: 'https://github.com/kubernetes/enhancements/tree/master/keps/sig-network/1669-proxy-terminating-endpoints',
  },
  skipSync: {
    label: 'k/k pkg/kubelet/kubelet.go: syncLoop ("Skipping pod synchronization")',
    url: `${K}/master/pkg/kubelet/kubelet.go`,
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
    statement: `With the copier stopped, the app hangs once it has written more than one pipe's worth but at most the app pipe + the shim's 4 KiB buffer + the FIFO (${PREDICTIONS.ceilingBytes.toLocaleString('en-US')} bytes) into the undrained chain.`,
    expected: { kind: 'range', min: DEFAULT_PIPE_BYTES, max: PREDICTIONS.ceilingBytes, unit: 'bytes' },
    sources: [S.pipe7, S.shimIo, S.goCopy],
    method: 'Bytes of log the app had written, from its last answered response, minus what it had written when the copier stopped.',
  },
  'hang-requests': {
    tiers: ['stand-in', 'real'],
    statement: `With ${RUN.lineBytes}-byte lines the app answers ${PREDICTIONS.requestsBeforeHang} requests after the copier stops, not ${PREDICTIONS.naiveRequests}: each pipe holds 16 page slots of ${Math.floor(PAGE_BYTES / RUN.lineBytes)} lines, plus one line in the shim's buffer.`,
    expected: { kind: 'approx', value: PREDICTIONS.requestsBeforeHang, tolerance: Math.ceil(PREDICTIONS.requestsBeforeHang * 0.05), unit: 'requests' },
    sources: [S.pipe7, S.pipeC, S.shimIo],
    method: 'Sequential requests until one gets no answer. Tolerance 5%: a shim read of two lines at once can waste a page slot\'s tail.',
  },
  'tcp-connect-while-hung': {
    tiers: ['stand-in', 'real'],
    statement: 'While the app is hung, a TCP connection to it still succeeds: the kernel completes the handshake.',
    expected: { kind: 'equals', value: true },
    sources: [S.listen],
    method: 'A new TCP connection to the app port after the hang was detected.',
  },
  'http-no-response-while-hung': {
    tiers: ['stand-in', 'real'],
    statement: 'While the app is hung, an HTTP request gets no response at all.',
    expected: { kind: 'equals', value: 'no response' },
    sources: [S.pipe7, S.nodeIo],
    method: `GET on a new connection, waiting ${HANG_TIMEOUT_MS / 1000} s (a healthy request takes milliseconds).`,
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
    sources: [S.tcpProbe, S.listen],
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
    sources: [S.unit, S.shimIo, S.criRestart],
    method: `The requests left waiting during the hang, each given ${RUN.recoveryTimeoutMs['stand-in'] / 1000} s (stand-ins) or ${RUN.recoveryTimeoutMs.real / 1000} s (real containerd) to answer after the copier is back.`,
  },
  'log-exactly-once': {
    tiers: ['stand-in', 'real'],
    statement: 'With containerd stopped while no line was in flight (lines under 4 KiB, written whole), the log has every request line exactly once, in order, after containerd is back.',
    expected: { kind: 'equals', value: { missing: 0, duplicated: 0, outOfOrder: 0 } },
    sources: [S.criLogger, S.criRestart, S.unit, S.realRun],
    method: 'Request numbers read back from the CRI log, P entries joined. The copier is stopped between requests; a half-read line would be lost (upstream does not flush).',
  },
  'bigger-pipe-lasts-longer': {
    tiers: ['stand-in', 'real'],
    statement: `With both pipes raised to 1 MiB (F_SETPIPE_SZ) the app answers about ${Math.round(PREDICTIONS.bigPipeRatio)} times more requests before it hangs.`,
    expected: { kind: 'approx', value: PREDICTIONS.bigPipeRatio, tolerance: 1.5, unit: 'x' },
    sources: [S.fcntl, S.pipe7],
    method: 'Requests before the hang, 1 MiB pipes over default pipes. Tolerance 1.5: merged shim writes on a busy machine waste slot tails.',
  },
  'fixed-logger-never-hangs': {
    tiers: ['stand-in', 'real'],
    statement: `The fixed app (a non-blocking logger with a 64 KiB bound) answers all ${RUN.fixedRequests.toLocaleString('en-US')} requests while containerd is down.`,
    expected: { kind: 'equals', value: 0, unit: 'requests without an answer' },
    sources: [S.fixedApp, S.nodeIo],
  },
  'fixed-logger-counts-drops': {
    tiers: ['stand-in', 'real'],
    statement: 'The fixed app reports exactly how many lines it dropped: the log is short by that many lines, no more.',
    expected: { kind: 'equals', value: 0, unit: 'lines unaccounted for' },
    sources: [S.fixedApp, S.nodeWritable],
    method: 'Lines missing from the log after containerd is back, minus the dropped count the app reported.',
  },
  'console-log-no-hang': {
    statement: `A Node app that logs with console.log answers all ${RUN.consoleRequests.toLocaleString('en-US')} requests while containerd is down.`,
    expected: { kind: 'equals', value: 0, unit: 'requests without an answer' },
    sources: [S.nodeIo],
  },
  'console-log-memory-grows': {
    statement: "Instead, every line the chain cannot take waits in the app's memory (process.stdout's buffer).",
    expected: { kind: 'range', min: RUN.consoleRequests * RUN.lineBytes - PREDICTIONS.ceilingBytes, unit: 'bytes' },
    sources: [S.nodeIo, S.nodeWritable],
    method: `process.stdout.writableLength after ${RUN.consoleRequests} requests of ${RUN.lineBytes}-byte lines: at least what was logged minus the chain's ceiling.`,
  },
  'kubelet-stop-endpoint-1-31': {
    statement: `Before 1.32, stopping the kubelet takes the pod out of the ready endpoints ${GRACE_PERIOD_S['1.31']} to ${GRACE_PERIOD_S['1.31'] + 2 * NODE_MONITOR_PERIOD_S} s after its last heartbeat.`,
    expected: { kind: 'range', min: GRACE_PERIOD_S['1.31'], max: GRACE_PERIOD_S['1.31'] + 2 * NODE_MONITOR_PERIOD_S, unit: 's' },
    sources: [S.nlc, S.epslice],
    method: 'Model. The controller notices a Lease renewal on its next 5 s pass and declares Unknown on the first pass strictly after that + the grace period.',
  },
  'kubelet-stop-endpoint-1-32': {
    statement: `From 1.32, the same takes ${GRACE_PERIOD_S['1.32']} to ${GRACE_PERIOD_S['1.32'] + 2 * NODE_MONITOR_PERIOD_S} s after the last heartbeat.`,
    expected: { kind: 'range', min: GRACE_PERIOD_S['1.32'], max: GRACE_PERIOD_S['1.32'] + 2 * NODE_MONITOR_PERIOD_S, unit: 's' },
    sources: [S.nlc, S.grace, S.epslice],
    method: 'Model, as above, with the 1.32 default grace period.',
  },
  'containerd-stop-never-marks-pods': {
    statement: 'Stopping containerd (alone, or followed by the kubelet) never makes the controller mark the pods NotReady.',
    expected: { kind: 'equals', value: 0, unit: 'MarkPodsNotReady calls' },
    sources: [S.nlc, S.kubeletRuntime, S.issue125618, S.issue112733],
    method: 'Model: the kubelet posts Ready=False itself, so the observed condition is never True when the current one turns non-True.',
  },
  'containerd-stop-endpoint-until-eviction': {
    statement: `After containerd stops, the pod stays a ready endpoint until the not-ready taint's ${DEFAULT_TOLERATION_SECONDS} s toleration runs out and it is evicted: ${EVICTION_WINDOW_S.min} to ${EVICTION_WINDOW_S.max} s later.`,
    expected: { kind: 'range', min: EVICTION_WINDOW_S.min, max: EVICTION_WINDOW_S.max, unit: 's' },
    sources: [S.kubeletRuntime, S.skipSync, S.nlc, S.taintEviction, S.tolerations, S.epslice],
    method: 'Model: runtime down 25-30 s after the stop, posted within 10 s, read within 5 s, tainted within 0.1 s; then 300 s.',
  },
  'empty-key-toleration-matches-all': {
    statement: 'A toleration with an empty key and operator Exists tolerates every taint; one with an empty effect tolerates every effect.',
    expected: { kind: 'equals', value: { emptyKeyExists: true, emptyEffect: true } },
    sources: [S.toleratesTaint, S.tolerationApi],
    method: 'Model: the ToleratesTaint port over node taints of both effects and a custom taint with a value.',
  },
  'daemonset-pod-never-evicted': {
    statement: 'A DaemonSet pod on the same node is never evicted while containerd is down: it tolerates not-ready and unreachable forever, so it stays a ready endpoint for the whole outage.',
    expected: { kind: 'equals', value: { deleted: false, readyEndpointThroughout: true } },
    sources: [S.daemonTolerations, S.taintEviction, S.nlc, S.epslice],
    method: `Model: ${DAEMONSET_HOLD_S / 60} minutes, containerd alone and followed by the kubelet.`,
  },
  'deleted-pod-stays-serving': {
    statement: 'Deleting the pod while containerd is down leaves its endpoint serving: ready=false, serving=true, terminating=true, since its Ready condition stays True.',
    expected: { kind: 'equals', value: { ready: false, serving: true, terminating: true } },
    sources: [S.epslice, S.skipSync],
    method: `Model: kubectl delete pod ${DELETE_AT_S} s after the stop; the endpoint's conditions ${DELETED_POD_SEEN_AFTER_S} s later.`,
  },
  'deleted-pod-terminating-fallback': {
    statement: 'kube-proxy keeps sending new connections to that pod when no other endpoint is ready (the terminating fallback), not when another replica is ready.',
    expected: { kind: 'equals', value: { alone: true, withReadyReplica: false } },
    sources: [S.proxyTopology, S.kep1669],
    method: 'Model: the CategorizeEndpoints port, the pod alone and next to a ready replica.',
  },
});
