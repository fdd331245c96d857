// Ctrl-C (SIGINT), SIGTERM and a SIGKILL of `npm run repro` in the middle of a run stop every process
// it started and close every port those processes listened on: for every scenario of every repro
// (SIGINT and SIGKILL; SIGTERM too on the default one) and every component started alone (SIGINT).
// After a SIGKILL the runner cannot clean up; its children notice that their parent is gone.
//
// The runner is started as the leader of a new process group. Its process tree and listening
// sockets are read from /proc while it runs (tests/lib/procs.ts). It is interrupted once it has
// printed something, a scenario's processes listen (a component may only connect), and the tree has
// then stayed the same for half a second. Afterwards no process it ever had may still run, none
// of their sockets may still listen, and none of its temporary directories may be left. A model run ends on its own without starting a process and is
// reported as skipped.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, test } from 'node:test';
import { REAL_TOOLS } from '../../repros/containerd-stopped/real/node.ts';
import { CRI_NAMESPACE } from '../../repros/lib/real/containerd.ts';
import { runCgroups, runMounts, shimSocketPath, sweep, type RunFootprint } from '../../repros/lib/real/sweep.ts';
import { loadAllRepros } from '../../repros/lib/registry.ts';
import { within } from '../../repros/lib/clock.ts';
import { OWNED_TEMP_DIR } from '../../repros/lib/temp-dir.ts';
import { HAVE_PROC, listenersOf, procOf, statFields, stillListening, stillRunning, treeOf, type Listener, type Proc } from '../lib/procs.ts';
import { realTier } from '../lib/real.ts';

const CLI = join(import.meta.dirname, '..', '..', 'repros', 'cli.ts');
const POLL_MS = 100;
/** Polls in a row with the same processes and sockets before the run counts as up. */
const SETTLED_POLLS = 5;
/** Longest wait for a run to come up; a busy 2-core machine starts a topology in a few seconds. */
const UP_WITHIN_MS = 30_000;
/** Longest wait for the runner to exit after the signal (its own shutdown is well under a second). */
const EXIT_WITHIN_MS = 15_000;
/** Children of a SIGKILLed runner poll for their parent every 250 ms (repros/lib/child.ts). */
const GONE_WITHIN_MS = 5_000;
/** Stand-in cases at a time. */
const STAND_IN_AT_ONCE = 3;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Outcome {
  /** The run ended on its own before it could be interrupted. */
  endedEarly: boolean;
  code: number | null;
  /** Every process and listening socket seen while it ran. */
  procs: Proc[];
  listeners: Listener[];
  /** What was still there afterwards. */
  leftProcs: Proc[];
  leftListeners: Listener[];
  /** The run's temporary directories still there (repros/lib/temp-dir.ts names them with the runner's pid). */
  leftTempDirs: string[];
}

