// containerd stopped on a node: the endpoints keep the pod, and the app hangs on its log pipe.
// This module describes the repro; its scenarios and components load on first run (lazy), so the
// registry and the site read it without loading process or socket code.
import { lazy, type Component, type Repro } from '../lib/repro.ts';
import { CRI_NODE_TOOLS as REAL_TOOLS } from '../lib/tiers.ts';
import { DEFAULT_LOGGER, LOGGER_KINDS } from './app-api.ts';
import { claims } from './claims.ts';
import { PREDICTIONS, RUN } from './constants.ts';
import { DEFAULT_PIPE_BYTES } from './pipe-math.ts';
import { MAX_LINE_BYTES, MIN_LINE_BYTES } from './log-line.ts';
import { SOURCE_FILES } from './page.ts';

const scenarios = () => import('./scenarios.ts');
const realScenarios = () => import('./real/scenarios.ts');
const loadComponents = () => import('./components.ts');

const components: Record<string, Component> = {
  app: {
    description: 'the HTTP app alone: log lines on stdout (point it anywhere: a file, a pipe, a FIFO), its address on stderr',
    start: lazy(loadComponents, (m) => m.startApp),
  },
  shim: {
    description: 'the shim: starts the app on a pipe and copies it into --fifo (default $TMPDIR/containerd-stopped/app-stdout, created if missing)',
    start: lazy(loadComponents, (m) => m.startShim),
  },
  copier: {
    description: 'the CRI log copier ("containerd"): reads --fifo, appends CRI lines to --log (default $TMPDIR/containerd-stopped/0.log); Ctrl-C is "systemctl stop containerd"',
    start: lazy(loadComponents, (m) => m.startCopier),
  },
};

export const repro: Repro = {
  slug: 'containerd-stopped',
  title: 'containerd stopped: endpoints keep the pod, the app hangs on its log pipe',
  description: 'Stop the log copier under a synchronous logger and watch the app hang in pipe_write; model why the endpoints keep the pod.',
  defaultScenario: 'pipe-hang',
  scenarios: {
    'pipe-hang': {
      description: 'stop "containerd" (the log copier) under an app with a synchronous logger: measure the hang, probe it, restart, audit the log',
      run: lazy(scenarios, (m) => m.pipeHang),
      real: { description: 'the app as a CRI container under a private containerd + runc; SIGTERM to the daemon only', tools: REAL_TOOLS, root: true, run: lazy(realScenarios, (m) => m.realPipeHangScenario) },
    },
    'bigger-pipe': {
      description: 'the same with both pipes raised to 1 MiB by F_SETPIPE_SZ: how much longer the app lasts',
      run: lazy(scenarios, (m) => m.biggerPipe),
      real: { description: 'the same on containerd + runc, F_SETPIPE_SZ on the container pipe and the CRI FIFO', tools: REAL_TOOLS, root: true, run: lazy(realScenarios, (m) => m.realBiggerPipe) },
    },
    'fixed-logger': {
      description: 'the fix: a non-blocking logger with a bounded buffer never hangs and counts what it drops',
      run: lazy(scenarios, (m) => m.fixedLogger),
      real: { description: 'the fixed logger in a CRI container while the real containerd is down', tools: REAL_TOOLS, root: true, run: lazy(realScenarios, (m) => m.realFixedLogger) },
    },
    'console-log': {
      description: 'the Node trap: console.log does not hang, its unsent output grows in memory instead',
      run: lazy(scenarios, (m) => m.consoleLog),
    },
    'node-controller': {
      description: 'model: stop kubelet / containerd / both, on 1.31 and 1.32, and watch node Ready, pod Ready, endpoints and taints',
      run: lazy(scenarios, (m) => m.nodeController),
    },
  },
  components,
  flags: [
    { name: 'fifo', type: 'string', description: 'shim, copier: path of the container stdout FIFO' },
    { name: 'log', type: 'string', description: 'copier: path of the CRI log file to append to' },
    { name: 'logger', type: 'string', choices: LOGGER_KINDS, description: 'app, shim: how the app writes its log lines', default: DEFAULT_LOGGER },
    { name: 'line-bytes', type: 'number', min: MIN_LINE_BYTES, max: MAX_LINE_BYTES, description: 'app, shim: bytes per log line, newline included', default: String(RUN.lineBytes) },
  ],
  claims,
  sourceFiles: SOURCE_FILES,
  expectedOutput: [
    `Kernel says: app stdout pipe ${DEFAULT_PIPE_BYTES} bytes, FIFO ${DEFAULT_PIPE_BYTES} bytes (F_GETPIPE_SZ).`,
    'systemctl stop containerd: the copier stops; the shim and the app keep running.',
    `Request ${PREDICTIONS.requestsBeforeHang + 1} after the stop gets no response (${PREDICTIONS.requestsBeforeHang} answered first).`,
    'cat /proc/<pid>/wchan -> anon_pipe_write',
    'TCP connect: handshake completed. HTTP GET on a new connection: no response.',
    'readinessProbe tcpSocket: success. readinessProbe httpGet /healthz: failure.',
    'systemctl start containerd: 2 of 2 waiting requests answered.',
    'Log file: missing 0, duplicated 0, out of order 0.',
  ].join('\n'),
};
