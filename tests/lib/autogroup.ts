// Keeps niced work niced when it starts sessions of its own.
//
// With autogroup scheduling (kernel.sched_autogroup_enabled = 1, sched(7) "The autogroup feature")
// the kernel first shares the CPU between sessions, each of equal weight unless its autogroup nice
// value (/proc/PID/autogroup) says otherwise, and a process's own nice value counts only against the
// other processes of its session. A process that calls setsid() starts a new session in a new
// autogroup at nice 0, whatever its own nice value. Chromium as Playwright launches it does (and, as
// root, raises some of its own threads to nice -8), and so does a child spawned with `detached`. So
// `nice -n 19` alone does not keep such work from competing on equal terms with the tests whose
// claims are wall-clock timings.
//
// `sessionNicer(nice)` scans /proc while niced steps run: a session leader that descends from one of
// the given roots gets its autogroup nice set to `nice` (allowed to any owner: it lowers priority).
// Only descendants of this run's niced steps are touched.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { statFields } from './procs.ts';

const ENABLED = ((): boolean => {
  try {
    return readFileSync('/proc/sys/kernel/sched_autogroup_enabled', 'utf8').trim() === '1';
  } catch {
    return false;
  }
})();

/** Every scan: a session a niced step starts runs at its own priority for at most this long. */
const SCAN_MS = 200;

export interface SessionNicer {
  /** Starts watching the sessions that the process `pid` and its descendants start. */
  add(pid: number): void;
  remove(pid: number): void;
  /** The sessions it lowered so far (their leaders' pids). */
  readonly lowered: ReadonlySet<number>;
}

/** pid -> [ppid, sid]; undefined once the process has gone. */
function parentAndSession(pid: number): [number, number] | undefined {
  const f = statFields(pid);
  return f && [Number(f[1]), Number(f[3])];
}

export function sessionNicer(nice: number): SessionNicer {
  const roots = new Set<number>();
  const lowered = new Set<number>();
  // A process is looked at in two scans in a row (it may call setsid() just after the first), then no more.
  const seen = new Map<number, number>();
  let timer: NodeJS.Timeout | undefined;

  const descendsFromRoot = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; hops++) {
      if (roots.has(p)) return true;
      const ps = parentAndSession(p);
      if (!ps) return false;
      p = ps[0];
    }
    return false;
  };

  const scan = (): void => {
    let pids: number[];
    try {
      pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
    } catch {
      return;
    }
    const live = new Set(pids);
    for (const pid of seen.keys()) if (!live.has(pid)) seen.delete(pid);
    for (const pid of pids) {
      const looks = seen.get(pid) ?? 0;
      if (looks >= 2) continue;
      seen.set(pid, looks + 1);
      const ps = parentAndSession(pid);
      if (!ps || ps[1] !== pid || lowered.has(pid) || !descendsFromRoot(pid)) continue;
      try {
        writeFileSync(`/proc/${pid}/autogroup`, String(nice));
        lowered.add(pid);
      } catch {
        // gone already, or not ours
      }
    }
  };

  return {
    add(pid) {
      if (!ENABLED) return;
      roots.add(pid);
      timer ??= setInterval(scan, SCAN_MS).unref();
      scan();
    },
    remove(pid) {
      roots.delete(pid);
      if (roots.size === 0 && timer) {
        clearInterval(timer);
        timer = undefined;
      }
    },
    lowered,
  };
}
