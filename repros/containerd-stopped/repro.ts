// containerd stopped on a node: the endpoints keep the pod, and the app hangs on its log pipe.
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Component, type Repro, type RunContext } from '../lib/repro.ts';
import { LOGGER_KINDS } from './app-api.ts';
import { claims, PREDICTIONS } from './claims.ts';
import { DEFAULT_PIPE_BYTES } from './pipe-math.ts';
import { MAX_LINE_BYTES, MIN_LINE_BYTES } from './log-line.ts';
import { APP_SCRIPT, COPIER_SCRIPT, SHIM_SCRIPT } from './pipe-chain.ts';
import { biggerPipe, consoleLog, fixedLogger, nodeController, pipeHang } from './scenarios.ts';
import { REAL_TOOLS } from './real/node.ts';
import { realBiggerPipe, realFixedLogger, realPipeHangScenario } from './real/scenarios.ts';

function str(ctx: RunContext, name: string): string | undefined {
  const v = ctx.flags[name];
  return typeof v === 'string' ? v : undefined;
}

/** Where the shim and the copier meet when started alone without --fifo / --log. */
export const DEFAULT_COMPONENT_DIR = join(tmpdir(), 'containerd-stopped');

function path(ctx: RunContext, name: string, file: string): string {
  const given = str(ctx, name);
  if (given) return given;
  mkdirSync(DEFAULT_COMPONENT_DIR, { recursive: true });
  return join(DEFAULT_COMPONENT_DIR, file);
}

function passThrough(ctx: RunContext): string[] {
  const args: string[] = [];
  const logger = str(ctx, 'logger');
  if (logger) args.push('--logger', logger);
  const lineBytes = ctx.flags['line-bytes'];
  if (typeof lineBytes === 'number') args.push('--line-bytes', String(lineBytes));
  if (ctx.port !== undefined) args.push('--port', String(ctx.port));
  return args;
}

/** Runs one script in the foreground until it exits or the user presses Ctrl-C. */
async function foreground(ctx: RunContext, script: string, args: string[], stdout: 'inherit' | 'ignore'): Promise<void> {
  const p = ctx.procs.spawnNode(script, args, { stdio: ['ignore', stdout, 'inherit'] });
  const aborted = new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
  await Promise.race([p.exited, aborted]);
}

const components: Record<string, Component> = {
  app: {
    description: 'the HTTP app alone: log lines on stdout (point it anywhere: a file, a pipe, a FIFO), its address on stderr',
    start: (ctx) => foreground(ctx, APP_SCRIPT, passThrough(ctx), 'inherit'),
  },
  shim: {
    description: 'the shim: starts the app on a pipe and copies it into --fifo (default $TMPDIR/containerd-stopped/app-stdout, created if missing)',
    start: (ctx) => foreground(ctx, SHIM_SCRIPT, ['--fifo', path(ctx, 'fifo', 'app-stdout'), ...passThrough(ctx)], 'ignore'),
  },
  copier: {
    description: 'the CRI log copier ("containerd"): reads --fifo, appends CRI lines to --log (default $TMPDIR/containerd-stopped/0.log); Ctrl-C is "systemctl stop containerd"',
    start: (ctx) => foreground(ctx, COPIER_SCRIPT, ['--fifo', path(ctx, 'fifo', 'app-stdout'), '--log', path(ctx, 'log', '0.log')], 'ignore'),
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
      run: pipeHang,
      real: { description: 'the app as a CRI container under a private containerd + runc; SIGTERM to the daemon only', tools: REAL_TOOLS, root: true, run: realPipeHangScenario },
    },
    'bigger-pipe': {
      description: 'the same with both pipes raised to 1 MiB by F_SETPIPE_SZ: how much longer the app lasts',
      run: biggerPipe,
      real: { description: 'the same on containerd + runc, F_SETPIPE_SZ on the container pipe and the CRI FIFO', tools: REAL_TOOLS, root: true, run: realBiggerPipe },
    },
    'fixed-logger': {
      description: 'the fix: a non-blocking logger with a bounded buffer never hangs and counts what it drops',
      run: fixedLogger,
      real: { description: 'the fixed logger in a CRI container while the real containerd is down', tools: REAL_TOOLS, root: true, run: realFixedLogger },
    },
    'console-log': {
      description: 'the Node trap: console.log does not hang, its unsent output grows in memory instead',
      run: consoleLog,
    },
    'node-controller': {
      description: 'model: stop kubelet / containerd / both, on 1.31 and 1.32, and watch node Ready, pod Ready, endpoints and taints',
      run: nodeController,
    },
  },
  components,
  flags: [
    { name: 'fifo', type: 'string', description: 'shim, copier: path of the container stdout FIFO' },
    { name: 'log', type: 'string', description: 'copier: path of the CRI log file to append to' },
    { name: 'logger', type: 'string', choices: LOGGER_KINDS, description: 'app, shim: how the app writes its log lines', default: 'sync' },
    { name: 'line-bytes', type: 'number', min: MIN_LINE_BYTES, max: MAX_LINE_BYTES, description: 'app, shim: bytes per log line, newline included', default: '243' },
  ],
  claims,
  sourceFiles: [
    'repros/containerd-stopped/app.ts',
    'repros/containerd-stopped/shim.ts',
    'repros/containerd-stopped/cri-log-copier.ts',
    'repros/containerd-stopped/cri-logger.ts',
    'repros/containerd-stopped/pipe-math.ts',
    'repros/containerd-stopped/node-lifecycle-controller.ts',
    'repros/containerd-stopped/kubelet.ts',
    'repros/containerd-stopped/taint-eviction.ts',
    'repros/containerd-stopped/kube-proxy-topology.ts',
  ],
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
