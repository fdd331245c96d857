// The incident's gateway: its upstream selection and passive health check, as the write-up reports it
// behaved (a 503 from its only upstream, the load balancer address, made it remove that address and
// answer 502). The write-up does not name the gateway. It was not stock nginx with one server: real
// nginx 1.22.1 in that setup passes the 503 through and never answers 502 (the real tier measures it).
//
// Built from nginx's round-robin peer logic for SEVERAL servers with equal weights (nginx 1.22.1,
// src/http/ngx_http_upstream_round_robin.c: ngx_http_upstream_get_peer,
// ngx_http_upstream_free_round_robin_peer), in milliseconds instead of nginx's whole seconds, with the
// two changes that make the incident's behaviour:
//  1. The only upstream of a group is marked down too. nginx sets `peers->single` for a one-server
//     group; ngx_http_upstream_get_round_robin_peer then checks only `down` and `max_conns`, and
//     ngx_http_upstream_free_round_robin_peer returns before counting a failure: one server is never
//     disabled and nginx never logs "no live upstreams" for it.
//  2. A 503 counts as a failure on every attempt, the last one included. nginx counts a 503 only when
//     proxy_next_upstream lists http_503, and only when another try is left
//     (ngx_http_upstream_test_next: `u->peer.tries > 1`); on the last try it passes the 503 to the
//     client and frees the peer as successful.
// Pure: the caller passes the clock.

export interface HealthConfig {
  /** As nginx `max_fails` (default 1): failures within fail_timeout that make a peer unavailable. */
  maxFails: number;
  /**
   * As nginx `fail_timeout`, in ms: both the counting window and the time out. The write-up does not
   * say how long its gateway kept the address removed; the repro assumes nginx's default, 10 s.
   */
  failTimeoutMs: number;
}

export interface Peer {
  name: string;
  weight: number;
  effectiveWeight: number;
  currentWeight: number;
  fails: number;
  /** When the last failure happened (nginx `accessed`). */
  accessed: number;
  /** When the peer was last checked: the last failure, or the first pick after a time out. */
  checked: number;
}

export function createPeers(names: readonly string[]): Peer[] {
  return names.map((name) => ({ name, weight: 1, effectiveWeight: 1, currentWeight: 0, fails: 0, accessed: 0, checked: 0 }));
}

/** Whether nginx would skip this peer right now because of recent failures. */
export function isUnavailable(peer: Peer, cfg: HealthConfig, now: number): boolean {
  return cfg.maxFails > 0 && peer.fails >= cfg.maxFails && now - peer.checked <= cfg.failTimeoutMs;
}

/** When an unavailable peer becomes eligible again. */
export function availableAgainAt(peer: Peer, cfg: HealthConfig): number {
  return peer.checked + cfg.failTimeoutMs;
}

/**
 * nginx `ngx_http_upstream_get_peer`: smooth weighted round robin over the peers not yet tried for
 * this request and not unavailable. Returns the index of the chosen peer, or undefined when no live
 * peer is left (nginx then logs "no live upstreams" and answers 502).
 */
export function getPeer(peers: Peer[], tried: ReadonlySet<number>, cfg: HealthConfig, now: number): number | undefined {
  let best: number | undefined;
  let total = 0;
  peers.forEach((peer, i) => {
    if (tried.has(i)) return;
    if (isUnavailable(peer, cfg, now)) return;
    peer.currentWeight += peer.effectiveWeight;
    total += peer.effectiveWeight;
    if (peer.effectiveWeight < peer.weight) peer.effectiveWeight++;
    if (best === undefined || peer.currentWeight > (peers[best] as Peer).currentWeight) best = i;
  });
  if (best === undefined) return undefined;
  const chosen = peers[best] as Peer;
  chosen.currentWeight -= total;
  if (now - chosen.checked > cfg.failTimeoutMs) chosen.checked = now;
  return best;
}

/**
 * nginx `ngx_http_upstream_test_next` / `ngx_http_upstream_next`: after a failed attempt the request
 * moves to the next peer while tries remain (one try per peer). Liveness is not consulted here: if
 * no live peer is left, the next getPeer returns undefined and the answer is a 502.
 */
export function mayTryNext(peers: readonly Peer[], tried: ReadonlySet<number>): boolean {
  return tried.size < peers.length;
}

/**
 * nginx `ngx_http_upstream_free_round_robin_peer`: a failed attempt counts a failure and lowers the
 * peer's effective weight; a successful one clears the failures once the peer has been re-checked.
 * Returns true when this failure made the peer unavailable.
 */
export function freePeer(peer: Peer, failed: boolean, cfg: HealthConfig, now: number): boolean {
  if (failed) {
    peer.fails++;
    peer.accessed = now;
    peer.checked = now;
    if (cfg.maxFails > 0) peer.effectiveWeight -= peer.weight / cfg.maxFails;
    if (peer.effectiveWeight < 0) peer.effectiveWeight = 0;
    return cfg.maxFails > 0 && peer.fails >= cfg.maxFails;
  }
  if (peer.accessed < peer.checked) peer.fails = 0;
  return false;
}
