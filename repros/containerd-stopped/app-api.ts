// What the app, the shim and the scenarios agree on: logger kinds and the status every response
// carries. Its flags and events are in children.ts.

export type LoggerKind = 'sync' | 'dropping' | 'console';
export const LOGGER_KINDS = ['sync', 'dropping', 'console'] as const satisfies readonly LoggerKind[];
/** The incident's logger, and the app's when none is named. */
export const DEFAULT_LOGGER: LoggerKind = 'sync';

/** The dropping logger's bound on bytes waiting in memory. */
export const DEFAULT_BUFFER_BYTES = 64 * 1024;

/** What every response reports, so a client can see what the app had logged when it stopped answering. */
export interface AppStatus {
  n: number;
  logger: LoggerKind;
  /** Lines and bytes the logger finished writing (sync) or accepted (dropping, console). */
  loggedLines: number;
  loggedBytes: number;
  dropped: number;
  /** Bytes waiting in process.stdout's memory (0 for the sync logger, which never touches it). */
  queuedBytes: number;
  rss: number;
}
