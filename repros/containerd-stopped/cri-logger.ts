// A port of the CRI plugin's log redirection: containerd pkg/cri/io/logger.go (redirectLogs,
// readLine) at v1.6.20, the version the real-components run measures (internal/cri/io/logger.go in
// 2.x keeps the same logic). Pure: bytes in, CRI entries out, so the stand-in copier, the tests and
// the page share it.
//
// Upstream, the daemon's ContainerIO.Pipe (pkg/cri/io/container_io.go) io.Copy's the FIFO into the
// logger through an io.Pipe; redirectLogs reads that through a bufio.Reader of 4,096 bytes and
// readLine returns at most one buffer's worth at a time (isPrefix when no newline fits). A line is
// written as one "F" entry when its newline arrives; a line longer than max_container_log_line_size
// (16 KiB by default, pkg/cri/config/config_unix.go) is cut into "P" entries of exactly that many
// bytes. Only at end of input (the FIFO's writers all closed) is an unfinished line written, as a "P"
// entry. Nothing flushes on a daemon stop: criService.Close (pkg/cri/server/service.go) does not
// touch container IO, so bytes the daemon had read but not written as an entry die with it.

/** pkg/cri/io/logger.go: defaultBufSize, the bufio.Reader size redirectLogs reads with. */
export const CRI_READ_BUFFER_BYTES = 4096;
/** pkg/cri/config: MaxContainerLogLineSize default, 16 * 1024. */
export const MAX_CONTAINER_LOG_LINE_BYTES = 16 * 1024;

export interface CriOutEntry {
  tag: 'P' | 'F';
  content: Buffer;
}

const NL = 0x0a;
const CR = 0x0d;

/** redirectLogs as a state machine: push what the FIFO gave, get the entries it writes. */
export class CriLineSplitter {
  private readonly maxLen: number;
  private readonly bufSize: number;
  /** Bytes the bufio.Reader holds that readLine has not returned yet. */
  private pending: Buffer = Buffer.alloc(0);
  /** redirectLogs' buf and length: parts of the current line not yet written. */
  private parts: Buffer[] = [];
  private length = 0;

  constructor(maxLen = MAX_CONTAINER_LOG_LINE_BYTES) {
    this.maxLen = maxLen;
    // "Make sure bufSize <= maxLen".
    this.bufSize = maxLen > 0 && maxLen < CRI_READ_BUFFER_BYTES ? maxLen : CRI_READ_BUFFER_BYTES;
  }

  /** Bytes read from the FIFO but not yet written as an entry: what a daemon stop loses. */
  heldBytes(): number {
    return this.pending.length + this.length;
  }

  push(data: Buffer): CriOutEntry[] {
    this.pending = this.pending.length === 0 ? Buffer.from(data) : Buffer.concat([this.pending, data]);
    const out: CriOutEntry[] = [];
    for (;;) {
      const line = this.readLine();
      if (!line) break;
      this.take(line.bytes, line.isPrefix, false, out);
    }
    return out;
  }

  /** End of input (io.EOF): what is left is written as a partial entry. */
  end(): CriOutEntry[] {
    const out: CriOutEntry[] = [];
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    if (rest.length > 0) {
      this.parts.push(rest);
      this.length += rest.length;
    }
    if (this.length === 0) return out;
    this.take(Buffer.alloc(0), false, true, out);
    return out;
  }

  // logger.go: readLine over bufio.Reader.ReadSlice('\n'); undefined when ReadSlice would block.
  private readLine(): { bytes: Buffer; isPrefix: boolean } | undefined {
    const window = this.pending.subarray(0, this.bufSize);
    const nl = window.indexOf(NL);
    if (nl >= 0) {
      let end = nl;
      if (end > 0 && window[end - 1] === CR) end -= 1;
      const bytes = Buffer.from(this.pending.subarray(0, end));
      this.pending = this.pending.subarray(nl + 1);
      return { bytes, isPrefix: false };
    }
    if (this.pending.length < this.bufSize) return undefined;
    // bufio.ErrBufferFull: return the full buffer as a prefix, keeping a trailing '\r' for the
    // next call ("\r\n" straddling the buffer).
    let end = this.bufSize;
    if (window[end - 1] === CR) end -= 1;
    const bytes = Buffer.from(this.pending.subarray(0, end));
    this.pending = this.pending.subarray(end);
    return { bytes, isPrefix: true };
  }

  // logger.go: the body of redirectLogs' loop after readLine.
  private take(newLine: Buffer, isPrefix: boolean, stop: boolean, out: CriOutEntry[]): void {
    if (newLine.length > 0) {
      this.parts.push(newLine);
      this.length += newLine.length;
    }
    if (this.maxLen > 0 && this.length > this.maxLen) {
      const exceed = this.length - this.maxLen;
      const last = this.parts.pop() as Buffer;
      this.parts.push(last.subarray(0, last.length - exceed));
      out.push({ tag: 'P', content: Buffer.concat(this.parts) });
      this.parts = [last.subarray(last.length - exceed)];
      this.length = exceed;
    }
    if (isPrefix) return;
    out.push({ tag: stop ? 'P' : 'F', content: Buffer.concat(this.parts) });
    this.parts = [];
    this.length = 0;
  }
}
