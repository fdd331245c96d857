// One access-log line per request, padded to a fixed length so the pipe arithmetic is exact, and
// the CRI log format the kubelet reads (containerd internal/cri/io, k/k pkg/kubelet/kuberuntime/logs):
// "<RFC3339Nano time> <stream> <P|F> <content>", P for a partial line, F for the full (last) part.

export const MIN_LINE_BYTES = 96;
/** Lines above PIPE_BUF (4,096 bytes) are no longer written atomically (pipe(7)). */
export const MAX_LINE_BYTES = 4096;

/** The access-log line for request number n, exactly `bytes` long including the trailing newline. */
export function accessLogLine(n: number, path: string, status: number, bytes: number, now = new Date()): string {
  const head = `{"time":"${now.toISOString()}","level":"info","n":${n},"method":"GET","path":${JSON.stringify(path.slice(0, 40))},"status":${status},"msg":"`;
  const tail = '"}\n';
  const room = bytes - head.length - tail.length;
  if (room < 0) throw new Error(`a log line of ${bytes} bytes is too short for request ${n}`);
  return head + 'request served'.padEnd(room, '.').slice(0, room) + tail;
}

/** The request number a log line (or the content of a CRI log entry) records. */
export function requestNumberOf(line: string): number | undefined {
  const m = /"n":(\d+),/.exec(line);
  return m ? Number(m[1]) : undefined;
}

/** RFC 3339 with nanoseconds and trailing zeros trimmed, as Go's time.RFC3339Nano prints it. */
export function rfc3339Nano(epochNs: bigint): string {
  const ms = Number(epochNs / 1_000_000n);
  const iso = new Date(ms).toISOString().slice(0, 19);
  const frac = (epochNs % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${iso}${frac ? '.' + frac : ''}Z`;
}

export function criLogEntry(epochNs: bigint, stream: 'stdout' | 'stderr', tag: 'P' | 'F', content: string): string {
  return `${rfc3339Nano(epochNs)} ${stream} ${tag} ${content}\n`;
}

export interface CriEntry {
  time: string;
  stream: string;
  tag: 'P' | 'F';
  content: string;
}

export function parseCriLine(line: string): CriEntry | undefined {
  const m = /^(\S+) (stdout|stderr) ([PF]) (.*)$/.exec(line);
  if (!m) return undefined;
  return { time: m[1] as string, stream: m[2] as string, tag: m[3] as 'P' | 'F', content: m[4] as string };
}

/**
 * Joins P parts with the F that ends them, as the kubelet does when it reads a CRI log. Every CRI log
 * entry ends with a newline; text after the last one is an entry still being written (the file is
 * read while the runtime appends to it) and is left for a later read.
 */
export function reassemble(text: string): string[] {
  const out: string[] = [];
  let partial = '';
  for (const raw of text.slice(0, text.lastIndexOf('\n') + 1).split('\n')) {
    if (raw === '') continue;
    const e = parseCriLine(raw);
    if (!e) throw new Error(`not a CRI log line: ${raw.slice(0, 80)}`);
    partial += e.content;
    if (e.tag === 'F') {
      out.push(partial);
      partial = '';
    }
  }
  if (partial) out.push(partial);
  return out;
}

export interface LogAudit {
  /** Lines whose request number was read. */
  lines: number;
  missing: number;
  duplicated: number;
  outOfOrder: number;
  /** The last request number checked. */
  lastN: number;
}

/**
 * Checks that request numbers first..last each appear exactly once and in increasing order; `last`
 * is raised to the highest number in the log (a request can be logged after the one you waited for).
 */
export function auditLog(contents: readonly string[], first: number, atLeast: number): LogAudit {
  const seen = new Map<number, number>();
  let outOfOrder = 0;
  let prev = -Infinity;
  let lastN = 0;
  for (const c of contents) {
    const n = requestNumberOf(c);
    if (n === undefined) continue;
    seen.set(n, (seen.get(n) ?? 0) + 1);
    if (n <= prev) outOfOrder++;
    prev = n;
    lastN = Math.max(lastN, n);
  }
  const last = Math.max(atLeast, lastN);
  let missing = 0;
  let duplicated = 0;
  for (let n = first; n <= last; n++) {
    const c = seen.get(n) ?? 0;
    if (c === 0) missing++;
    if (c > 1) duplicated += c - 1;
  }
  return { lines: [...seen.values()].reduce((a, b) => a + b, 0), missing, duplicated, outOfOrder, lastN: last };
}
