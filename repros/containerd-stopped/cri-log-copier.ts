// Stands in for the part of the containerd daemon that drains a container's stdout FIFO: the CRI
// plugin's log redirection (containerd internal/cri/io/container_io.go, logger.go). It reads the
// FIFO, splits it into lines and appends each as "<RFC3339Nano> stdout F <line>" to the container
// log file the kubelet serves (`kubectl logs`).
//
// "systemctl stop containerd" is SIGTERM to this process only; "systemctl start containerd" is a new
// copier that opens the same FIFO again and carries on where the old one stopped, because the data
// waited in the FIFO, in the shim and in the app's pipe. On SIGTERM it stops reading, writes what it
// already read (an unfinished line as a "P" partial entry, the CRI tag for a line in several parts)
// and exits, so no byte it took from the FIFO is lost.
import { appendFileSync, constants, existsSync, openSync } from 'node:fs';
import { Socket } from 'node:net';
import { childArgs, exitWhenParentDies } from '../lib/child.ts';
import { criLogEntry } from './log-line.ts';
import { makeFifo } from './linux-pipe.ts';

/** Wall-clock time in nanoseconds since the epoch, with sub-millisecond digits from the monotonic clock. */
function nowNs(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
}

function main(): void {
  exitWhenParentDies();
  const args = childArgs();
  const fifo = args.get('fifo');
  const logPath = args.get('log');
  if (!fifo || !logPath) throw new Error('cri-log-copier needs --fifo PATH --log PATH');

  if (!existsSync(fifo)) makeFifo(fifo);
  // Non-blocking, driven by the event loop: every byte read is handled before any signal handler
  // runs, which is what makes the stop lossless. Opened read-write (Linux allows it on a FIFO,
  // fifo(7)) so that no writer yet, or a shim that went away, reads as "no data" rather than as
  // end-of-file; the copier never writes to it.
  const fd = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
  const fifoStream = new Socket({ fd, readable: true, writable: false });
  let partial = '';

  const flushLines = (chunk: string): void => {
    partial += chunk;
    let out = '';
    let i: number;
    while ((i = partial.indexOf('\n')) !== -1) {
      out += criLogEntry(nowNs(), 'stdout', 'F', partial.slice(0, i));
      partial = partial.slice(i + 1);
    }
    if (out) appendFileSync(logPath, out);
  };

  fifoStream.setEncoding('utf8');
  fifoStream.on('data', (chunk: string) => flushLines(chunk));
  fifoStream.on('error', (err) => {
    process.stderr.write(`cri-log-copier: ${err.message}\n`);
    process.exit(1);
  });

  const stop = (sig: string): void => {
    fifoStream.pause();
    if (partial) appendFileSync(logPath, criLogEntry(nowNs(), 'stdout', 'P', partial));
    process.stderr.write(`cri-log-copier: ${sig}: stopped reading ${fifo}\n`);
    process.exit(0);
  };
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => stop(sig));
  process.stderr.write(`cri-log-copier: pid ${process.pid} reading ${fifo} into ${logPath}\n`);
  process.send?.({ type: 'attached', pid: process.pid });
}

try {
  main();
} catch (err) {
  process.stderr.write(`cri-log-copier: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
