// Reproduce the containerd-stopped incident on a local kind cluster (a control plane and one worker):
// stop containerd under the app and watch the app, the node, the pod and its EndpointSlice
// (experiment.ts). Says what it needs first, and exits 2 naming any missing tool; the experiment and
// its dependencies load only once the tools are there.
//
//   node repros/containerd-stopped/cluster/run.ts [--probe tcp|exec|http] [--tolerations default|short] [--hold 420] [--keep] [--json]
import type { FlagSpec } from '../../lib/repro.ts';
import { DEFAULT_TOLERATION_SECONDS } from '../cluster.ts';
import { runOnKind } from '../../lib/cluster/run-on-kind.ts';
import { CLUSTER_HOLD_S } from '../constants.ts';
import { PROBE_VARIANTS, TOLERATION_VARIANTS } from './variants.ts';

const FLAGS: readonly FlagSpec[] = [
  { name: 'probe', type: 'string', choices: PROBE_VARIANTS, description: 'readiness probe: tcpSocket (the incident), exec, or httpGet through the logging path', default: 'tcp' },
  { name: 'tolerations', type: 'string', choices: TOLERATION_VARIANTS, description: `not-ready/unreachable tolerations: the ${DEFAULT_TOLERATION_SECONDS} s defaults, or the short ones the page recommends`, default: 'default' },
  { name: 'hold', type: 'number', description: 'seconds to keep containerd stopped', default: String(CLUSTER_HOLD_S), min: 10, max: 3600 },
];

await runOnKind({
  slug: 'containerd-stopped',
  scenario: 'pipe-hang',
  about:
    'Runs the containerd-stopped experiment on a local kind cluster (a control plane and one worker): the orders app with its synchronous logger on the worker, ' +
    `systemctl stop containerd inside the worker, requests until the app hangs, and ${CLUSTER_HOLD_S} s of watching the node, the pod and its EndpointSlice ` +
    'before containerd starts again (a few minutes more for the setup and the audit, plus the cluster creation).',
  workers: 1,
  flags: FLAGS,
  run: async (cluster, flags, log) => (await import('./experiment.ts')).experiment(cluster, flags, log),
});
