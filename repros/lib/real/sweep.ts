// Leaves nothing of a private containerd run behind, whatever state it is in: used when a run ends
// normally, on Ctrl-C / SIGTERM, and by the watchdog when the runner was SIGKILLed.
//
// What a run creates, and how each is found again without touching anything else on the machine:
// - the containerd daemon: its command line names the run's config file;
// - containerd-shim-runc-v2 processes: reparented to PID 1, found by their `-address` argument, which
//   is the run's own socket; runc invocations: by `--root` under the run's directory;
// - container processes: in the run's own cgroup parent (the pod sandboxes are created with it);
// - mounts (overlayfs rootfs, sandbox /dev/shm): every mount point under the run's directory;
// - shim sockets: under /run/containerd/s/ whatever `state` says; the ones the run's shims had open,
//   and the address containerd derives for each of the run's shim ids (runtime/v2/shim/util_unix.go,
//   SocketAddress: sha256 of "<address>/<namespace>/<id>");
// - the run's temporary directory, and /run/containerd{,/s} if the run created them and they are empty.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, rmdirSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { processAlive } from '../temp-dir.ts';

export const SHIM_SOCKET_DIR = '/run/containerd/s';
export const CGROUP_ROOT = '/sys/fs/cgroup';

export interface RunFootprint {
  /** The run's temporary directory: root, state, config, sockets, runc root, logs. */
  dir: string;
  /** containerd's grpc.address (the shims' -address). */
  socket: string;
  /** The config file containerd was started with. */
  config: string;
  /** Cgroup parent of the run's pod sandboxes, e.g. /runbook-repros-abc123. */
  cgroupParent: string;
  /** The CRI namespace containers live in. */
  namespace: string;
  /** Directories under /run the run created (removed when empty). */
  createdDirs: readonly string[];
}

export interface SweepReport {
  killed: { pid: number; what: string }[];
  unmounted: string[];
  sockets: string[];
  cgroups: string[];
  /** Problems that stop the sweep from being complete (a mount that would not go, a process that survived). */
  problems: string[];
}

function readText(p: string): string | undefined {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}

function pids(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
}

function argv(pid: number): string[] {
  const raw = readText(`/proc/${pid}/cmdline`);
  return raw ? raw.split('\0').filter((a) => a !== '') : [];
}

/** The processes of this run, by what their command line says. */
export function runProcesses(fp: RunFootprint): { pid: number; what: 'containerd' | 'shim' | 'runc'; argv: string[] }[] {
  const out: { pid: number; what: 'containerd' | 'shim' | 'runc'; argv: string[] }[] = [];
  for (const pid of pids()) {
    if (pid === process.pid) continue;
    const a = argv(pid);
    if (a.length === 0) continue;
    const name = a[0]?.split('/').pop() ?? '';
    const addr = a.indexOf('-address');
    if (name.startsWith('containerd-shim') && addr !== -1 && a[addr + 1] === fp.socket) out.push({ pid, what: 'shim', argv: a });
    else if (name === 'containerd' && a.includes(fp.config)) out.push({ pid, what: 'containerd', argv: a });
    else if (name === 'runc' && a.some((x) => x === fp.dir || x.startsWith(`${fp.dir}/`))) out.push({ pid, what: 'runc', argv: a });
  }
  return out;
}

/** Paths of the unix sockets a process has open (from /proc/PID/fd and /proc/net/unix). */
function socketPathsOf(pid: number): string[] {
  const inodes = new Set<string>();
  let fds: string[] = [];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return [];
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m?.[1]) inodes.add(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  const paths: string[] = [];
  for (const line of (readText('/proc/net/unix') ?? '').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 8 && inodes.has(f[6] as string) && f[7]?.startsWith('/')) paths.push(f[7]);
  }
  return paths;
}

/** The shim socket containerd derives for a shim id (containerd 1.6 runtime/v2/shim/util_unix.go, SocketAddress). */
export function shimSocketPath(socket: string, namespace: string, id: string): string {
  return join(SHIM_SOCKET_DIR, createHash('sha256').update(join(socket, namespace, id)).digest('hex'));
}

/** Shim ids of the run: the task bundles containerd made under its state directory. */
function shimIds(fp: RunFootprint): string[] {
  const d = join(fp.dir, 'state', 'io.containerd.runtime.v2.task', fp.namespace);
  try {
    return readdirSync(d);
  } catch {
    return [];
  }
}

/** Mount points under the run's directory, deepest first. */
export function runMounts(dir: string): string[] {
  const out: string[] = [];
  for (const line of (readText('/proc/self/mountinfo') ?? '').split('\n')) {
    const mp = line.split(' ')[4];
    if (!mp) continue;
    const path = mp.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    if (path === dir || path.startsWith(`${dir}/`)) out.push(path);
  }
  return out.sort((a, b) => b.length - a.length);
}

