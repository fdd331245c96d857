// A private containerd for one run of the real tier: the distribution's containerd with its own
// config under a temporary directory (root, state, sockets, runc root, CNI dirs, pod logs), never the
// system's daemon or socket. It is stopped the way `systemctl stop containerd` stops it (the unit has
// KillMode=process: SIGTERM to the daemon only; shims and containers live on) and started again with
// the same config, which re-attaches to the running shims and their log FIFOs.
//
// Recipe measured on Debian 12 with containerd 1.6.20 (FACTS section 7): the CRI plugin needs
// restrict_oom_score_adj = true where the process lacks CAP_SYS_RESOURCE (otherwise runc fails with
// "can't get final child's PID from pipe: EOF"); snapshotter overlayfs; pods with host network need
// no CNI. Everything the run creates is removed by sweep.ts, by the run itself or, after a SIGKILL of
// the runner, by a watchdog child (watchdog.ts).
import { spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep, stopwatch } from '../clock.ts';
import type { RunContext } from '../repro.ts';
import { CriClient } from '../cri/client.ts';
import type { BuiltImage } from './images.ts';
import { SHIM_SOCKET_DIR, sweep, type RunFootprint, type SweepReport } from './sweep.ts';
import { toolPath } from './tools.ts';
import { HOST } from '../net.ts';
import { emitter, EventStream, START_TIMEOUT_MS } from '../child-events.ts';
import { childArgv } from '../flags.ts';
import { WATCHDOG_FLAGS, type WatchdogCommand, type WatchdogEvent } from './watchdog-api.ts';

const WATCHDOG = fileURLToPath(new URL('./watchdog.ts', import.meta.url));
/** The namespace the CRI plugin keeps Kubernetes' containers and images in. */
export const CRI_NAMESPACE = 'k8s.io';
/** How long containerd may take to answer its first CRI call (a cold start on a busy machine is ~1 s). */
const READY_WITHIN_MS = 30_000;
/** systemd's default TimeoutStopSec before it SIGKILLs a unit that does not stop. */
const STOP_WITHIN_MS = 90_000;

export interface PrivateContainerd {
  dir: string;
  socket: string;
  /** Parent directory of the pods' CRI log directories. */
  logDir: string;
  footprint: RunFootprint;
  cri: CriClient;
  /** The daemon's pid while it runs. */
  pid(): number | undefined;
  /** The daemon's own log (stdout and stderr), for error messages. */
  daemonLog(): string;
  /** `ctr images import` of an OCI layout tar into the CRI namespace; resolves with the time it took. */
  importImage(image: BuiltImage): Promise<number>;
  /** `systemctl stop containerd`: the signal to the daemon only (KillMode=process); resolves once it exited. */
  stopDaemon(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** `systemctl start containerd`: the same binary and config again; resolves once the CRI answers. */
  startDaemon(): Promise<void>;
  /** Stops every pod through the CRI if it can, then sweeps whatever is left; idempotent. */
  close(): Promise<SweepReport>;
}

function tomlString(s: string): string {
  return JSON.stringify(s);
}

/** containerd's config: everything under `dir`, CRI plugin on, nothing shared with a system containerd. */
export function containerdConfig(dir: string, socket: string, pauseRef: string): string {
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  return [
    'version = 2',
    `root = ${tomlString(join(dir, 'root'))}`,
    `state = ${tomlString(join(dir, 'state'))}`,
    // Plugins that would touch paths outside the run (/opt/containerd) or that cannot work here;
    // none of them is on the CRI path.
    'disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs"]',
    '',
    '[grpc]',
    `  address = ${tomlString(socket)}`,
    '[ttrpc]',
    `  address = ${tomlString(`${socket}.ttrpc`)}`,
    '[debug]',
    '  level = "info"',
    '',
    `[${cri}]`,
    `  sandbox_image = ${tomlString(pauseRef)}`,
    '  restrict_oom_score_adj = true',
    '  disable_apparmor = true',
    `  stream_server_address = "${HOST}"`,
    '  stream_server_port = "0"',
    `[${cri}.containerd]`,
    '  snapshotter = "overlayfs"',
    '  default_runtime_name = "runc"',
    `[${cri}.containerd.runtimes.runc]`,
    '  runtime_type = "io.containerd.runc.v2"',
    `[${cri}.containerd.runtimes.runc.options]`,
    `  Root = ${tomlString(join(dir, 'runc'))}`,
    `[${cri}.cni]`,
    `  bin_dir = ${tomlString(join(dir, 'cni', 'bin'))}`,
    `  conf_dir = ${tomlString(join(dir, 'cni', 'conf'))}`,
    '',
  ].join('\n');
}

/**
 * Where the run's directory goes: REPRO_REAL_DIR when set (the interrupt test uses it), else
 * /dev/shm (a tmpfs) where it exists, else the temporary directory. containerd fsyncs its bolt
 * databases on every change; on a disk that other work is writing to, one fsync can take seconds, and
 * the wait lands in the timings the claims measure. Measured with another process writing to the disk:
 * the real kubelet's largest difference from the model was 426 ms with the run on disk, 47 ms in
 * /dev/shm (tolerance 250 ms). A run's state is a few megabytes and goes with the run.
 */
function runBase(): string {
  if (process.env.REPRO_REAL_DIR) return process.env.REPRO_REAL_DIR;
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

/**
 * Fills a new run's containerd root from a seeded one (seed.ts): hard links where the file systems
 * allow (content blobs and unpacked layers are never written to again), real copies of the bolt
 * databases, which containerd updates in place.
 */
export function populateRoot(seed: string, root: string): 'linked' | 'copied' {
  let how: 'linked' | 'copied' = 'linked';
  if (spawnSync('cp', ['-a', '--link', seed, root], { stdio: 'ignore' }).status !== 0) {
    rmSync(root, { recursive: true, force: true });
    const r = spawnSync('cp', ['-a', seed, root], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`cp -a ${seed} ${root}: ${r.stderr}`);
    how = 'copied';
  }
  if (how === 'linked') {
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.isFile() && e.name.endsWith('.db')) {
          copyFileSync(p, `${p}.copy`);
          renameSync(`${p}.copy`, p);
        }
      }
    };
    walk(root);
  }
  return how;
}

