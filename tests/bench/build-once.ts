// Builds the site in the given folder with Astro's API and reports wall time, CPU time and peak memory.
// Run as its own process so its peak RSS and CPU time are the build's alone. CPU time counts this
// process and the children it waited for, read from /proc on Linux: not Pagefind's indexer, which
// both sites' builds stop without waiting for it (its time is in the wall time only). On a machine
// shared with other work CPU time moves far less than wall time, so the bench reports both.
import { readFileSync } from 'node:fs';
import { build } from 'astro';

const root = process.argv[2];
if (!root) throw new Error('usage: build-once.ts <project folder>');
process.chdir(root);

/** User + system CPU time of this process and its waited-for children, in ms (undefined off Linux). */
function cpuMs(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name (which is in parentheses and may hold spaces): utime is the 14th
    // field of the line, then stime, cutime, cstime, in clock ticks (100 per second on Linux).
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = [11, 12, 13, 14].reduce((n, i) => n + Number(f[i]), 0);
    return Number.isFinite(ticks) ? ticks * 10 : undefined;
  } catch {
    return undefined;
  }
}

const t0 = performance.now();
await build({ root, logLevel: 'error' });
const ms = performance.now() - t0;
process.stdout.write(JSON.stringify({ ms, cpuMs: cpuMs(), maxRssMb: process.resourceUsage().maxRSS / 1024 }) + '\n');
