// kubectl bound to one context (the kind cluster's own, never the current one): commands, JSON reads,
// replacing a run's objects, and watches that time each line `kubectl get -w` or `kubectl logs -f`
// prints. Also the pace at which the experiments poll the API.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { waitFor } from '../clock.ts';
import { run, type RunResult } from './command.ts';
import { REPO_ROOT } from '../paths.ts';
import { ownedTempDir } from '../temp-dir.ts';

/** One line a watch printed, with the wall-clock time (ms) it arrived. */
export interface WatchLine {
  t: number;
  line: string;
}

export interface Watch {
  lines: WatchLine[];
  stop(): void;
}

export class Kubectl {
  readonly context: string;
  private readonly watches: ChildProcess[] = [];

  constructor(context: string) {
    this.context = context;
  }

  kubectl(args: readonly string[], opts: { allowFail?: boolean; input?: string } = {}): Promise<RunResult> {
    return run('kubectl', ['--context', this.context, ...args], opts);
  }

  async json<T>(args: readonly string[]): Promise<T> {
    return JSON.parse((await this.kubectl([...args, '-o', 'json'])).stdout) as T;
  }

  /**
   * Deletes these objects if an earlier run (with --keep) left them, waits until they are gone, and
   * creates them afresh: every run starts from new pods with no restarts and no old log lines.
   */
  async replace(yaml: string): Promise<void> {
    const dir = ownedTempDir('manifests');
    try {
      const file = join(dir, 'manifests.yaml');
      writeFileSync(file, yaml);
      await this.kubectl(['delete', '-f', file, '--ignore-not-found', '--wait=true', '--timeout=120s']);
      await this.kubectl(['apply', '-f', file]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** `kubectl ... -w` (or any long-running kubectl), every line timed and optionally narrated. */
  watch(args: readonly string[], onLine: (l: WatchLine) => void = () => undefined): Watch {
    const child = spawn('kubectl', ['--context', this.context, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    this.watches.push(child);
    const lines: WatchLine[] = [];
    createInterface({ input: child.stdout }).on('line', (line) => {
      const l = { t: Date.now(), line };
      lines.push(l);
      onLine(l);
    });
    child.stderr.resume();
    return { lines, stop: () => void child.kill('SIGTERM') };
  }

  stopWatches(): void {
    for (const w of this.watches) if (w.exitCode === null) w.kill('SIGTERM');
  }

  /** The API server's version, e.g. "v1.32.2" (`kubectl version`), or undefined if it does not say. */
  async serverVersion(): Promise<string | undefined> {
    const version = JSON.parse((await this.kubectl(['version', '-o', 'json'])).stdout) as { serverVersion?: { gitVersion?: string } };
    return version.serverVersion?.gitVersion;
  }
}

/** lib/clock.ts waitFor with the cluster's pace: polls the API once a second by default. */
export function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 1000): Promise<T> {
  return waitFor(what, check, { timeoutMs, intervalMs });
}

/** Seconds between two RFC 3339 times (the API's timestamps have whole seconds). */
export function secondsBetween(from: string, to: string): number {
  return (Date.parse(to) - Date.parse(from)) / 1000;
}
