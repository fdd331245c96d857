// Stands in for the part of the containerd daemon that drains a container's stdout FIFO: the CRI
// plugin's ContainerIO.Pipe (pkg/cri/io/container_io.go) copying the FIFO into redirectLogs
// (pkg/cri/io/logger.go, ported in cri-logger.ts), which appends "<RFC3339Nano> stdout F <line>"
// entries to the container log file the kubelet serves (`kubectl logs`).
//
// "systemctl stop containerd" is SIGTERM to this process only; "systemctl start containerd" is a new
// copier that opens the same FIFO again (as the CRI plugin's restart.go does when it loads a running
// container) and carries on, because the data waited in the FIFO, in the shim and in the app's pipe.
// Like containerd, it does not flush on a stop: whatever it had read from the FIFO but not yet written
// as an entry (an unfinished line) is lost, which only matters if a line was in flight at that moment.
import { appendFileSync, constants, existsSync, openSync } from 'node:fs';
import { Socket } from 'node:net';
import { emitter } from '../lib/child-events.ts';
import { exitWhenParentDies } from '../lib/child.ts';
import { childArgsOrExit } from '../lib/flags.ts';
import { COPIER_FLAGS, type CopierEvent } from './children.ts';
import { CriLineSplitter, type CriOutEntry } from './cri-logger.ts';
import { rfc3339Nano } from './log-line.ts';
import { makeFifo } from './linux-pipe.ts';
import { GO_COPY_DEFAULT_BYTES } from './pipe-math.ts';

/**
 * ContainerIO.Pipe reads the FIFO with io.Copy: containerd/fifo has no WriteTo and the writer group no
 * ReadFrom, so each read takes up to io.Copy's own 32 KiB buffer.
 */
export const FIFO_READ_BYTES = GO_COPY_DEFAULT_BYTES;

/** Wall-clock time in nanoseconds since the epoch, with sub-millisecond digits from the monotonic clock. */
function nowNs(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
}

function main(): void {
  exitWhenParentDies();
  const { fifo, log: logPath } = childArgsOrExit('cri-log-copier', COPIER_FLAGS);

  if (!existsSync(fifo)) makeFifo(fifo);
  // Opened read-write (Linux allows it on a FIFO, fifo(7)) so that no writer yet, or a shim that
  // went away, reads as "no data" rather than as end-of-file; the copier never writes to it. So the
  // splitter's end() (upstream's EOF path) is never reached here.
  const fd = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
  const splitter = new CriLineSplitter();
  const stream = 'stdout';
  const write = (entries: CriOutEntry[]): void => {
    if (entries.length === 0) return;
    const ts = rfc3339Nano(nowNs());
    appendFileSync(logPath, Buffer.concat(entries.flatMap((e) => [Buffer.from(`${ts} ${stream} ${e.tag} `), e.content, Buffer.from('\n')])));
  };
  const readBuffer = Buffer.alloc(FIFO_READ_BYTES);
  const fifoStream = new Socket({
    fd,
    readable: true,
    writable: false,
    onread: {
      buffer: readBuffer,
      callback: (n: number, buf: Uint8Array) => {
        write(splitter.push(Buffer.from(buf.buffer, buf.byteOffset, n)));
        return true;
      },
    },
  });
  fifoStream.on('error', (err) => {
    process.stderr.write(`cri-log-copier: ${err.message}\n`);
    process.exit(1);
  });

  const stop = (sig: string): void => {
    const held = splitter.heldBytes();
    process.stderr.write(`cri-log-copier: ${sig}: stopped reading ${fifo}${held ? `; ${held} bytes read but not written are lost` : ''}\n`);
    process.exit(0);
  };
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => stop(sig));
  process.stderr.write(`cri-log-copier: pid ${process.pid} reading ${fifo} into ${logPath}\n`);
  emitter<CopierEvent>()({ ev: 'attached', pid: process.pid, fifo, log: logPath });
}

try {
  main();
} catch (err) {
  process.stderr.write(`cri-log-copier: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
