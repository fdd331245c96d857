// The chaos test: SIGKILLs the app's main process once it has run for its allotted time. A separate
// process, like a chaos tool on the node, that only knows PIDs: the mini kubelet tells it about each
// new container instance over IPC and hears back when it killed one.
import { childArgs, exitWhenParentDies } from '../lib/child.ts';

export interface TargetMessage {
  type: 'target';
  pid: number;
  /** Wall-clock ms of run time before the kill. */
  afterMs: number;
}
export interface KilledMessage {
  type: 'killed' | 'ready';
  pid?: number;
}

exitWhenParentDies();
childArgs();
const timers = new Map<number, NodeJS.Timeout>();

process.on('message', (msg: TargetMessage | { type: 'stop' }) => {
  if (msg.type === 'stop') {
    for (const t of timers.values()) clearTimeout(t);
    process.exit(0);
  }
  if (msg.type !== 'target') return;
  const t = setTimeout(() => {
    timers.delete(msg.pid);
    try {
      process.kill(msg.pid, 'SIGKILL');
      process.send?.({ type: 'killed', pid: msg.pid } satisfies KilledMessage);
    } catch {
      // The instance already exited on its own: nothing to kill.
    }
  }, msg.afterMs);
  timers.set(msg.pid, t);
});
process.on('disconnect', () => process.exit(0));
// Ready to take targets: the kubelet starts the first instance only after this, so the first run
// is timed like the others.
process.send?.({ type: 'ready' });