async function interruptMidRun(args: string[], signal: NodeJS.Signals, serves: boolean, upWhen?: RegExp): Promise<Outcome> {
  const child = spawn(process.execPath, [CLI, ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const root = child.pid as number;
  let code: number | null | undefined;
  const exited = new Promise<void>((resolve) => child.once('exit', (c) => ((code = c ?? -1), resolve())));
  // Up once it has printed (a line matching upWhen, when given) and its process tree has settled.
  let printed = false;
  let output = '';
  const onData = (c: Buffer): void => {
    output += c.toString();
    printed = upWhen === undefined || upWhen.test(output);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);

  const procs = new Map<string, Proc>();
  const listeners = new Map<string, Listener>();
  let last = '';
  let same = 0;
  const upBy = performance.now() + UP_WITHIN_MS;
  while (code === undefined && performance.now() < upBy) {
    await sleep(POLL_MS);
    const tree = treeOf(root);
    const socks = listenersOf(tree);
    for (const p of tree) procs.set(`${p.pid}/${p.start}`, p);
    for (const l of socks) listeners.set(l.inode, l);
    const key = `${tree.map((p) => p.pid).sort().join()}|${socks.map((l) => l.inode).sort().join()}`;
    same = key === last ? same + 1 : 0;
    last = key;
    const up = printed && (!serves || !HAVE_PROC || socks.length > 0);
    if (up && same >= SETTLED_POLLS) break;
  }
  const endedEarly = code !== undefined;
  if (!endedEarly) {
    child.kill(signal);
    await within(exited, EXIT_WITHIN_MS);
  }

  const seen = [...procs.values()];
  const tempDirs = (): string[] => readdirSync(tmpdir()).filter((f) => OWNED_TEMP_DIR.exec(f)?.[1] === String(root));
  const left = (): [Proc[], Listener[], string[]] => {
    const running = new Map([...stillRunning(seen), ...treeOf(root)].map((p) => [p.pid, p]));
    return [[...running.values()], stillListening([...listeners.values()]), tempDirs()];
  };
  let [leftProcs, leftListeners, leftTempDirs] = left();
  const goneBy = performance.now() + GONE_WITHIN_MS;
  while ((leftProcs.length > 0 || leftListeners.length > 0 || leftTempDirs.length > 0) && performance.now() < goneBy) {
    await sleep(POLL_MS);
    [leftProcs, leftListeners, leftTempDirs] = left();
  }
  // Never leave anything behind for the next test, whatever this one concludes.
  for (const p of leftProcs) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return { endedEarly, code: code ?? null, procs: seen, listeners: [...listeners.values()], leftProcs, leftListeners, leftTempDirs };
}

const repros = await loadAllRepros();
// Each case watches only its own runner's process tree, sockets and temporary directories, so
// several run at once: most of a case is waiting for a run to come up and go away.
describe('stand-in runs', { concurrency: STAND_IN_AT_ONCE }, () => {
  for (const repro of repros) {
    const runs: { name: string; args: string[]; signals: readonly NodeJS.Signals[]; serves: boolean }[] = [
      ...Object.keys(repro.scenarios).map((s) => ({
        name: `${repro.slug} ${s}`,
        args: [repro.slug, s],
        signals: s === repro.defaultScenario ? (['SIGINT', 'SIGTERM', 'SIGKILL'] as const) : (['SIGINT', 'SIGKILL'] as const),
        serves: true,
      })),
      // Ctrl-C on each component alone; some of them only connect (a client, the log copier).
      ...Object.keys(repro.components ?? {}).map((c) => ({ name: `${repro.slug} component ${c}`, args: [repro.slug, c], signals: ['SIGINT'] as const, serves: false })),
    ];
    for (const { name, args, signals, serves } of runs) {
      for (const sig of signals) {
        test(`${name}: ${sig} mid-run leaves no process, listening port or temporary directory behind`, async (t) => {
          const r = await interruptMidRun(args, sig, serves);
          if (r.endedEarly && r.procs.length <= 1) {
            t.skip('a model run: it finished at once without starting a process, so there is nothing to interrupt');
            return;
          }
          assert.equal(r.endedEarly, false, `the run ended on its own (exit ${r.code}) before it could be interrupted`);
          if (serves && HAVE_PROC) assert.ok(r.listeners.length > 0, `none of its processes listened within ${UP_WITHIN_MS / 1000} s`);
          assert.deepEqual(r.leftProcs.map((p) => p.pid), [], `processes left: ${r.leftProcs.map((p) => p.pid).join(', ')}`);
          assert.deepEqual(r.leftListeners.map((l) => l.port), [], `ports still listening: ${r.leftListeners.map((l) => l.port).join(', ')}`);
          assert.deepEqual(r.leftTempDirs, [], 'temporary directories of the run left');
          assert.notEqual(r.code, null, `the runner did not exit within ${EXIT_WITHIN_MS / 1000} s`);
          if (sig !== 'SIGKILL') assert.equal(r.code, 130, 'an interrupted run exits with 130');
        });
      }
    }
  }
});

// The real tier: a private containerd, its shims (reparented to PID 1, so not in the runner's tree),
// runc, the containers, overlay and shm mounts, shim sockets under /run/containerd/s/, cgroups.
// Each run is given its own base directory (REPRO_REAL_DIR), so everything it creates can be found
// by path: processes by their command line (containerd --config, shim -address, runc --root),
// containers by the run's cgroup, mounts by mount point. Interrupted while containerd is up and the
// app serves (SIGINT), and while containerd is stopped with the app hung behind its shim (SIGTERM,
// SIGKILL); then a second real run straight after must succeed.
const REAL_UP_WITHIN_MS = 90_000;
const REAL_GONE_WITHIN_MS = 15_000;

interface RealLeft {
  procs: string[];
  mounts: string[];
  cgroups: string[];
  sockets: string[];
  dirExists: boolean;
}

function cmdlineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** The run's shim ids (its task bundles) and the sockets containerd derives for them under /run/containerd/s. */
function runShimSockets(runDir: string): string[] {
  try {
    return readdirSync(join(runDir, 'state', 'io.containerd.runtime.v2.task', CRI_NAMESPACE)).map((id) => shimSocketPath(join(runDir, 'c.sock'), CRI_NAMESPACE, id));
  } catch {
    return [];
  }
}

function realLeftovers(runDir: string, seen: Map<string, Proc>, shimSocketPaths: Set<string>): RealLeft {
  const fp = footprintOf(runDir);
  const byCmdline = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => pid !== process.pid && cmdlineOf(pid).includes(runDir))
    .map((pid) => `${pid} ${cmdlineOf(pid).slice(0, 80)}`);
  const survivors = stillRunning([...seen.values()]).map((p) => `${p.pid} (seen during the run) ${cmdlineOf(p.pid).slice(0, 80)}`);
  return {
    procs: [...new Set([...byCmdline, ...survivors])],
    mounts: runMounts(runDir),
    cgroups: runCgroups(fp.cgroupParent),
    sockets: [...shimSocketPaths].filter((s) => existsSync(s)),
    dirExists: existsSync(runDir),
  };
}

function footprintOf(runDir: string): RunFootprint {
  return { dir: runDir, socket: join(runDir, 'c.sock'), config: join(runDir, 'config.toml'), cgroupParent: `/runbook-repros-${basename(runDir)}`, namespace: CRI_NAMESPACE, createdDirs: [] };
}

function statProc(pid: number): Proc | undefined {
  const f = statFields(pid);
  return f && procOf(pid, f);
}

async function interruptRealRun(args: string[], signal: NodeJS.Signals, upWhen: RegExp): Promise<{ code: number | null; up: boolean; runDir: string | undefined; seen: number; shimSockets: number; left: RealLeft | undefined; output: string }> {
  const base = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'rr-cleanup-'));
  const shimSocketPaths = new Set<string>();
  const liveShimSockets = new Set<string>();
  const child = spawn(process.execPath, [CLI, ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, REPRO_REAL_DIR: base } });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  let code: number | null | undefined;
  const exited = new Promise<void>((resolve) => child.once('exit', (c) => ((code = c ?? -1), resolve())));
  const seen = new Map<string, Proc>();
  let runDir: string | undefined;
  const upBy = performance.now() + REAL_UP_WITHIN_MS;
  let up = false;
  while (code === undefined && performance.now() < upBy) {
    await sleep(POLL_MS);
    runDir ??= readdirSync(base).map((d) => join(base, d))[0];
    if (runDir) {
      // Everything of the run that has a pid: by command line, and the containers by cgroup.
      const pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((pid) => cmdlineOf(pid).includes(runDir as string));
      for (const cg of runCgroups(footprintOf(runDir).cgroupParent)) {
        try {
          for (const l of readFileSync(join(cg, 'cgroup.procs'), 'utf8').split('\n')) if (l.trim()) pids.push(Number(l));
        } catch {
          // removed meanwhile
        }
      }
      for (const pid of pids) {
        const p = statProc(pid);
        if (p) seen.set(`${p.pid}/${p.start}`, p);
      }
      for (const sock of runShimSockets(runDir)) {
        shimSocketPaths.add(sock);
        if (existsSync(sock)) liveShimSockets.add(sock);
      }
    }
    if (upWhen.test(output)) {
      up = true;
      break;
    }
  }
  if (code === undefined) {
    child.kill(signal);
    await within(exited, EXIT_WITHIN_MS);
  }
  let left: RealLeft | undefined;
  if (runDir) {
    const dir = runDir;
    const goneBy = performance.now() + REAL_GONE_WITHIN_MS;
    left = realLeftovers(dir, seen, shimSocketPaths);
    const clean = (l: RealLeft): boolean => !l.procs.length && !l.mounts.length && !l.cgroups.length && !l.sockets.length && !l.dirExists;
    while (!clean(left) && performance.now() < goneBy) {
      await sleep(POLL_MS);
      left = realLeftovers(dir, seen, shimSocketPaths);
    }
    // Never leave anything behind for the next test, whatever this one concludes.
    if (!clean(left)) sweep(footprintOf(dir));
  }
  try {
    rmdirSync(base);
  } catch {
    // a leftover the assertions report
  }
  return { code: code ?? null, up, runDir, seen: seen.size, shimSockets: liveShimSockets.size, left, output };
}

