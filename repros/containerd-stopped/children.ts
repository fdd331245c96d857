// What this repro's child processes take on their command line and say to their parent: one flag
// list (childArgv / childArgsOrExit in lib/flags.ts) and one event union (lib/child-events.ts) per
// child, imported by both ends. Defaults come from app-api.ts and log-line.ts.
import { childFlags, PORT_FLAG } from '../lib/flags.ts';
import { DEFAULT_BUFFER_BYTES, DEFAULT_LOGGER, LOGGER_KINDS, type LoggerKind } from './app-api.ts';
import { MAX_LINE_BYTES, MIN_LINE_BYTES } from './log-line.ts';
import { RUN } from './constants.ts';

/** The application container (app.ts), under the shim, alone, or in a real CRI container. */
export const APP_FLAGS = childFlags([
  PORT_FLAG,
  { name: 'logger', type: 'string', choices: LOGGER_KINDS, description: 'how the app writes its log lines', fallback: DEFAULT_LOGGER },
  { name: 'line-bytes', type: 'number', min: MIN_LINE_BYTES, max: MAX_LINE_BYTES, description: 'bytes per log line, newline included', fallback: RUN.lineBytes },
  { name: 'buffer-bytes', type: 'number', min: 1, description: 'the dropping logger\'s bound on bytes waiting in memory', fallback: DEFAULT_BUFFER_BYTES },
] as const);
/**
 * The app's stdout is the container's log pipe, the data under test, so its events go on stderr.
 */
export type AppEvent = { ev: 'listening'; port: number; pid: number; logger: LoggerKind };

/** The shim (shim.ts): the FIFO, and the app's flags, which it passes on. */
export const SHIM_FLAGS = childFlags([
  { name: 'fifo', type: 'string', description: 'the container stdout FIFO containerd reads (created if missing)', required: true },
  ...APP_FLAGS,
] as const);
export interface ShimReady {
  ev: 'ready';
  shimPid: number;
  appPid: number;
  port: number;
  /** Capacity of the app's stdout pipe, read from the kernel; null where F_GETPIPE_SZ does not exist. */
  appPipeBytes: number | null;
  fifo: string;
}
export type ShimEvent = ShimReady;

/** The CRI log copier (cri-log-copier.ts). */
export const COPIER_FLAGS = childFlags([
  { name: 'fifo', type: 'string', description: 'the container stdout FIFO to read (created if missing)', required: true },
  { name: 'log', type: 'string', description: 'the CRI log file to append to', required: true },
] as const);
export type CopierEvent = { ev: 'attached'; pid: number; fifo: string; log: string };
