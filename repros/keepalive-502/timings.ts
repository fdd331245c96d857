// The incident's durations in real seconds, and the same durations scaled for a run. Every process
// gets its durations in milliseconds from here, so `--scale` multiplies all of them at once.

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
