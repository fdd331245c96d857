// Child processes that cannot outlive the run. Every child is started through a ProcessGroup; the
// group kills them all when the run ends, on Ctrl-C, on SIGTERM and when the parent exits, then runs
// the cleanups registered with it (the run's temporary directories, temp-dir.ts). Children also watch
// their parent (see child.ts), which covers a SIGKILL of the parent.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { PARENT_PID_ENV } from './child.ts';

export interface Spawned {
  child: ChildProcess;
  /** Resolves with the exit code and signal once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Every live group; one exit hook kills whatever they still hold, however the process exits. */
const groups = new Set<ProcessGroup>();
let exitHookInstalled = false;

export class ProcessGroup {
  private readonly children = new Set<ChildProcess>();
  private readonly cleanups: (() => void)[] = [];

  constructor() {
    groups.add(this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', () => {
        for (const g of groups) g.killAllNow();
      });
    }
  }

  /** Spawns a process; `node` scripts should use spawnNode so they run on this same Node. */
  spawn(command: string, args: readonly string[], options: SpawnOptions = {}): Spawned {
    // The child's onParentGone (child.ts) reads who started it from PARENT_PID_ENV.
    const env = { ...(options.env ?? process.env), [PARENT_PID_ENV]: String(process.pid) };
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options, env });
    this.children.add(child);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.once('error', (err) => {
        this.children.delete(child);
        reject(err);
      });
      child.once('exit', (code, signal) => {
        this.children.delete(child);
        resolve({ code, signal });
      });
    });
    exited.catch(() => undefined);
    return { child, exited };
  }

  /** Runs a TypeScript or JavaScript file with the current Node binary. */
  spawnNode(script: string, args: readonly string[] = [], options: SpawnOptions = {}): Spawned {
    return this.spawn(process.execPath, [script, ...args], options);
  }

  /**
   * Runs `fn` (synchronous, e.g. removing the run's temporary directory) once, after the group's
   * processes are stopped (stopAll) or killed at process exit (killAllNow).
   */
  onStop(fn: () => void): void {
    this.cleanups.push(fn);
  }

  private runCleanups(): void {
    for (const fn of this.cleanups.splice(0)) {
      try {
        fn();
      } catch {
        // A cleanup that fails must not keep the others from running.
      }
    }
  }

  get size(): number {
    return this.children.size;
  }

  /** SIGKILLs every live child. Synchronous, so it is safe in an 'exit' handler. */
  killAllNow(): void {
    for (const c of this.children) {
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    }
    this.runCleanups();
  }

  /** SIGTERM, then SIGKILL after graceMs for any child still alive; resolves when all are gone. */
  async stopAll(graceMs = 2000): Promise<void> {
    const live = [...this.children].filter((c) => c.exitCode === null && c.signalCode === null);
    await Promise.all(
      live.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            const t = setTimeout(() => c.kill('SIGKILL'), graceMs);
            c.once('exit', () => {
              clearTimeout(t);
              resolve();
            });
            c.kill('SIGTERM');
          }),
      ),
    );
    this.runCleanups();
  }
}
