
import { HOST } from '../lib/address.ts';// What the app, the shim and the scenarios agree on: logger kinds, the status every response carries
// and the address line the app prints on stderr.

export type LoggerKind = 'sync' | 'dropping' | 'console';
export const LOGGER_KINDS: readonly LoggerKind[] = ['sync', 'dropping', 'console'];

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

export function addressLine(port: number, pid: number, logger: LoggerKind): string {
  return `app listening on http://${HOST}:${port} pid ${pid} logger ${logger}\n`;
}

export function parseAddressLine(line: string): { port: number; pid: number } | undefined {
  const m = /^app listening on http:\/\/127\.0\.0\.1:(\d+) pid (\d+)/.exec(line);
  return m ? { port: Number(m[1]), pid: Number(m[2]) } : undefined;
}
