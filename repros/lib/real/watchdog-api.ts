// What the containerd watchdog (watchdog.ts) takes and says, for both ends: its one flag, the run's
// footprint as JSON, and its events and commands (lib/child-events.ts lines on stdout and stdin).
import { childFlags } from '../flags.ts';

export const WATCHDOG_FLAGS = childFlags([
  { name: 'footprint', type: 'string', description: 'the run\'s footprint (sweep.ts RunFootprint) as JSON', required: true },
] as const);

/** The watchdog is armed: from now on a runner that dies leaves nothing behind. */
export type WatchdogEvent = { ev: 'ready' };
/** done: the run cleaned up itself, exit without touching anything; sweep: clean up now, then exit. */
export type WatchdogCommand = { ev: 'done' } | { ev: 'sweep' };
