// What the three "reproduce on a cluster" run scripts share: the tools they need on PATH, a local
// kind cluster that the script itself created (kubectl is always pointed at that cluster's context,
// never at the current one), the repro's image built from the repository root and loaded into the
// nodes, and watches that time what `kubectl get -w` and `kubectl logs -f` print.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { stringify } from 'yaml';
import { evaluate } from '../claims.ts';
import { waitFor } from '../clock.ts';
import { flagHelp, parseArgs } from '../flags.ts';
import { UsageError, type FlagSpec, type Flags, type ScenarioResult } from '../repro.ts';
import { HOST_PATTERN } from '../address.ts';

/** The repository root: every image is built from here (the Containerfiles copy repros/). */
export const ROOT = resolve(import.meta.dirname, '..', '..', '..');

export type Engine = 'docker' | 'podman';

interface Tool {
  name: string;
  why: string;
  install: string;
}

const KIND: Tool = {
  name: 'kind',
  why: 'creates the local Kubernetes cluster, one container per node',
  install: 'https://kind.sigs.k8s.io/docs/user/quick-start/#installation (a release binary, or `go install sigs.k8s.io/kind@latest`)',
};
const KUBECTL: Tool = {
  name: 'kubectl',
  why: 'applies the manifests and watches pods and EndpointSlices',
  install: 'https://kubernetes.io/docs/tasks/tools/#kubectl',
};
const ENGINE: Tool = {
  name: 'docker or podman',
  why: 'builds the image and runs the kind nodes',
  install: 'https://docs.docker.com/engine/install/ or https://podman.io/docs/installation',
};

/** The tools a cluster run needs, in the words printed before anything starts. */
export function needs(extra: readonly string[] = []): string {
  return [
    'This runs the experiment on a local kind cluster that it creates on this machine. It needs:',
    ...[KIND, KUBECTL, ENGINE].map((t) => `  ${t.name.padEnd(17)} ${t.why}`),
    ...extra.map((e) => `  ${e}`),
    'Apart from pulling the kindest/node and node:22-slim images the first time, nothing leaves this machine:',
    'every kubectl call names the kind cluster\'s own context.',
  ].join('\n');
}

/** The full path of an executable on PATH, or undefined. */
export function onPath(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

/** Thrown when a tool is missing or unusable: the script prints the message and exits 2. */
export class MissingTool extends Error {
  override name = 'MissingTool';
}

/** Checks kind, kubectl and a container engine that answers; throws MissingTool naming what is missing. */
export function preflight(): Engine {
  const missing: Tool[] = [];
  if (!onPath('kind')) missing.push(KIND);
  if (!onPath('kubectl')) missing.push(KUBECTL);
  const engine: Engine | undefined = onPath('docker') ? 'docker' : onPath('podman') ? 'podman' : undefined;
  if (!engine) missing.push(ENGINE);
  if (missing.length > 0) {
    throw new MissingTool(
      `missing: ${missing.map((t) => t.name).join(', ')}\n` + missing.map((t) => `  ${t.name}: ${t.why}. Install: ${t.install}`).join('\n'),
    );
  }
  const info = spawnSync(engine as Engine, ['info'], { encoding: 'utf8', timeout: 30_000 });
  if (info.status !== 0) {
    throw new MissingTool(`${engine} is installed but does not answer (\`${engine} info\` failed): start its daemon or service.\n${(info.stderr ?? '').trim().split('\n').slice(0, 3).join('\n')}`);
  }
  return engine as Engine;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; rejects with its stderr unless allowFail. */
export function run(cmd: string, args: readonly string[], opts: { allowFail?: boolean; input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = opts.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const r = { code: code ?? 1, stdout, stderr };
      if (r.code !== 0 && !opts.allowFail) reject(new Error(`${cmd} ${args.join(' ')} failed (exit ${r.code}): ${stderr.trim() || stdout.trim()}`));
      else resolvePromise(r);
    });
    if (child.stdin) {
      // A command that exits without reading its input makes the write fail with EPIPE; its exit
      // code says what happened.
      child.stdin.on('error', () => undefined);
      child.stdin.end(opts.input);
    }
  });
}

/** One line a watch printed, with the wall-clock time (ms) it arrived. */
export interface WatchLine {
  t: number;
  line: string;
}

export interface Watch {
  lines: WatchLine[];
  stop(): void;
}

