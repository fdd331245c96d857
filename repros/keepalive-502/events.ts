// The line protocol between the processes of this repro and the scenario that starts them: each child
// writes one JSON event per line on stdout (its bound port first), and the parent reads them as they
// arrive. Ports, timelines and every measurement travel this way; nothing is shared by files or sleeps.
import type { ChildProcess } from 'node:child_process';
import type { Policy } from './endpoints.ts';
import { createInterface } from 'node:readline';

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes on one host. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

export type PodEvent =
  | { ev: 'listening'; proc: 'pod'; name: string; port: number; fix: boolean; t: number }
  | { ev: 'conn-open'; proc: 'pod'; name: string; conn: string; t: number }
  | { ev: 'response'; proc: 'pod'; name: string; conn: string; path: string; status: number; close: boolean; draining: boolean; down: boolean; t: number }
  | { ev: 'conn-close'; proc: 'pod'; name: string; conn: string; by: 'pod' | 'peer'; responses: number; responsesWhileDraining: number; hook: boolean; t: number }
  | { ev: 'draining'; proc: 'pod'; name: string; t: number }
  | { ev: 'sigterm'; proc: 'pod'; name: string; t: number };

export type EndpointState = 'ready' | 'terminating' | 'removed';

export type BalancerEvent =
  | { ev: 'listening'; proc: 'l4-balancer'; port: number; adminPort: number; policy: Policy; t: number }
  | { ev: 'conn'; proc: 'l4-balancer'; id: number; endpoint: string; endpointState: EndpointState; t: number }
  | { ev: 'endpoint'; proc: 'l4-balancer'; name: string; state: EndpointState; t: number }
  | { ev: 'refusing'; proc: 'l4-balancer'; t: number }
  | { ev: 'accepting'; proc: 'l4-balancer'; t: number };

export type GatewayEvent =
  | { ev: 'listening'; proc: 'gateway'; port: number; upstreams: string[]; t: number }
  | { ev: 'upstream-down'; proc: 'gateway'; upstream: string; reason: string; untilT: number; t: number }
  | { ev: 'upstream-error'; proc: 'gateway'; upstream: string; code: string; reused: boolean; t: number }
  | { ev: 'no-live-upstreams'; proc: 'gateway'; clientConn: string; t: number };

export type ControlEvent =
  | { ev: 'listening'; proc: 'control'; port: number; t: number }
  | { ev: 'terminate'; proc: 'control'; pod: string; t: number }
  | { ev: 'prestop-done'; proc: 'control'; pod: string; status: number; t: number }
  | { ev: 'signal'; proc: 'control'; pod: string; signal: 'SIGTERM' | 'SIGKILL'; t: number };

/** One request of the client's timeline, as the client saw it. */
export interface ClientResponse {
  ev: 'response';
  proc: 'client';
  seq: number;
  /** When the request was sent and when the response (or error) arrived. */
  sentT: number;
  t: number;
  /** HTTP status, or 0 when the request failed without one (see error). */
  status: number;
  /** The pod that answered (x-pod), or null when the gateway answered itself. */
  pod: string | null;
  /** The pod's id for the TCP connection the request arrived on (x-pod-conn), e.g. "pod-0/c1". */
  podConn: string | null;
  /** Which gateway upstream served it (x-upstream), or null. */
  upstream: string | null;
  /** The gateway's id for the client's connection (x-gateway-conn). */
  gatewayConn: string | null;
  error?: string;
}

export type ClientEvent = { ev: 'listening'; proc: 'client'; target: string; t: number } | ClientResponse;

export type AnyEvent = PodEvent | BalancerEvent | GatewayEvent | ControlEvent | ClientEvent;

/** Child side: write one event line. */
export function emit(event: AnyEvent): void {
  process.stdout.write(JSON.stringify(event) + '\n');
}

/** Parent side: every event a child printed, with waits that resolve on the event itself. */
export class EventStream<E extends AnyEvent = AnyEvent> {
  readonly events: E[] = [];
  private readonly waiters = new Set<() => void>();
  private ended = false;

  private readonly onEvent: (e: E) => void;

  constructor(child: ChildProcess, onEvent: (e: E) => void = () => undefined) {
    this.onEvent = onEvent;
    if (!child.stdout) throw new Error('child stdout must be a pipe');
    const rl = createInterface({ input: child.stdout });
    rl.on('line', (line) => {
      let e: E;
      try {
        e = JSON.parse(line) as E;
      } catch {
        process.stderr.write(line + '\n');
        return;
      }
      this.events.push(e);
      this.onEvent(e);
      for (const w of [...this.waiters]) w();
    });
    rl.on('close', () => {
      this.ended = true;
      for (const w of [...this.waiters]) w();
    });
  }

  /** Resolves with the first event (already seen or still to come) that matches. */
  waitFor<T extends E>(what: string, match: (e: E) => e is T, signal: AbortSignal, timeoutMs: number): Promise<T>;
  waitFor(what: string, match: (e: E) => boolean, signal: AbortSignal, timeoutMs: number): Promise<E>;
  waitFor(what: string, match: (e: E) => boolean, signal: AbortSignal, timeoutMs: number): Promise<E> {
    return this.waitUntil(what, () => this.events.find(match), signal, timeoutMs);
  }

  /** Resolves when check() returns a value, re-evaluated on every new event. */
  waitUntil<T>(what: string, check: () => T | undefined, signal: AbortSignal, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const done = (): void => {
        this.waiters.delete(test);
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      };
      const test = (): void => {
        const v = check();
        if (v !== undefined) {
          done();
          resolve(v);
        } else if (this.ended) {
          done();
          reject(new Error(`process output ended while waiting for ${what}`));
        }
      };
      const onAbort = (): void => {
        done();
        reject(signal.reason);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${Math.round(timeoutMs)} ms waiting for ${what}`));
      }, timeoutMs);
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(test);
      if (signal.aborted) return onAbort();
      test();
    });
  }
}
