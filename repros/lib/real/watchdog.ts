// The private containerd's watchdog: a small child of the runner that does nothing until the run
// ends. If the runner dies without cleaning up (SIGKILL runs no handler), its stdin closes and its
// parent pid changes; the watchdog then sweeps everything the run created (sweep.ts) and exits.
// When the run cleans up itself, it sends "done" on stdin and the watchdog exits without touching
// anything. Flags, events and commands: watchdog-api.ts.
// SIGTERM (the process group stopping its children) also sweeps; SIGINT from a terminal's Ctrl-C is
// ignored here: the runner handles it and will send "done" or die.
import { emitter, EventStream } from '../child-events.ts';
import { childArgsOrExit } from '../flags.ts';
import type { RunFootprint } from './sweep.ts';
import { sweep } from './sweep.ts';
import { WATCHDOG_FLAGS, type WatchdogCommand, type WatchdogEvent } from './watchdog-api.ts';

const { footprint } = childArgsOrExit('watchdog', WATCHDOG_FLAGS);
const fp = JSON.parse(footprint) as RunFootprint;
if (!fp.dir || !fp.socket || !fp.config || !fp.cgroupParent) {
  process.stderr.write('watchdog: --footprint needs dir, socket, config and cgroupParent\n');
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
const commands = new EventStream<WatchdogCommand>(process.stdin, (m) => {
  if (m.ev === 'done') {
    finished = true;
    process.exit(0);
  }
  cleanUpAndExit('asked');
});
void commands.ended.then(() => cleanUpAndExit('runner gone'));
process.on('SIGTERM', () => cleanUpAndExit('SIGTERM'));
process.on('SIGHUP', () => cleanUpAndExit('SIGHUP'));
process.on('SIGINT', () => undefined);
setInterval(() => {
  if (process.ppid !== parent) cleanUpAndExit('runner gone');
}, 250);
emitter<WatchdogEvent>()({ ev: 'ready' });
