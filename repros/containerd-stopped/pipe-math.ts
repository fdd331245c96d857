// What the kernel's pipe accounting predicts for this logging chain (pipe(7), fs/pipe.c): a pipe's
// capacity is a number of page slots, and a write smaller than a page is added to the last slot only
// if it fits there whole; otherwise it takes a new slot. So small writes leave the tail of each page
// unused, and a pipe of N bytes holds fewer than N / L lines of L bytes.

export const PAGE_BYTES = 4096;
/** Default pipe capacity on Linux: 16 pages (pipe(7), "Pipe capacity"). */
export const DEFAULT_PIPE_BYTES = 65_536;
/** containerd's shim copy buffer (cmd/containerd-shim-runc-v2/process/io.go, bufPool). */
export const SHIM_BUFFER_BYTES = 4096;

/** Lines of `lineBytes` (newline included, at most a page) a pipe of `pipeBytes` holds when each line is one write. */
export function linesPerPipe(pipeBytes: number, lineBytes: number): number {
  if (lineBytes > PAGE_BYTES) throw new Error('lines longer than a page are not written atomically; this model covers lines up to 4,096 bytes');
  return (pipeBytes / PAGE_BYTES) * Math.floor(PAGE_BYTES / lineBytes);
}

/** The byte ceiling of the undrained chain: the app's pipe, one shim buffer, the FIFO. */
export function chainCeilingBytes(appPipeBytes: number, fifoBytes: number, shimBufferBytes = SHIM_BUFFER_BYTES): number {
  return appPipeBytes + shimBufferBytes + fifoBytes;
}

/**
 * Requests the app answers after the copier stops, before the next one hangs, when every line
 * reaches the shim on its own (one request at a time): the FIFO fills with lines the shim copied
 * one by one, the shim holds one more in its blocked write, then the app's pipe fills.
 */
export function predictedRequestsBeforeHang(lineBytes: number, appPipeBytes: number, fifoBytes: number): number {
  return linesPerPipe(fifoBytes, lineBytes) + 1 + linesPerPipe(appPipeBytes, lineBytes);
}
