// What the kernel's pipe accounting predicts for this logging chain (pipe(7), fs/pipe.c): a pipe's
// capacity is a number of page slots, and a write smaller than a page is added to the last slot only
// if it fits there whole; otherwise it takes a new slot. So small writes leave the tail of each page
// unused, and a pipe of N bytes holds fewer than N / L lines of L bytes.

export const PAGE_BYTES = 4096;
/** Default pipe capacity on Linux: 16 pages (pipe(7), "Pipe capacity"). */
export const DEFAULT_PIPE_BYTES = 65_536;

/**
 * The shim's copy buffer as containerd's source sets it: `bufPool` hands io.CopyBuffer a 4,096-byte
 * buffer ("setting to 4096 to align with PIPE_BUF") in pkg/process/io.go of v1.6.20 and v1.7.x and
 * in cmd/containerd-shim-runc-v2/process/io.go of v2.x. The one constant for it: the stand-in shim
 * copies through a buffer of this size and the chain's ceiling counts it.
 *
 * What a given shim binary really uses depends on the Go release that built it. io.CopyBuffer calls
 * src.WriteTo when the source has one (go src/io/io.go, copyBuffer), and *os.File (the shim's end of
 * the app's pipe, go-runc pipeIO.Stdout) has WriteTo from Go 1.22 (api/go1.22.txt). On Linux its
 * zero-copy path only takes TCP/unix sockets (src/os/zero_copy_linux.go, writeTo), and the FIFO
 * (containerd/fifo) is none, so it falls back to genericWriteTo, io.Copy with its own buffer of
 * GO_COPY_DEFAULT_BYTES: the 4,096-byte buffer is never used. Debian 12's containerd 1.6.20 shim is
 * built with go1.19.8 (4 KiB); containerd's release builds use Go 1.22+ from v1.6.36, v1.7.21 and
 * every 2.x (32 KiB).
 */
export const SHIM_BUFFER_BYTES = 4096;
/** io.Copy's own buffer when it allocates one (go src/io/io.go, copyBuffer: 32 * 1024). */
export const GO_COPY_DEFAULT_BYTES = 32 * 1024;

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
 * one by one, the shim holds one more in its blocked write, then the app's pipe fills. A pure
 * function of the line size and the two pipe sizes: the shim's buffer size does not enter, because
 * a shim that reads each line as it arrives holds one line whatever its buffer (4 KiB or 32 KiB).
 */
export function predictedRequestsBeforeHang(lineBytes: number, appPipeBytes: number, fifoBytes: number): number {
  return linesPerPipe(fifoBytes, lineBytes) + 1 + linesPerPipe(appPipeBytes, lineBytes);
}
