// Turning what the processes reported into the numbers the claims speak about. Pure functions over
// event lists, shared by the scenarios, the tests and the page's chart.
import type { ClientResponse, PodDeletionEvent, GatewayEvent, PodEvent } from './events.ts';

/** One request of the client's timeline, as the page's chart and the --json output carry it. */
export interface TimelineEntry {
  /** Seconds since the pod was deleted, in real (unscaled) seconds: the same axis at any --scale. */
  s: number;
  status: number;
  pod: string | null;
  conn: string | null;
  gatewayConn: string | null;
  error: string | null;
}

/** The moments of one pod's termination, in real seconds since the deletion. */
export interface Marks {
  preStopDone: number | null;
  sigkill: number | null;
  /** When the gateway marked an upstream unavailable, and until when. */
  upstreamDown: { upstream: string; from: number; until: number }[];
}

export function toEntry(r: ClientResponse, deletedAt: number, scale: number): TimelineEntry {
  return {
    s: round3((r.t - deletedAt) / 1000 / scale),
    status: r.status,
    pod: r.pod,
    conn: r.podConn,
    gatewayConn: r.gatewayConn,
    error: r.error ?? null,
  };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export function marks(deletion: readonly PodDeletionEvent[], gateway: readonly GatewayEvent[], deletedAt: number, scale: number): Marks {
  const rel = (t: number): number => round3((t - deletedAt) / 1000 / scale);
  const pre = deletion.find((e) => e.ev === 'prestop-done');
  const kill = deletion.find((e) => e.ev === 'signal' && e.signal === 'SIGKILL');
  return {
    preStopDone: pre ? rel(pre.t) : null,
    sigkill: kill ? rel(kill.t) : null,
    upstreamDown: gateway
      .filter((e): e is Extract<GatewayEvent, { ev: 'upstream-down' }> => e.ev === 'upstream-down' && e.t >= deletedAt)
      .map((e) => ({ upstream: e.upstream, from: rel(e.t), until: rel(e.untilT) })),
  };
}

/** Run-length compression of statuses: [200, 200, 503, 502, 502, 200] -> [200, 503, 502, 200]. */
export function statusRuns(entries: readonly TimelineEntry[]): number[] {
  const out: number[] = [];
  for (const e of entries) if (out[out.length - 1] !== e.status) out.push(e.status);
  return out;
}

export function after(entries: readonly TimelineEntry[]): TimelineEntry[] {
  return entries.filter((e) => e.s >= 0);
}

/**
 * The keep-alive connection the deleted pod was serving the client on when it was deleted, and the
 * successful requests that connection still carried afterwards.
 */
export function oldConnection(entries: readonly TimelineEntry[], victim: string): { conn: string | null; served: TimelineEntry[] } {
  const before = entries.filter((e) => e.s < 0 && e.pod === victim);
  const conn = before[before.length - 1]?.conn ?? null;
  const served = after(entries).filter((e) => conn !== null && e.conn === conn && e.status >= 200 && e.status < 300);
  return { conn, served };
}

/** The number of 502s right after the first 503 (the gateway's burst while its upstream is down). */
export function burstAfterFirst503(entries: readonly TimelineEntry[]): number {
  const all = after(entries);
  const i = all.findIndex((e) => e.status === 503);
  if (i === -1) return 0;
  let n = 0;
  for (const e of all.slice(i + 1)) {
    if (e.status !== 502) break;
    n++;
  }
  return n;
}

export function countStatus(entries: readonly TimelineEntry[], pred: (status: number) => boolean): number {
  return entries.filter((e) => pred(e.status)).length;
}

export const isOk = (s: number): boolean => s >= 200 && s < 300;

/** The preStop hook's own connections: the ones that carried `ok.htm?down=true`. */
export function hookConnections(pod: readonly PodEvent[]): Set<string> {
  return new Set(pod.flatMap((e) => (e.ev === 'response' && e.down ? [e.conn] : [])));
}

/**
 * New connections the deleted pod accepted after its deletion, leaving out the preStop hook's own
 * call (the kubelet runs the hook against the pod directly, not through the balancer).
 */
export function newConnectionsToDeleted(pod: readonly PodEvent[], deletedAt: number): string[] {
  const hook = hookConnections(pod);
  return pod.flatMap((e) => (e.ev === 'conn-open' && e.t >= deletedAt && !hook.has(e.conn) ? [e.conn] : []));
}

/**
 * How the deleted pod's connections ended once it was draining: for each connection that carried a
 * response while draining, "<n> response(s), then closed by <pod|peer|nobody>". Connections still open
 * at the SIGKILL count as closed by nobody.
 */
export function drainingConnections(pod: readonly PodEvent[]): string[] {
  const hookConns = hookConnections(pod);
  const draining = new Map<string, number>();
  for (const e of pod) {
    if (e.ev === 'response' && e.draining && !hookConns.has(e.conn)) draining.set(e.conn, (draining.get(e.conn) ?? 0) + 1);
  }
  return [...draining.entries()].map(([conn, n]) => {
    const close = pod.find((e) => e.ev === 'conn-close' && e.conn === conn);
    const by = close?.ev === 'conn-close' ? close.by : 'nobody';
    return `${n} response${n === 1 ? '' : 's'}, then closed by ${by}`;
  });
}

/** Gateway upstream error codes (connect refused, reset, ...) after the deletion. */
export function upstreamErrors(gateway: readonly GatewayEvent[], deletedAt: number): string[] {
  return [...new Set(gateway.flatMap((e) => (e.ev === 'upstream-error' && e.t >= deletedAt ? [e.code] : [])))].sort();
}

/** Upstreams the gateway marked unavailable after the deletion. */
export function upstreamsMarkedDown(gateway: readonly GatewayEvent[], deletedAt: number): string[] {
  return [...new Set(gateway.flatMap((e) => (e.ev === 'upstream-down' && e.t >= deletedAt ? [e.upstream] : [])))].sort();
}

/**
 * What the client saw after the deletion, as both the local scenarios and the cluster runs report
 * it: the status sequence and counts, and the deleted pod's old keep-alive connection.
 */
export function responseObservations(timeline: readonly TimelineEntry[], victim: string) {
  const afterDeletion = after(timeline);
  const old = oldConnection(timeline, victim);
  const lastServedS = old.served[old.served.length - 1]?.s ?? null;
  return {
    statusRunsAfterDeletion: statusRuns(afterDeletion),
    requestsAfterDeletion: afterDeletion.length,
    non2xxAfterDeletion: countStatus(afterDeletion, (s) => !isOk(s)),
    status502: countStatus(timeline, (s) => s === 502),
    status503: countStatus(timeline, (s) => s === 503),
    oldConnection: { conn: old.conn, requestsAfterDeletion: old.served.length, lastServedS },
    burst502: burstAfterFirst503(timeline),
  };
}
