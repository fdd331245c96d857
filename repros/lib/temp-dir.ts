// Temporary directories a run creates, named for the process that owns them, so that none is left
// behind however the run ends. A directory is `<tmp>/rr-<what>-<pid>-XXXXXX`: the project's prefix,
// what it holds, the pid of the process that created it (the runner), six random characters.
// - runTempDir registers it with the run's ProcessGroup: removed once the run's processes are stopped
//   (the end of the run, Ctrl-C, SIGTERM) or when the runner exits.
// - After a SIGKILL of the runner, no handler runs: its children, which outlive it by at most one
//   parent check (child.ts), sweep every such directory whose owner is gone before they exit, and so
//   does the next run that makes one. Only names of this shape are touched, and only when their
//   owner pid no longer exists.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProcessGroup } from './processes.ts';

export const TEMP_PREFIX = 'rr-';
/** A directory of this shape: its owner's pid is group 1. */
export const OWNED_TEMP_DIR = /^rr-[a-z0-9]+(?:-[a-z0-9]+)*-(\d+)-[A-Za-z0-9]{6}$/;

/** A new directory under `base` (the system's temporary directory) owned by this process. */
export function ownedTempDir(what: string, base = tmpdir()): string {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(what)) throw new Error(`temporary directory name "${what}": use lower-case letters, digits and single dashes`);
  sweepOrphanedTempDirs(base);
  return mkdtempSync(join(base, `${TEMP_PREFIX}${what}-${process.pid}-`));
}

/** A directory for this run, removed when the run's processes are stopped, however the run ends. */
export function runTempDir(procs: ProcessGroup, what: string, base = tmpdir()): string {
  const dir = ownedTempDir(what, base);
  procs.onStop(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Whether the process exists and has not exited (a zombie has). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A runner that was just SIGKILLed is a zombie until its parent reaps it: it has exited all the same.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
  } catch {
    return true;
  }
}

/** Removes the project's temporary directories under `base` whose owner process is gone; returns their names. */
export function sweepOrphanedTempDirs(base = tmpdir()): string[] {
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const owner = OWNED_TEMP_DIR.exec(name)?.[1];
    if (owner === undefined || processAlive(Number(owner))) continue;
    try {
      rmSync(join(base, name), { recursive: true, force: true });
      removed.push(name);
    } catch {
      // Another sweeper got there first, or it is not ours to remove (another user's): leave it.
    }
  }
  return removed;
}
