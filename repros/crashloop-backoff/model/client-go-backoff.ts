// client-go util/flowcontrol/backoff.go, the `Backoff` the kubelet keeps its restart back-off in,
// ported with jitter factor 0 (flowcontrol.NewBackOff, which the kubelet uses). Pure: the clock is
// passed in; times are seconds (floats).
//
// Read at client-go v0.35.0 (9bcb69436287b966d0c5c195efef00aed921fb1b, Kubernetes 1.35); GC also at
// v0.31.0 (02a19c375c491042890be396d94a26a69da89563, Kubernetes 1.31), where it compared
// `now - lastUpdate > 2 * maxDuration` directly instead of calling hasExpired.

export interface BackoffEntry {
  backoff: number;
  lastUpdate: number;
}

export type HasExpiredFunc = (eventTime: number, lastUpdate: number, maxDuration: number) => boolean;

export interface Clock {
  now(): number;
}

/** client-go util/flowcontrol/backoff.go `Backoff` with jitter factor 0 (`NewBackOff`). */
export class Backoff {
  private readonly perItemBackoff = new Map<string, BackoffEntry>();
  readonly clock: Clock;
  readonly defaultDuration: number;
  readonly maxDuration: number;
  /** The kubelet sets this (kubelet.go, NewMainKubelet) since 1.32. */
  hasExpiredFunc: HasExpiredFunc | undefined;

  constructor(initial: number, max: number, clock: Clock) {
    this.defaultDuration = initial;
    this.maxDuration = max;
    this.clock = clock;
  }

  /** backoff.go `Get`: the current back-off of an entry, 0 without one. */
  get(id: string): number {
    return this.perItemBackoff.get(id)?.backoff ?? 0;
  }

  /** backoff.go `Next`: "move backoff to the next mark, capping at maxDuration". */
  next(id: string, eventTime: number): void {
    let entry = this.perItemBackoff.get(id);
    if (!entry || this.hasExpired(eventTime, entry.lastUpdate, this.maxDuration)) {
      entry = this.initEntryUnsafe(id);
    } else {
      const delay = entry.backoff * 2; // exponential; jitter is 0 for the kubelet's Backoff
      entry.backoff = Math.min(delay, this.maxDuration);
    }
    entry.lastUpdate = this.clock.now();
  }

  /** backoff.go `IsInBackOffSince`: "the elapsed time since eventTime is smaller than the current backoff window". */
  isInBackOffSince(id: string, eventTime: number): boolean {
    const entry = this.perItemBackoff.get(id);
    if (!entry) return false;
    if (this.hasExpired(eventTime, entry.lastUpdate, this.maxDuration)) return false;
    return this.clock.now() - eventTime < entry.backoff;
  }

  /**
   * backoff.go `GC` (client-go v0.32.0 to v0.35.0): "Garbage collect records that have aged past their
   * expiration": deletes every entry for which hasExpired(now, lastUpdate, maxDuration) holds. Note the
   * first argument is now, not an exit time: time spent waiting in back-off counts. client-go v0.31.0
   * compared `now - lastUpdate > 2 * maxDuration` directly, which is the same thing when no
   * HasExpiredFunc is set, as on a 1.31 kubelet. Returns the deleted keys (upstream returns nothing).
   */
  gc(): string[] {
    const now = this.clock.now();
    const deleted: string[] = [];
    for (const [id, entry] of this.perItemBackoff) {
      if (this.hasExpired(now, entry.lastUpdate, this.maxDuration)) {
        this.perItemBackoff.delete(id);
        deleted.push(id);
      }
    }
    return deleted;
  }

  /** backoff.go `initEntryUnsafe`. */
  private initEntryUnsafe(id: string): BackoffEntry {
    const entry: BackoffEntry = { backoff: this.defaultDuration, lastUpdate: 0 };
    this.perItemBackoff.set(id, entry);
    return entry;
  }

  /** backoff.go `hasExpired`: the override if set, else "consider stable if it's ok for twice the maxDuration". */
  hasExpired(eventTime: number, lastUpdate: number, maxDuration: number): boolean {
    if (this.hasExpiredFunc) return this.hasExpiredFunc(eventTime, lastUpdate, maxDuration);
    return eventTime - lastUpdate > maxDuration * 2;
  }

  /** The entry as the kubelet holds it (for narration and tests). */
  entry(id: string): Readonly<BackoffEntry> | undefined {
    return this.perItemBackoff.get(id);
  }
}
