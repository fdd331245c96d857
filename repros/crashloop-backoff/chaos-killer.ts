// The chaos test: SIGKILLs the app's main process once it has run for its allotted time. A separate
// process, like a chaos tool on the node, that only knows PIDs: the mini kubelet names each new
// container instance on this process's stdin and hears back on its stdout when it killed one
// (ChaosCommand and ChaosEvent lines, lib/child-events.ts). Its stdin ending means the kubelet is gone.
import { emitter, EventStream } from '../lib/child-events.ts';
import { exitWhenParentDies } from '../lib/child.ts';
import { childArgsOrExit } from '../lib/flags.ts';
import { CHAOS_FLAGS, type ChaosCommand, type ChaosEvent } from './children.ts';

exitWhenParentDies();
childArgsOrExit('chaos-killer', CHAOS_FLAGS);
const emit = emitter<ChaosEvent>();
const timers = new Map<number, NodeJS.Timeout>();

const commands = new EventStream<ChaosCommand>(process.stdin, (msg) => {
  if (msg.ev === 'stop') {
    for (const t of timers.values()) clearTimeout(t);
    process.exit(0);
  }
  const t = setTimeout(() => {
    timers.delete(msg.pid);
    try {
      process.kill(msg.pid, 'SIGKILL');
      emit({ ev: 'killed', pid: msg.pid });
    } catch {
      // The instance already exited on its own: nothing to kill.
    }
  }, msg.afterMs);
  timers.set(msg.pid, t);
});
void commands.ended.then(() => process.exit(0));
// Ready to take targets: the kubelet starts the first instance only after this, so the first run
// is timed like the others.
emit({ ev: 'ready' });
