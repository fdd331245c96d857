// CrashLoopBackOff under a chaos test: a mini kubelet restarts a real app that a chaos killer
// SIGKILLs every 210 s of run time, with the kubelet's own back-off code deciding when.
// This module describes the repro; its scenarios and components load on first run (lazy), so the
// registry and the site read it without loading process code.
import { lazy, type FlagSpec, type Repro } from '../lib/repro.ts';
import { CRI_NODE_TOOLS as REAL_TOOLS } from '../lib/tiers.ts';
import { claims } from './claims.ts';
import { INCIDENT } from './constants.ts';
import { schedule, VERSIONS, waits, type K8sVersion, type KubeletSettings } from './kubelet-backoff.ts';
import { SOURCE_FILES } from './page.ts';

export const DEFAULT_KILL_EVERY = INCIDENT.killEvery;
export const DEFAULT_RESTARTS = INCIDENT.restarts;
export const DEFAULT_VERSION: K8sVersion = INCIDENT.version;

export const FLAGS: readonly FlagSpec[] = [
  { name: 'kill-every', type: 'number', description: 'seconds of run time before the chaos killer SIGKILLs the app', default: String(DEFAULT_KILL_EVERY), min: 0.1, max: 86400 },
  { name: 'runs', type: 'list', description: 'run time of each container instance in seconds (the last repeats); overrides --kill-every', min: 0.1, max: 86400 },
  { name: 'restarts', type: 'number', description: 'how many restarts to run', default: String(DEFAULT_RESTARTS), min: 1, max: 100 },
  { name: 'version', type: 'string', description: 'Kubernetes version of the kubelet', choices: VERSIONS, default: DEFAULT_VERSION },
  { name: 'feature-gates', type: 'list', description: 'kubelet feature gates, e.g. ReduceDefaultCrashLoopBackOffDecay=true' },
  { name: 'max-restart-period', type: 'number', description: 'crashLoopBackOff.maxContainerRestartPeriod in seconds (needs KubeletCrashLoopBackOffMax)', min: 1, max: 300 },
  { name: 'retry-granularity', type: 'boolean', description: 'draw the jitter upstream leaves open (PLEG up to 1 s, the pod worker\'s retry: 10-15 s before 1.35, up to 1.5 x the remaining back-off on 1.35) from --seed, instead of the earliest retry' },
  { name: 'seed', type: 'number', description: 'seed for the jitter of --retry-granularity', default: '1', min: 0, max: 4294967295 },
  { name: 'simulate', type: 'boolean', description: 'compute the schedule from the model alone, without starting processes (instant)' },
];

const scenarios = () => import('./scenarios.ts');
const realTier = () => Promise.all([import('./scenarios.ts'), import('./real/scenario.ts')]);

export const repro: Repro = {
  slug: 'crashloop-backoff',
  title: 'CrashLoopBackOff under a chaos test',
  description: 'A mini kubelet with the kubelet\'s own back-off code restarts a real app that a chaos killer SIGKILLs every 210 s.',
  defaultScenario: 'chaos',
  scenarios: {
    chaos: {
      description: 'Start the app, let the chaos killer SIGKILL it on schedule, restart it as the kubelet would and compare every wait with the model (--simulate: model only).',
      run: lazy(scenarios, (m) => m.chaos),
      real: {
        description: 'the same loop with real containers: containerd + runc through the CRI, exit code and finishedAt from ContainerStatus',
        tools: REAL_TOOLS,
        root: true,
        run: lazy(realTier, ([m, real]) => (ctx) => real.realChaos(ctx, m.inputFromFlags(ctx.flags))),
      },
    },
    model: {
      description: 'Check every claim about the back-off model at once (instant, no processes).',
      run: lazy(scenarios, (m) => m.model),
    },
  },
  components: {
    app: {
      description: 'The app alone: an HTTP server with /healthz, as one container instance (kill it with kill -9 to see what the chaos killer does).',
      start: lazy(scenarios, (m) => m.appAlone),
    },
  },
  flags: FLAGS,
  claims,
  sourceFiles: SOURCE_FILES,
  expectedOutput: expectedOutput(),
};

function expectedOutput(): string {
  const s = schedule({ version: DEFAULT_VERSION, runs: [DEFAULT_KILL_EVERY], restarts: DEFAULT_RESTARTS });
  const minutes = Math.round((s.restarts.at(-1)?.restartedAt ?? 0) / 60);
  return [
    `kubectl-style pod rows and BackOff events for about ${minutes} minutes,`,
    `then a table of the ${DEFAULT_RESTARTS} restarts with waits of ${waits(s).join(', ')} s,`,
    'each next to the model\'s value and the difference in ms; then the claims, PASS or FAIL.',
  ].join('\n');
}

export type { KubeletSettings };