const CS_REAL = ['containerd-stopped', 'pipe-hang', '--tier', 'real', '--scale', '0.01'];
const realCases: { name: string; args: string[]; signal: NodeJS.Signals; when: string; upWhen: RegExp }[] = [
  { name: 'containerd-stopped pipe-hang', args: CS_REAL, signal: 'SIGINT', when: 'containerd up, the app serving', upWhen: /^Pod sandbox \w+, container/m },
  { name: 'containerd-stopped pipe-hang', args: CS_REAL, signal: 'SIGTERM', when: 'containerd stopped, the app hung behind its shim', upWhen: /^Request \d+ after the stop got no response/m },
  { name: 'containerd-stopped pipe-hang', args: CS_REAL, signal: 'SIGKILL', when: 'containerd stopped, the app hung behind its shim', upWhen: /^Request \d+ after the stop got no response/m },
  {
    name: 'crashloop-backoff chaos',
    args: ['crashloop-backoff', 'chaos', '--tier', 'real', '--scale', '0.01', '--restarts', '3'],
    signal: 'SIGKILL',
    when: 'the container restarted after a kill',
    upWhen: /Started container app \(attempt 1,/,
  },
];
for (const { name, args, signal, when, upWhen } of realCases) {
  test(`real tier, ${name}: ${signal} (${when}) leaves no containerd, shim, runc or container process, mount, cgroup or socket`, async (t) => {
    if (!realTier(t, REAL_TOOLS)) return;
    const r = await interruptRealRun(args, signal, upWhen);
    assert.ok(r.up, `the run did not reach "${upWhen.source}" (exit ${r.code}):\n${r.output.slice(-1500)}`);
    assert.ok(r.runDir, 'the run made its directory under REPRO_REAL_DIR');
    assert.ok(r.seen >= 3, `containerd, a shim and a container were seen while it ran (saw ${r.seen} processes)`);
    assert.ok(r.shimSockets >= 1, "the shim's socket was seen under /run/containerd/s where containerd's SocketAddress puts it");
    const left = r.left as RealLeft;
    assert.deepEqual(left.procs, [], 'no process of the run survives');
    assert.deepEqual(left.mounts, [], 'nothing of the run stays mounted');
    assert.deepEqual(left.cgroups, [], "the run's cgroups are removed");
    assert.deepEqual(left.sockets, [], 'no shim socket of the run stays in /run/containerd/s');
    assert.equal(left.dirExists, false, "the run's directory is removed");
    assert.notEqual(r.code, null, `the runner did not exit within ${EXIT_WITHIN_MS / 1000} s`);
    if (signal !== 'SIGKILL') assert.equal(r.code, 130, 'an interrupted run exits with 130');
  });
}

test('real tier: a run straight after the interrupted ones succeeds', async (t) => {
  if (!realTier(t, REAL_TOOLS)) return;
  const child = spawn(process.execPath, [CLI, 'containerd-stopped', 'fixed-logger', '--tier', 'real', '--scale', '0.01'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  assert.equal(code, 0, output.slice(-2000));
});

// keepalive-502's real tier runs in a user + network namespace of its own (`unshare -Urn`), which the
// kernel frees with the last process in it: once no process of the run is left, neither is its
// namespace, its addresses, its iptables rules or its conntrack table. Its run directory (nginx's
// prefix, config and logs) must be gone too, also after a SIGKILL of the runner.
const KA_REAL = repros.find((r) => r.slug === 'keepalive-502')?.scenarios.broken?.real;
const kaRunDirs = (): string[] => readdirSync(tmpdir()).filter((f) => f.startsWith('rr-keepalive-502-real-'));
for (const sig of ['SIGINT', 'SIGTERM', 'SIGKILL'] as const) {
  test(`keepalive-502 broken, real tier: ${sig} mid-run leaves no process, namespace or run directory`, async (t) => {
    assert.ok(KA_REAL, 'keepalive-502 broken has a real tier');
    if (!realTier(t, KA_REAL.tools, KA_REAL.root)) return;
    const before = new Set(kaRunDirs());
    // Its servers listen inside the namespace, out of sight of this test's /proc/net: the run counts as
    // up once it has said nginx is serving there and its process tree has settled (at real speed,
    // early in the run). Before that line, a busy machine may still be loading the process inside.
    const r = await interruptMidRun(['keepalive-502', 'broken', '--tier', 'real'], sig, false, /^nginx .* in the namespace$/m);
    assert.equal(r.endedEarly, false, `the run ended on its own (exit ${r.code}) before it could be interrupted`);
    assert.ok(r.procs.length >= 3, `the runner, its process in the namespace and nginx ran (saw ${r.procs.length} processes)`);
    assert.deepEqual(r.leftProcs.map((p) => p.pid), [], `processes left: ${r.leftProcs.map((p) => p.pid).join(', ')}`);
    assert.deepEqual(r.leftListeners.map((l) => l.port), [], `ports still listening: ${r.leftListeners.map((l) => l.port).join(', ')}`);
    let left = kaRunDirs().filter((d) => !before.has(d));
    const by = performance.now() + GONE_WITHIN_MS;
    while (left.length > 0 && performance.now() < by) {
      await sleep(POLL_MS);
      left = kaRunDirs().filter((d) => !before.has(d));
    }
    assert.deepEqual(left, [], 'the run directory is removed');
    assert.notEqual(r.code, null, `the runner did not exit within ${EXIT_WITHIN_MS / 1000} s`);
    if (sig !== 'SIGKILL') assert.equal(r.code, 130, 'an interrupted run exits with 130');
  });
}
