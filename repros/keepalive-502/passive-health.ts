// The gateway's upstream selection and passive health check: a port of nginx's round-robin peer
// logic with equal weights (nginx src/http/ngx_http_upstream_round_robin.c), in milliseconds instead
// of nginx's whole seconds. Pure: the caller passes the clock.
//
// One deliberate difference: nginx never marks the only server of a group unavailable ("If there is
// only a single server in a group, max_fails, fail_timeout and slow_start parameters are ignored",
// ngx_http_upstream_module docs; `peers->single` in the C code). The incident's gateway did mark its
// single load-balancer upstream down, and that is the behaviour this repro reproduces.

export interface HealthConfig {
  /** nginx `max_fails` (default 1): failures within fail_timeout that make a peer unavailable. */
  maxFails: number;
  /** nginx `fail_timeout` (default 10 s), in ms: both the counting window and the time out. */
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
