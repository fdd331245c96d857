// Stands in for containerd-shim-runc-v2: it starts the container process (the app) with a pipe as
// its stdout, and copies that pipe into the container's stdout FIFO, from which containerd's CRI
// plugin (cri-log-copier.ts) writes the log file.
//
// Faithful to containerd's copyPipes (pkg/process/io.go in v1.6.20 and v1.7.x,
// cmd/containerd-shim-runc-v2/process/io.go in v2.x):
// - the copy uses one SHIM_BUFFER_BYTES (4,096-byte) buffer and blocking io.CopyBuffer, so while the
//   FIFO is full the shim holds at most one buffer and stops reading (a shim built with Go 1.22+
//   copies through a 32 KiB buffer instead: see pipe-math.ts; it still holds one line when lines
//   arrive one at a time);
// - the shim opens the FIFO for writing AND for reading, and never reads its read end. With
//   containerd gone the FIFO still has a reader, so the shim's writes block instead of failing
//   with EPIPE, and the app's writes block behind them.
// `containerd.service` has KillMode=process, so stopping containerd leaves the shim and the app
// running: that is why this process is separate from the copier.
//
// The copy runs in a worker thread, with blocking read(2)/write(2), the way the Go shim runs it in a
// goroutine; the main thread only supervises the app.
import { spawn } from 'node:child_process';
import { closeSync, constants, existsSync, openSync, readSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isMainThread, Worker, workerData } from 'node:worker_threads';
import { emitter, EventStream } from '../lib/child-events.ts';
import { childArgsOrExit, childArgv } from '../lib/flags.ts';
import { onParentGone } from '../lib/child.ts';
import { APP_FLAGS, SHIM_FLAGS, type AppEvent, type ShimEvent } from './children.ts';
import { getPipeSize, makeFifo, makePipe, pipeSizeUnsupported } from './linux-pipe.ts';
import { SHIM_BUFFER_BYTES } from './pipe-math.ts';

interface CopyJob {
  from: number;
  to: number;
}

/** io.CopyBuffer(fifo, appStdout, buf[SHIM_BUFFER_BYTES]): returns when the app's end of the pipe is closed. */
function copyLoop({ from, to }: CopyJob): void {
  const buf = Buffer.alloc(SHIM_BUFFER_BYTES);
  for (;;) {
    let n: number;
    try {
      n = readSync(from, buf, 0, buf.length, null);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      throw err;
    }
    if (n === 0) return;
    let off = 0;
    while (off < n) off += writeSync(to, buf, off, n - off);
  }
}

function main(): void {
  const { fifo, ...appFlags } = childArgsOrExit('shim', SHIM_FLAGS);
  if (!existsSync(fifo)) makeFifo(fifo);

  // The read end first, so the blocking open for writing finds a reader and returns at once.
  const fifoRead = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const fifoWrite = openSync(fifo, constants.O_WRONLY);
  const { readFd, writeFd } = makePipe();
  const appPipeBytes = pipeSizeUnsupported() ? null : getPipeSize(readFd);

  const appPath = fileURLToPath(new URL('./app.ts', import.meta.url));
  const app = spawn(process.execPath, [appPath, ...childArgv(APP_FLAGS, appFlags)], { stdio: ['ignore', writeFd, 'pipe'] });
  // Only the app may hold the write end: when it exits, the copy sees end-of-file.
  closeSync(writeFd);
  const emit = emitter<ShimEvent>();
  // The app's events come on its stderr (its stdout is the pipe); other lines pass through.
  new EventStream<AppEvent>(app.stderr, (e) => {
    const size = appPipeBytes === null ? 'capacity unknown here' : `${appPipeBytes} bytes`;
    process.stderr.write(`shim: app pid ${e.pid} listening on port ${e.port} (logger ${e.logger}); pid ${process.pid} copies its stdout pipe (${size}) into ${fifo}\n`);
    emit({ ev: 'ready', shimPid: process.pid, appPid: e.pid, port: e.port, appPipeBytes, fifo });
  });

  const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { from: readFd, to: fifoWrite } satisfies CopyJob });
  let workerDone = false;
  worker.on('error', (err) => {
    if (!stopping) process.stderr.write(`shim: copy failed: ${err.message}\n`);
  });
  worker.on('exit', () => {
    workerDone = true;
  });

  // Exiting is delicate: process.exit waits for the copy thread, and that thread may sleep in a
  // write(2) to a full FIFO. Kill the app, then close the FIFO read end nobody drains: with no reader
  // left the kernel fails that write with EPIPE (pipe(7)), the thread ends and the process can exit.
  let stopping = false;
  const shutdown = (code: number): void => {
    if (stopping) return;
    stopping = true;
    if (app.exitCode === null && app.signalCode === null) app.kill('SIGKILL');
    closeSync(fifoRead);
    if (workerDone) process.exit(code);
    const last = setTimeout(() => process.kill(process.pid, 'SIGKILL'), 1000);
    worker.once('exit', () => {
      clearTimeout(last);
      process.exit(code);
    });
  };
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => shutdown(0));
  app.on('exit', (code) => {
    if (!stopping) process.stderr.write(`shim: app exited (${code ?? 'signal'})\n`);
    shutdown(0);
  });
  // Parent gone (even by SIGKILL): same clean shutdown; the run's directory (the FIFO's) goes too.
  onParentGone(() => shutdown(1));
}

if (isMainThread) {
  try {
    main();
  } catch (err) {
    process.stderr.write(`shim: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
} else {
  copyLoop(workerData as CopyJob);
}
