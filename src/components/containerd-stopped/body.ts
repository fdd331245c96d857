// The values and parts of the containerd-stopped incident page (content/incidents/containerd-stopped.md),
// filled in where the page writes :v[name] and ::part{#name} (src/lib/body.ts, src/lib/directives.ts).
// Every number comes from the repro's constants, its pipe arithmetic or a run of its controller model.
// Values are listed in the order the page first uses them.
import { part, type Body } from '../../lib/body.ts';
import { halfMinutes } from '../../lib/text.ts';
import {
  ALERT_FOR_S, DAEMONSET_HOLD_S, DELETE_AT_S, EVICTION_WINDOW_S, MIXIN_COMMIT, PREDICTIONS, RUN, SHORT_TOLERATION_S,
  DEFAULT_PIPE_BYTES, GO_COPY_DEFAULT_BYTES, PAGE_BYTES, SHIM_BUFFER_BYTES, predictedRequestsBeforeHang,
  CRI_READ_BUFFER_BYTES, MAX_CONTAINER_LOG_LINE_BYTES, DEFAULT_KUBELET_CONFIG, DEFAULT_TOLERATION_SECONDS,
  GRACE_PERIOD_S, simulate, DEFAULT_CONTROLLER_CONFIG,
} from '../../../repros/containerd-stopped/page.ts';
import CodeBlock from '../CodeBlock.astro';
import LogPath from './LogPath.astro';
import NodeTimeline from './NodeTimeline.astro';
import KeyTimes from './KeyTimes.astro';
import DeletedPodEndpoint from './DeletedPodEndpoint.astro';
import fifoResize from '../../../repros/containerd-stopped/snippets/fifo-resize.py?raw';
import styles from './parts.css?inline';

// The model runs the page quotes: containerd stopped on 1.32, and the same with the short toleration
// the action items recommend.
const cd = simulate({ scenario: 'containerd-stopped', version: '1.32' });
const short = simulate({ scenario: 'containerd-stopped', version: '1.32', tolerationSeconds: SHORT_TOLERATION_S });

/** Milliseconds after the stop as whole seconds; a moment the run never reached stops the build. */
const s = (ms: number | undefined, what: string): number => {
  if (ms === undefined) throw new Error(`containerd-stopped body: the model run has no ${what}`);
  return Math.round(ms / 1000);
};
/** 65536 → "65,536". */
const n = (x: number): string => x.toLocaleString('en-US');
const mib = (bytes: number): string => `${bytes / 1048576} MiB`;

const nodeNotReadyS = s(cd.nodeNotReadyAtMs, 'nodeNotReadyAtMs');

export const body: Body = {
  values: {
    // If you are paged
    alertForMin: ALERT_FOR_S / 60,
    // Summary, and what the write-up reports
    gracePeriod131S: GRACE_PERIOD_S['1.31'],
    gracePeriod132S: GRACE_PERIOD_S['1.32'],
    defaultTolerationS: DEFAULT_TOLERATION_SECONDS,
    bigPipeMib: mib(RUN.bigPipeBytes),
    // Impact
    evictionWindowMinMinutes: halfMinutes(EVICTION_WINDOW_S.min),
    evictionWindowMaxMinutes: halfMinutes(EVICTION_WINDOW_S.max),
    requestsBeforeHang: PREDICTIONS.requestsBeforeHang,
    lineBytes: RUN.lineBytes,
    requestsBeforeHang100ByteLines: n(predictedRequestsBeforeHang(100, DEFAULT_PIPE_BYTES, DEFAULT_PIPE_BYTES)),
    alertFiresMin: Math.round(((nodeNotReadyS + ALERT_FOR_S) / 60) * 10) / 10,
    // Timeline
    nodeNotReadyS,
    runtimeDownS: DEFAULT_KUBELET_CONFIG.runtimeSyncThresholdMs / 1000,
    podDeletedS: s(cd.podDeletedAtMs, 'podDeletedAtMs'),
    // Root cause: the endpoints
    nodeMonitorPeriodS: DEFAULT_CONTROLLER_CONFIG.nodeMonitorPeriodMs / 1000,
    daemonSetHoldMin: DAEMONSET_HOLD_S / 60,
    // Root cause: the app and its pipes
    pipeBytes: n(DEFAULT_PIPE_BYTES),
    pipeSlots: DEFAULT_PIPE_BYTES / PAGE_BYTES,
    linesPerSlot: Math.floor(PAGE_BYTES / RUN.lineBytes),
    linesPerPipe: PREDICTIONS.linesPerPipe,
    naiveRequests: PREDICTIONS.naiveRequests,
    ceilingBytes: n(PREDICTIONS.ceilingBytes),
    shimBufferBytes: n(SHIM_BUFFER_BYTES),
    goCopyBytes: n(GO_COPY_DEFAULT_BYTES),
    criReadBufferBytes: n(CRI_READ_BUFFER_BYTES),
    maxLogLineBytes: n(MAX_CONTAINER_LOG_LINE_BYTES),
    // Detection: the alert rules' source
    mixinCommit: MIXIN_COMMIT.slice(0, 8),
    // Action items: the short toleration
    shortTolerationS: SHORT_TOLERATION_S,
    shortTolerationEndpointNotReadyS: s(short.endpointNotReadyAtMs, 'endpointNotReadyAtMs (short toleration)'),
    endpointNotReadyS: s(cd.endpointNotReadyAtMs, 'endpointNotReadyAtMs'),
    // Reproduce
    bigPipeRatio: Math.round(PREDICTIONS.bigPipeRatio),
    deleteAtS: DELETE_AT_S,
  },
  parts: {
    'log-path': part(LogPath, {}),
    'fifo-resize': part(CodeBlock, { code: fifoResize, lang: 'python' }),
    'node-timeline': part(NodeTimeline, {
      scenario: 'containerd-stopped',
      version: '1.32',
      title: 'Stopping containerd: Ready=False from the kubelet; the Deployment pod stays Ready and in the endpoints until evicted, the DaemonSet pod for good.',
    }),
    'deleted-pod-endpoint': part(DeletedPodEndpoint, {}),
    'key-times': part(KeyTimes, {}),
  },
  styles,
};