export interface ContainerdOptions {
  /** The pod sandbox image's reference (imported by the caller before the first pod). */
  pauseRef: string;
  /** A containerd root to start from (seed.ts: the images already imported and unpacked). */
  seedRoot?: string;
}

export async function startContainerd(ctx: RunContext, opts: ContainerdOptions): Promise<PrivateContainerd> {
  const containerdBin = toolPath('containerd');
  const ctrBin = toolPath('ctr');
  if (!containerdBin || !ctrBin) throw new Error('containerd and ctr are needed (apt-get install -y containerd)');
  const dir = mkdtempSync(join(runBase(), 'rr-ctrd-'));
  const socket = join(dir, 'c.sock');
  const config = join(dir, 'config.toml');
  const logDir = join(dir, 'pods');
  mkdirSync(logDir);
  // Directories containerd creates outside `dir` (the shims' sockets): removed afterwards only if
  // this run created them and they are empty.
  const createdDirs = ['/run/containerd', SHIM_SOCKET_DIR].filter((d) => !existsSync(d));
  const footprint: RunFootprint = { dir, socket, config, cgroupParent: `/runbook-repros-${basename(dir)}`, namespace: CRI_NAMESPACE, createdDirs };
  writeFileSync(config, containerdConfig(dir, socket, opts.pauseRef));
  const daemonLogPath = join(dir, 'containerd.log');

  // The watchdog first: from here on a SIGKILL of the runner leaves nothing behind.
  const dog = ctx.procs.spawnNode(WATCHDOG, childArgv(WATCHDOG_FLAGS, { footprint: JSON.stringify(footprint) }), { stdio: ['pipe', 'pipe', 'inherit'] });
  const tellDog = emitter<WatchdogCommand>(dog.child.stdin!);
  dog.child.stdin!.on('error', () => undefined);
  await Promise.race([
    new EventStream<WatchdogEvent>(dog.child.stdout).waitFor('the containerd watchdog to be ready', (e) => e.ev === 'ready', { timeoutMs: START_TIMEOUT_MS, signal: ctx.signal }),
    dog.exited.then((e) => {
      throw new Error(`the containerd watchdog exited (code ${e.code}) before it was ready`);
    }),
  ]);

  let daemon: ChildProcess | undefined;
  let daemonExited: Promise<unknown> = Promise.resolve();
  const cri = new CriClient(socket, 10_000);

  const daemonLog = (): string => {
    try {
      return readFileSync(daemonLogPath, 'utf8');
    } catch {
      return '';
    }
  };

  const startDaemon = async (): Promise<void> => {
    const fd = openSync(daemonLogPath, 'a');
    // Its own process group: a terminal's Ctrl-C reaches the runner, which stops containerd itself.
    const d = ctx.procs.spawn(containerdBin, ['--config', config], { stdio: ['ignore', fd, fd], detached: true });
    closeSync(fd);
    daemon = d.child;
    daemonExited = d.exited;
    let exited = false;
    void d.exited.then(() => (exited = true));
    const elapsed = stopwatch();
    for (;;) {
      ctx.signal.throwIfAborted();
      if (exited) throw new Error(`containerd exited at start:\n${daemonLog().split('\n').slice(-15).join('\n')}`);
      try {
        const ready = await cri.status(2000);
        if (ready.RuntimeReady) return;
      } catch (err) {
        // UNAVAILABLE: not listening yet. UNIMPLEMENTED: up, but the CRI plugin failed to load.
        if ((err as { code?: string }).code === 'UNIMPLEMENTED') {
          const why = daemonLog().split('\n').filter((l) => /level=(error|warning|fatal).*cri/.test(l));
          throw new Error(`containerd runs without its CRI plugin:\n${why.join('\n')}`);
        }
      }
      if (elapsed() > READY_WITHIN_MS) throw new Error(`containerd did not answer CRI Status within ${READY_WITHIN_MS / 1000} s:\n${daemonLog().slice(-2000)}`);
      await sleep(50, ctx.signal);
    }
  };

  const stopDaemon = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> => {
    const d = daemon;
    if (!d || d.exitCode !== null || d.signalCode !== null) return;
    d.kill(signal);
    const t = setTimeout(() => d.kill('SIGKILL'), STOP_WITHIN_MS);
    await daemonExited;
    clearTimeout(t);
    daemon = undefined;
  };

  let closed: SweepReport | undefined;
  const close = async (): Promise<SweepReport> => {
    if (closed) return closed;
    // The kubelet's way first (stop and remove every sandbox), when containerd is up and the run was
    // not interrupted; then the sweep, which finds whatever is left by itself.
    if (!ctx.signal.aborted && daemon && daemon.exitCode === null) {
      try {
        for (const s of await cri.listPodSandbox()) {
          await cri.stopPodSandbox(s.id, 10_000);
          await cri.removePodSandbox(s.id, 10_000);
        }
      } catch {
        // the sweep below handles it
      }
    }
    cri.close();
    closed = sweep(footprint);
    if (dog.child.exitCode === null && dog.child.signalCode === null && dog.child.stdin?.writable) tellDog({ ev: 'done' });
    await dog.exited;
    if (closed.problems.length) throw new Error(`cleaning up the private containerd: ${closed.problems.join('; ')}`);
    return closed;
  };

  const importImage = async (image: BuiltImage): Promise<number> => {
    const elapsed = stopwatch();
    const p = ctx.procs.spawn(ctrBin, ['-a', socket, '-n', CRI_NAMESPACE, 'images', 'import', image.tar], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    p.child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    const e = await p.exited;
    if (e.code !== 0) throw new Error(`ctr images import ${image.tar} failed (exit ${e.code ?? e.signal}): ${out.trim()}`);
    return elapsed();
  };

  const handle: PrivateContainerd = {
    dir,
    socket,
    logDir,
    footprint,
    cri,
    pid: () => (daemon && daemon.exitCode === null ? daemon.pid : undefined),
    daemonLog,
    importImage,
    stopDaemon,
    startDaemon,
    close,
  };
  if (opts.seedRoot) populateRoot(opts.seedRoot, join(dir, 'root'));
  // Interrupted (Ctrl-C, SIGTERM): clean up at once, wherever the scenario is waiting.
  ctx.signal.addEventListener('abort', () => void close().catch(() => undefined), { once: true });
  try {
    await startDaemon();
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
  return handle;
}
