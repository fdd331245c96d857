// What this repro's child processes take on their command line and say to their parent: one flag
// list (childArgv / childArgsOrExit in lib/flags.ts) and one event union (lib/child-events.ts) per
// child, imported by both ends.
import { childFlags, PORT_FLAG } from '../lib/flags.ts';

/** The container's main process (app.ts), locally and in the real tier's containers. */
export const APP_FLAGS = childFlags([
  { name: 'instance', type: 'number', description: 'which container instance this is (0 first, then the restart count; absent in a pod, where the kubelet counts)', min: 0 },
  PORT_FLAG,
] as const);
export type AppEvent = { ev: 'listening'; port: number; pid: number };

/** The local chaos killer (chaos-killer.ts): no flags; the kubelet names each target on its stdin. */
export const CHAOS_FLAGS = childFlags([] as const);
export type ChaosCommand =
  /** SIGKILL this pid after afterMs of wall-clock run time. */
  | { ev: 'target'; pid: number; afterMs: number }
  | { ev: 'stop' };
export type ChaosEvent = { ev: 'ready' } | { ev: 'killed'; pid: number };

export const KILL_EVERY_FLAG = { name: 'kill-every', type: 'number', description: 'seconds of run time before each SIGKILL', min: 0.001 } as const;

/** The chaos killer in a pod (cluster/pod-chaos-killer.ts); its events are read with `kubectl logs`. */
export const POD_CHAOS_FLAGS = childFlags([
  { name: 'target', type: 'string', description: 'a path in the app\'s command line', required: true },
  { ...KILL_EVERY_FLAG, required: true },
] as const);
export type PodChaosEvent =
  | { ev: 'ready'; target: string; killEvery: number; t: string }
  | { ev: 'target'; pid: number; t: string }
  | { ev: 'killed'; pid: number; ranSeconds: number; t: string };