export interface KindClusterOptions {
  name: string;
  engine: Engine;
  /** kind node config: how many workers besides the control plane. */
  workers: number;
  /** kindest/node image (picks the Kubernetes version), or kind's default. */
  nodeImage?: string | undefined;
  log(line: string): void;
}

/** A kind cluster that this script created (or created on an earlier run with --keep). */
export class KindCluster {
  readonly name: string;
  readonly context: string;
  readonly engine: Engine;
  private readonly opts: KindClusterOptions;
  private readonly watches: ChildProcess[] = [];

  constructor(opts: KindClusterOptions) {
    if (!/^[a-z0-9][a-z0-9-]{0,40}$/.test(opts.name)) throw new UsageError(`cluster name "${opts.name}" must be lower-case letters, digits and dashes`);
    this.opts = opts;
    this.name = opts.name;
    this.context = `kind-${opts.name}`;
    this.engine = opts.engine;
  }

  /** Creates the cluster unless kind already has one of this name; checks that its API server is local. */
  async ensure(): Promise<void> {
    const env = this.engine === 'podman' ? { KIND_EXPERIMENTAL_PROVIDER: 'podman' } : {};
    Object.assign(process.env, env);
    const existing = (await run('kind', ['get', 'clusters'])).stdout.split('\n').map((s) => s.trim());
    if (existing.includes(this.name)) this.opts.log(`Using the existing kind cluster ${this.name} (kept by an earlier --keep; --node-image does not change it).`);
    else {
      const config = stringify({
        kind: 'Cluster',
        apiVersion: 'kind.x-k8s.io/v1alpha4',
        nodes: [{ role: 'control-plane' }, ...Array.from({ length: this.opts.workers }, () => ({ role: 'worker' }))],
      });
      this.opts.log(`Creating the kind cluster ${this.name} (${1 + this.opts.workers} node${this.opts.workers ? 's' : ''}); this takes a minute or two.`);
      await run('kind', ['create', 'cluster', '--name', this.name, '--config', '-', '--wait', '120s', ...(this.opts.nodeImage ? ['--image', this.opts.nodeImage] : [])], { input: config });
    }
    const server = (await run('kubectl', ['config', 'view', '-o', `jsonpath={.clusters[?(@.name=="${this.context}")].cluster.server}`])).stdout.trim();
    if (!new RegExp(`^https://(${HOST_PATTERN}|localhost|\\[::1\\]):\\d+$`).test(server)) {
      throw new Error(`the context ${this.context} points at "${server}", not at a kind cluster on this machine; refusing to use it`);
    }
  }

