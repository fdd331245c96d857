// The one channel between a repro and the processes it starts: typed events, one JSON object per
// line, `{"ev": "<kind>", ...}`. A child writes them on its stdout (emitter); the parent reads them
// (EventStream) and waits for one with a deadline. The few parents that tell a child something (the
// chaos killer's targets, the containerd watchdog's "done") write the same lines on the child's
// stdin, and the child reads them with the same EventStream; its stdin ending means the parent is gone.
//
// Why lines on stdio and not Node's IPC channel: stdio is the one transport every child has. Node's
// IPC does pass through `unshare -Urn` (it is an inherited fd named in NODE_CHANNEL_FD), but a
// container has no channel to its parent: what leaves a pod is its output, read with `kubectl logs`
// (the crashloop-backoff chaos killer and the keepalive-502 parts in a cluster), and a container
// started by containerd has no Node parent at all. A child whose stdout is the data under test
// (containerd-stopped's app, whose stdout is the container's log pipe) writes its events on stderr
// instead; lines that are not JSON (a stack trace, a message for a human) are passed through to the
// reader's stderr.
import type { Readable, Writable } from 'node:stream';
import { createInterface } from 'node:readline';

/** Every event has a kind; each child declares the union of its events once, for both ends. */
export interface ChildEvent {
  readonly ev: string;
}

/** A typed writer of event lines: stdout unless the child's stdout carries data. */
export function emitter<E extends ChildEvent>(out: Writable = process.stdout): (event: E) => void {
  return (event) => void out.write(JSON.stringify(event) + '\n');
}

/**
 * How long a parent waits for a child's first event (its port, "ready"). Starting a Node process on
 * a busy 2-core machine can take a few seconds; this is only a safety net.
 */
export const START_TIMEOUT_MS = 20_000;

export interface WaitOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Reads event lines from a child's stdout (or stderr), or a parent's lines on stdin, as they arrive. */
export class EventStream<E extends ChildEvent> {
  /** Every event so far, in arrival order. */
  readonly events: E[] = [];
  /** Resolves when the stream ends (the writer exited or closed it). */
  readonly ended: Promise<void>;
  private readonly waiters = new Set<() => void>();
  private done = false;

  constructor(input: Readable | null | undefined, onEvent: (e: E) => void = () => undefined, passThrough: (line: string) => void = (l) => void process.stderr.write(l + '\n')) {
    if (!input) throw new Error('the event stream must be a pipe (stdio "pipe")');
    const rl = createInterface({ input });
    rl.on('line', (line) => {
      const e = parseEvent<E>(line);
      if (e === undefined) return passThrough(line);
      this.events.push(e);
      onEvent(e);
      for (const w of [...this.waiters]) w();
    });
    this.ended = new Promise((resolve) =>
      rl.on('close', () => {
        this.done = true;
        for (const w of [...this.waiters]) w();
        resolve();
      }),
    );
  }

  /** Resolves with the first event (already seen or still to come) that matches. */
  waitFor<T extends E>(what: string, match: (e: E) => e is T, opts: WaitOptions): Promise<T>;
  waitFor(what: string, match: (e: E) => boolean, opts: WaitOptions): Promise<E>;
  waitFor(what: string, match: (e: E) => boolean, opts: WaitOptions): Promise<E> {
    return this.waitUntil(what, () => this.events.find(match), opts);
  }

  /**
   * Resolves when check() returns a value, re-evaluated on every new event; rejects after timeoutMs
   * or when the stream ends first, naming what was awaited (as clock.ts waitFor does).
   */
  waitUntil<T>(what: string, check: () => T | undefined, { timeoutMs, signal }: WaitOptions): Promise<T> {
    return new Promise((resolve, reject) => {
      const finish = (): void => {
        this.waiters.delete(test);
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const test = (): void => {
        const v = check();
        if (v !== undefined) {
          finish();
          resolve(v);
        } else if (this.done) {
          finish();
          reject(new Error(`process output ended while waiting for ${what}`));
        }
      };
      const onAbort = (): void => {
        finish();
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out after ${Math.round(timeoutMs)} ms waiting for ${what}`));
      }, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(test);
      if (signal?.aborted) return onAbort();
      test();
    });
  }
}

/** One line as an event, or undefined when it is not a JSON object with a string `ev`. */
export function parseEvent<E extends ChildEvent>(line: string): E | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const o = JSON.parse(line) as unknown;
    return typeof o === 'object' && o !== null && typeof (o as { ev?: unknown }).ev === 'string' ? (o as E) : undefined;
  } catch {
    return undefined;
  }
}
