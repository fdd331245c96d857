// The chaos test inside the pod: a second container that shares the pod's process namespace
// (shareProcessNamespace: true), finds the app's process and SIGKILLs it once it has run for
// --kill-every seconds, for every instance the kubelet starts. The local repro's chaos-killer.ts
// does the same to the mini kubelet's children. With a shared namespace the pause container is
// PID 1, so the app is an ordinary process that SIGKILL ends, like `kill -9` from a chaos tool.
// Its events (PodChaosEvent) are JSON lines on stdout, the one channel out of a pod: `kubectl logs`
// shows them, and parseEvent (lib/child-events.ts) reads them back.
//
//   node pod-chaos-killer.ts --target repros/crashloop-backoff/app.ts --kill-every 210   (POD_CHAOS_FLAGS)
import { readdirSync, readFileSync } from 'node:fs';
import { emitter } from '../../lib/child-events.ts';
import { childArgsOrExit } from '../../lib/flags.ts';
import { POD_CHAOS_FLAGS, type PodChaosEvent } from '../children.ts';

/** USER_HZ: the unit of /proc/<pid>/stat's starttime on Linux. */
const CLOCK_TICKS_PER_SECOND = 100;
/** How often /proc is scanned: far below any kill interval, cheap for a handful of processes. */
const SCAN_MS = 200;

const { target, 'kill-every': killEvery } = childArgsOrExit('pod-chaos-killer', POD_CHAOS_FLAGS);

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** When the process started, in clock ticks since boot (field 22 of /proc/<pid>/stat). */
function startTicks(pid: number): number | undefined {
  const stat = read(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // Fields after the command name, which is in parentheses and may contain spaces: field 3 first.
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[22 - 3]);
}

/** Seconds a process that started at `start` (clock ticks) has run: uptime now minus its start. */
function ranSeconds(start: number): number | undefined {
  const uptime = read('/proc/uptime');
  return uptime === undefined ? undefined : Number(uptime.split(' ')[0]) - start / CLOCK_TICKS_PER_SECOND;
}

function targets(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d) && Number(d) !== process.pid)
    .map(Number)
    .filter((pid) => (read(`/proc/${pid}/cmdline`) ?? '').split('\0').some((a) => a.endsWith(target)));
}

const emit = emitter<PodChaosEvent>();
const at = (): string => new Date().toISOString();
emit({ ev: 'ready', target, killEvery, t: at() });
const seen = new Set<number>();
/**
 * Instances already killed (pid and start time, as a pid can come back): a SIGKILLed process can
 * still show its command line at the next scan while the kernel tears it down, which takes longer on
 * a busy machine, and it is one kill, not two.
 */
const killed = new Set<string>();
setInterval(() => {
  for (const pid of targets()) {
    if (!seen.has(pid)) {
      seen.add(pid);
      emit({ ev: 'target', pid, t: at() });
    }
    const start = startTicks(pid);
    const ran = start === undefined ? undefined : ranSeconds(start);
    if (ran === undefined || ran < killEvery || killed.has(`${pid}:${start}`)) continue;
    try {
      process.kill(pid, 'SIGKILL');
      killed.add(`${pid}:${start}`);
      emit({ ev: 'killed', pid, ranSeconds: Number(ran.toFixed(2)), t: at() });
    } catch {
      // It exited by itself between the scan and the kill.
    }
  }
}, SCAN_MS);
process.on('SIGTERM', () => process.exit(0));