  /**
   * Builds the repro's image and loads it into every node. The build context holds only what the
   * Containerfiles copy (package.json and repros/), whatever the engine makes of ignore files.
   */
  async loadImage(slug: string, image: string): Promise<void> {
    this.opts.log(`Building ${image} from repros/${slug}/cluster/Containerfile.`);
    const dir = mkdtempSync(join(tmpdir(), 'kind-image-'));
    try {
      const context = join(dir, 'context');
      for (const p of ['package.json', 'repros']) cpSync(join(ROOT, p), join(context, p), { recursive: true });
      await run(this.engine, ['build', '-f', join(context, 'repros', slug, 'cluster', 'Containerfile'), '-t', image, context]);
      const tar = join(dir, 'image.tar');
      await run(this.engine, ['save', '-o', tar, image]);
      await run('kind', ['load', 'image-archive', tar, '--name', this.name]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
    const dir = mkdtempSync(join(tmpdir(), 'manifests-'));
    try {
      const file = join(dir, 'manifests.yaml');
      writeFileSync(file, yaml);
      await this.kubectl(['delete', '-f', file, '--ignore-not-found', '--wait=true', '--timeout=120s']);
      await this.kubectl(['apply', '-f', file]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** A command inside a node container, as `docker exec <node> ...`. */
  nodeExec(node: string, args: readonly string[], opts: { allowFail?: boolean; timeoutMs?: number } = {}): Promise<RunResult> {
    return run(this.engine, ['exec', node, ...args], opts);
  }

  /** `kubectl ... -w` (or any long-running kubectl), every line timed and optionally narrated. */
  watch(args: readonly string[], onLine: (l: WatchLine) => void = () => undefined): Watch {
    const child = spawn('kubectl', ['--context', this.context, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
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

  async delete(): Promise<void> {
    this.stopWatches();
    this.opts.log(`Deleting the kind cluster ${this.name}.`);
    await run('kind', ['delete', 'cluster', '--name', this.name], { allowFail: true });
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

export const COMMON_CLUSTER_FLAGS: readonly FlagSpec[] = [
  { name: 'keep', type: 'boolean', description: 'keep the kind cluster afterwards (a later run reuses it)' },
  { name: 'json', type: 'boolean', description: 'print the report as JSON on stdout, in the shape of `npm run repro -- <slug> --json`' },
  { name: 'node-image', type: 'string', description: 'kindest/node image, to pick the Kubernetes version (e.g. kindest/node:v1.31.4)' },
  { name: 'help', type: 'boolean', description: 'show this help' },
];

export interface ClusterExperiment {
  slug: string;
  /** The local scenario whose observations this run records in the same shape (it may depend on the flags). */
  scenario: string | ((flags: Flags) => string);
  /** What the run does and how long it takes, printed first. */
  about: string;
  workers: number;
  flags: readonly FlagSpec[];
  run(cluster: KindCluster, flags: Flags, log: (line: string) => void): Promise<ScenarioResult>;
}

/**
 * The common part of every run script: prints what it needs, checks the tools (exit 2 naming what is
 * missing), creates the cluster and loads the image, runs the experiment, prints the report (the
 * local repro's --json shape with --json), and deletes the cluster unless --keep. Bad flags exit 2.
 */
export async function runOnKind(x: ClusterExperiment, argv: readonly string[] = process.argv.slice(2)): Promise<never> {
  const specs = [...x.flags, ...COMMON_CLUSTER_FLAGS];
  let flags: Flags;
  try {
    const parsed = parseArgs(argv, specs);
    if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument "${parsed.positionals[0]}"; this script takes flags only`);
    flags = parsed.values;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`error: ${err.message}\n`);
    return process.exit(2);
  }
  const usage = `node repros/${x.slug}/cluster/run.ts [flags]\n\n${x.about}\n\n${needs()}\n\nFlags:\n${flagHelp(specs)}\n`;
  if (flags.help === true) {
    process.stdout.write(usage);
    return process.exit(0);
  }
  process.stderr.write(`${x.about}\n\n${needs()}\n\n`);
  let engine: Engine;
  try {
    engine = preflight();
  } catch (err) {
    if (!(err instanceof MissingTool)) throw err;
    process.stderr.write(`Cannot run: ${err.message}\n`);
    return process.exit(2);
  }
  const log = (line: string): void => void process.stderr.write(line + '\n');
  const cluster = new KindCluster({
    name: `runbook-repros-${x.slug}`,
    engine,
    workers: x.workers,
    nodeImage: typeof flags['node-image'] === 'string' ? flags['node-image'] : undefined,
    log,
  });
  const keep = flags.keep === true;
  const cleanup = async (): Promise<void> => {
    if (keep) {
      cluster.stopWatches();
      log(`Kept the cluster: kubectl --context ${cluster.context} get pods; delete it with: kind delete cluster --name ${cluster.name}`);
    } else await cluster.delete();
  };
  process.once('SIGINT', () => {
    log('Interrupted.');
    void cleanup().then(() => process.exit(130));
  });
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  let code = 0;
  try {
    await cluster.ensure();
    await cluster.loadImage(x.slug, imageName(x.slug));
    const version = JSON.parse((await cluster.kubectl(['version', '-o', 'json'])).stdout) as { serverVersion?: { gitVersion?: string } };
    const r = await x.run(cluster, flags, log);
    const results = r.checks.map(evaluate);
    const report = {
      slug: x.slug,
      scenario: typeof x.scenario === 'string' ? x.scenario : x.scenario(flags),
      scale: 1,
      startedAt,
      durationMs: Math.round(performance.now() - t0),
      cluster: { kind: cluster.name, kubernetes: version.serverVersion?.gitVersion ?? null },
      observations: r.observations,
      results,
    };
    if (flags.json === true) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    else {
      log('');
      for (const res of results) log(`${res.pass ? 'PASS' : 'FAIL'}  ${res.id}: ${res.detail}`);
    }
    code = results.every((res) => res.pass) ? 0 : 1;
  } catch (err) {
    if (err instanceof UsageError) {
      log(`error: ${err.message}`);
      code = 2;
    } else {
      log(`error: ${err instanceof Error ? err.message : String(err)}`);
      code = 1;
    }
  } finally {
    await cleanup();
  }
  return process.exit(code);
}

/** The image each repro runs as in the cluster (built locally, loaded into the nodes, never pulled). */
export function imageName(slug: string): string {
  return `localhost/runbook-repros/${slug}:dev`;
}