/** Every cgroup directory of the run, in every hierarchy (cgroup v1 controllers and v2), deepest first. */
export function runCgroups(cgroupParent: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    out.push(d);
    for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(join(d, e.name));
  };
  const roots = existsSync(join(CGROUP_ROOT, 'cgroup.controllers'))
    ? [CGROUP_ROOT]
    : readdirSync(CGROUP_ROOT).map((h) => join(CGROUP_ROOT, h));
  for (const r of roots) {
    const d = join(r, cgroupParent);
    try {
      if (lstatSync(d).isDirectory()) walk(d);
    } catch {
      // not in this hierarchy
    }
  }
  return out.sort((a, b) => b.length - a.length);
}

function cgroupPids(cgroups: readonly string[]): number[] {
  const s = new Set<number>();
  for (const c of cgroups) {
    for (const l of (readText(join(c, 'cgroup.procs')) ?? '').split('\n')) if (l.trim()) s.add(Number(l));
  }
  return [...s];
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}

/** Busy-waits (synchronously: the sweep also runs in exit paths) until check() or the deadline. */
function spinUntil(check: () => boolean, ms: number): boolean {
  const until = Date.now() + ms;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  while (Date.now() < until) {
    if (check()) return true;
    Atomics.wait(cell, 0, 0, 20);
  }
  return check();
}

/**
 * Removes everything the run created. Synchronous and idempotent: safe to call twice, from an exit
 * path, or from the watchdog after the runner died.
 */
export function sweep(fp: RunFootprint): SweepReport {
  const report: SweepReport = { killed: [], unmounted: [], sockets: [], cgroups: [], problems: [] };
  const sockets = new Set<string>();

  // 1. The daemon first, so it restarts nothing; then shims and runc, noting the shims' sockets.
  const procs = runProcesses(fp);
  for (const p of procs.filter((x) => x.what === 'containerd')) {
    kill(p.pid);
    report.killed.push({ pid: p.pid, what: p.what });
  }
  for (const p of procs.filter((x) => x.what !== 'containerd')) {
    if (p.what === 'shim') for (const s of socketPathsOf(p.pid)) if (s.startsWith(`${SHIM_SOCKET_DIR}/`)) sockets.add(s);
    kill(p.pid);
    report.killed.push({ pid: p.pid, what: p.what });
  }
  for (const id of shimIds(fp)) sockets.add(shimSocketPath(fp.socket, fp.namespace, id));

  // 2. Container processes: whatever is in the run's cgroups, until they are empty.
  let cgroups = runCgroups(fp.cgroupParent);
  const emptied = spinUntil(() => {
    const left = cgroupPids(cgroups).filter(processAlive);
    for (const pid of left) {
      if (!report.killed.some((k) => k.pid === pid)) report.killed.push({ pid, what: 'container' });
      kill(pid);
    }
    return left.length === 0;
  }, 5000);
  if (!emptied) report.problems.push(`container processes still in ${fp.cgroupParent}: ${cgroupPids(cgroups).join(', ')}`);
  const gone = spinUntil(() => report.killed.every((k) => !processAlive(k.pid)), 5000);
  if (!gone) report.problems.push(`processes still alive: ${report.killed.filter((k) => processAlive(k.pid)).map((k) => `${k.what} ${k.pid}`).join(', ')}`);
  cgroups = runCgroups(fp.cgroupParent);
  for (const c of cgroups) {
    // A cgroup whose last process just exited can stay busy for a moment.
    const removed = spinUntil(() => {
      try {
        rmdirSync(c);
        return true;
      } catch (err) {
        return (err as NodeJS.ErrnoException).code === 'ENOENT';
      }
    }, 2000);
    if (removed) report.cgroups.push(c);
    else report.problems.push(`cgroup ${c} could not be removed`);
  }

  // 3. Mounts under the run's directory, deepest first (lazy: nothing of the run uses them any more).
  for (let round = 0; round < 5; round++) {
    const mounts = runMounts(fp.dir);
    if (mounts.length === 0) break;
    for (const m of mounts) {
      const r = spawnSync('umount', ['-l', m], { stdio: 'ignore' });
      if (r.status === 0) report.unmounted.push(m);
    }
  }
  const stuck = runMounts(fp.dir);
  if (stuck.length) report.problems.push(`still mounted: ${stuck.join(', ')}`);

  // 4. The shims' sockets.
  for (const s of sockets) {
    try {
      if (lstatSync(s).isSocket()) {
        unlinkSync(s);
        report.sockets.push(s);
      }
    } catch {
      // not there
    }
  }

  // 5. The directory, unless something is still mounted inside it (never delete through a mount).
  if (stuck.length === 0) rmSync(fp.dir, { recursive: true, force: true });
  for (const d of [...fp.createdDirs].sort((a, b) => b.length - a.length)) {
    try {
      rmdirSync(d);
    } catch {
      // not empty (another containerd uses it) or already gone
    }
  }
  return report;
}
