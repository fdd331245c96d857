// The common part of every repros/<slug>/cluster/run.ts: reads the flags (a bad one exits 2), says
// what the run needs and checks it (exit 2 naming what is missing), creates the kind cluster and
// loads the image, runs the incident's experiment, prints the report in the local repro's shape
// (report.ts; JSON with --json) and deletes the cluster unless --keep, on Ctrl-C too.
import { flagHelp, parseArgs } from '../flags.ts';
import { buildReport, reportExitCode, reportJson, reportText, type RunReport } from '../report.ts';
import { UsageError, type FlagSpec, type Flags, type ScenarioResult } from '../repro.ts';
import { imageName } from './image.ts';
import { KindCluster } from './kind.ts';
import { MissingTool, needs, preflight, type Engine } from './tools.ts';

const COMMON_CLUSTER_FLAGS: readonly FlagSpec[] = [
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

type Log = (line: string) => void;

/** Runs the experiment on kind and exits: 0 when every claim passed, 1 on a failed claim or error, 2 on bad flags or missing tools, 130 on Ctrl-C. */
export async function runOnKind(x: ClusterExperiment, argv: readonly string[] = process.argv.slice(2)): Promise<never> {
  const flags = flagsOrExit(x, argv);
  process.stderr.write(`${x.about}\n\n${needs()}\n\n`);
  const engine = engineOrExit();
  const log: Log = (line) => void process.stderr.write(line + '\n');
  const cluster = new KindCluster({
    name: `runbook-repros-${x.slug}`,
    engine,
    workers: x.workers,
    nodeImage: typeof flags['node-image'] === 'string' ? flags['node-image'] : undefined,
    log,
  });
  const release = releaseCluster(cluster, flags.keep === true, log);
  process.once('SIGINT', () => {
    log('Interrupted.');
    void release().then(() => process.exit(130));
  });
  let code: number;
  try {
    const report = await experimentReport(x, cluster, flags, log);
    if (flags.json === true) process.stdout.write(reportJson(report));
    else log(reportText(report));
    code = reportExitCode(report);
  } catch (err) {
    log(`error: ${err instanceof Error ? err.message : String(err)}`);
    code = err instanceof UsageError ? 2 : 1;
  } finally {
    await release();
  }
  return process.exit(code);
}

/** The flags, or the script exits: 2 with the problem on a bad flag or an argument, 0 after printing --help. */
function flagsOrExit(x: ClusterExperiment, argv: readonly string[]): Flags {
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
  if (flags.help === true) {
    process.stdout.write(`node repros/${x.slug}/cluster/run.ts [flags]\n\n${x.about}\n\n${needs()}\n\nFlags:\n${flagHelp(specs)}\n`);
    return process.exit(0);
  }
  return flags;
}

/** The container engine, or the script exits 2 naming the missing tools (tools.ts). */
function engineOrExit(): Engine {
  try {
    return preflight();
  } catch (err) {
    if (!(err instanceof MissingTool)) throw err;
    process.stderr.write(`Cannot run: ${err.message}\n`);
    return process.exit(2);
  }
}

/** What ends a run, however it ends: the cluster deleted, or with --keep its watches stopped and how to reach it. */
function releaseCluster(cluster: KindCluster, keep: boolean, log: Log): () => Promise<void> {
  return async () => {
    if (!keep) return cluster.delete();
    cluster.stopWatches();
    log(`Kept the cluster: kubectl --context ${cluster.context} get pods; delete it with: kind delete cluster --name ${cluster.name}`);
  };
}

/** The cluster up with the image loaded, the experiment run, and its report on the cluster tier with the API server's version. */
async function experimentReport(x: ClusterExperiment, cluster: KindCluster, flags: Flags, log: Log): Promise<RunReport> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  await cluster.ensure();
  await cluster.loadImage(x.slug, imageName(x.slug));
  const kubernetes = await cluster.serverVersion();
  const result = await x.run(cluster, flags, log);
  const scenario = typeof x.scenario === 'string' ? x.scenario : x.scenario(flags);
  return buildReport({ slug: x.slug, scenario, scale: 1, tier: 'cluster', versions: kubernetes ? { kubernetes } : undefined, startedAt, t0 }, result);
}
