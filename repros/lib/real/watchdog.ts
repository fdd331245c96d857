// The private containerd's watchdog: a small child of the runner that does nothing until the run
// ends. If the runner dies without cleaning up (SIGKILL runs no handler), its IPC channel closes and
// its parent pid changes; the watchdog then sweeps everything the run created (sweep.ts) and exits.
// When the run cleans up itself, it sends "done" and the watchdog exits without touching anything.
// SIGTERM (the process group stopping its children) also sweeps; SIGINT from a terminal's Ctrl-C is
// ignored here: the runner handles it and will send "done" or die.
import type { RunFootprint } from './sweep.ts';
import { sweep } from './sweep.ts';

const fp = JSON.parse(process.argv[2] ?? '{}') as RunFootprint;
if (!fp.dir || !fp.socket || !fp.config || !fp.cgroupParent) {
  process.stderr.write('watchdog: needs the run footprint as JSON in argv[2]\n');
  process.exit(2);
}

let finished = false;
function cleanUpAndExit(why: string): void {
  if (finished) return;
  finished = true;
  const r = sweep(fp);
  if (r.killed.length || r.unmounted.length || r.problems.length) {
    process.stderr.write(
      `containerd watchdog (${why}): killed ${r.killed.map((k) => `${k.what} ${k.pid}`).join(', ') || 'nothing'}; ` +
        `unmounted ${r.unmounted.length}; removed ${r.sockets.length} shim sockets` +
        (r.problems.length ? `; problems: ${r.problems.join('; ')}` : '') +
        '\n',
    );
  }
  process.exit(r.problems.length ? 1 : 0);
}

const parent = process.ppid;
process.on('message', (m: unknown) => {
  if (m === 'done') {
    finished = true;
    process.exit(0);
  }
  if (m === 'sweep') cleanUpAndExit('asked');
});
process.on('disconnect', () => cleanUpAndExit('runner gone'));
process.on('SIGTERM', () => cleanUpAndExit('SIGTERM'));
process.on('SIGHUP', () => cleanUpAndExit('SIGHUP'));
process.on('SIGINT', () => undefined);
setInterval(() => {
  if (process.ppid !== parent) cleanUpAndExit('runner gone');
}, 250);
process.send?.('ready');
