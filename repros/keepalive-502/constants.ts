// The incident's numbers, each written once: its durations in real seconds and the same durations
// scaled for a run (every process gets its durations in milliseconds from here, so `--scale`
// multiplies all of them at once), the counts the claims derive from them, the log messages the page
// tells readers to grep for, and the upstream revisions the claims cite.

export const REAL = {
  /** preStop hook: `sleep 15` before calling ok.htm?down=true (the incident's hook). */
  preStopS: 15,
  /** terminationGracePeriodSeconds: the Kubernetes default; the countdown includes preStop. */
  graceS: 30,
  /** The incident's test client: one request a second over one keep-alive session. */
  clientIntervalS: 1,
  /**
   * Gateway passive health check: one failure marks an upstream unavailable for this long. These are
   * nginx's defaults, max_fails=1 and fail_timeout=10s (ngx_http_upstream_module, `server`).
   */
  failTimeoutS: 10,
  /** Requests the client makes before the pod is deleted, so the keep-alive connection is established. */
  warmupRequests: 3,
  /** Responses the client collects after the deleted pod has exited, before a scenario ends. */
  tailRequests: 3,
} as const;

/**
 * Keep-alive idle timeout of the pods and the gateway: longer than any idle gap in a run, so idle
 * closes never interfere. Not scaled: a Node server advertises it in whole seconds
 * (`Keep-Alive: timeout=N`, rounded down), and Node's http.Agent subtracts a 1 s safety buffer from
 * that hint and does not reuse the connection if nothing is left (N <= 1), so a scaled-down value
 * would turn every keep-alive connection into a one-request connection.
 */
export const KEEPALIVE_TIMEOUT_MS = 60_000;

/** Waits that depend on timers get the scaled duration plus this much slack for a busy machine. */
export const SLACK_MS = 20_000;

export interface Timings {
  preStopMs: number;
  graceMs: number;
  clientIntervalMs: number;
  failTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

export function scaledTimings(scale: number): Timings {
  const ms = (s: number): number => Math.round(s * 1000 * scale);
  return {
    preStopMs: ms(REAL.preStopS),
    graceMs: ms(REAL.graceS),
    clientIntervalMs: ms(REAL.clientIntervalS),
    failTimeoutMs: ms(REAL.failTimeoutS),
    keepAliveTimeoutMs: KEEPALIVE_TIMEOUT_MS,
  };
}

/** Requests the old connection carries after the deletion: one per client interval of the preStop sleep. */
export const OLD_CONNECTION_REQUESTS = REAL.preStopS / REAL.clientIntervalS;
/** 502s in a row: one per client interval while the only upstream is marked down. */
export const BURST_502_REQUESTS = REAL.failTimeoutS / REAL.clientIntervalS;

/** The error-log messages the page tells readers to look for (nginx 1.22.1 wording). */
export const NGINX_MESSAGES = ['no live upstreams while connecting to upstream', 'upstream server temporarily disabled'] as const;

/** The commit of kubernetes/kubernetes read for CategorizeEndpoints. */
export const K8S_TOPOLOGY_COMMIT = '008b3652959ca58af8be3fb5b6ecfe9ae7638282';

/** nginx source read for the gateway claims: the release Debian 12 ships. */
export const NGINX_RELEASE = 'release-1.22.1';
