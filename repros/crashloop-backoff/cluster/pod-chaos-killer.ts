// The chaos test inside the pod: a second container that shares the pod's process namespace
// (shareProcessNamespace: true), finds the app's process and SIGKILLs it once it has run for
// --kill-every seconds, for every instance the kubelet starts. The local repro's chaos-killer.ts
// does the same to the mini kubelet's children. With a shared namespace the pause container is
// PID 1, so the app is an ordinary process that SIGKILL ends, like `kill -9` from a chaos tool.
//
//   node pod-chaos-killer.ts --target repros/crashloop-backoff/app.ts --kill-every 210
import { readdirSync, readFileSync } from 'node:fs';
import { childArgs } from '../../lib/child.ts';

/** USER_HZ: the unit of /proc/<pid>/stat's starttime on Linux. */
const CLOCK_TICKS_PER_SECOND = 100;
/** How often /proc is scanned: far below any kill interval, cheap for a handful of processes. */
const SCAN_MS = 200;

const args = childArgs();
const target = args.get('target') ?? '';
const killEvery = Number(args.get('kill-every'));
if (target === '' || !Number.isFinite(killEvery) || killEvery <= 0) {
  process.stderr.write('usage: pod-chaos-killer.ts --target <path in the app\'s command line> --kill-every <seconds>\n');
  process.exit(2);
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Seconds the process has run: uptime now minus its start time (field 22 of /proc/<pid>/stat). */
function ranSeconds(pid: number): number | undefined {
  const stat = read(`/proc/${pid}/stat`);
  const uptime = read('/proc/uptime');
  if (stat === undefined || uptime === undefined) return undefined;
  // Fields after the command name, which is in parentheses and may contain spaces: field 3 first.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const start = Number(fields[22 - 3]) / CLOCK_TICKS_PER_SECOND;
  return Number(uptime.split(' ')[0]) - start;
}

function targets(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d) && Number(d) !== process.pid)
    .map(Number)
    .filter((pid) => (read(`/proc/${pid}/cmdline`) ?? '').split('\0').some((a) => a.endsWith(target)));
}

const log = (event: Record<string, unknown>): void => void process.stdout.write(JSON.stringify({ ...event, t: new Date().toISOString() }) + '\n');
log({ ev: 'ready', target, killEvery });
const seen = new Set<number>();
setInterval(() => {
  for (const pid of targets()) {
    if (!seen.has(pid)) {
      seen.add(pid);
      log({ ev: 'target', pid });
    }
    const ran = ranSeconds(pid);
    if (ran === undefined || ran < killEvery) continue;
    try {
      process.kill(pid, 'SIGKILL');
      log({ ev: 'killed', pid, ranSeconds: Number(ran.toFixed(2)) });
    } catch {
      // It exited by itself between the scan and the kill.
    }
  }
}, SCAN_MS);
process.on('SIGTERM', () => process.exit(0));
