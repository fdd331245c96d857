// Reproduce the keepalive-502 incident on a local kind cluster: the app behind a NodePort Service,
// the gateway and the incident's client, and one pod deletion (experiment.ts). Says what it needs
// first, and exits 2 naming any missing tool; the experiment and its dependencies load only once the
// tools are there.
//
//   node repros/keepalive-502/cluster/run.ts [--scenario broken|fixed|single-replica] [--keep] [--json]
import type { FlagSpec } from '../../lib/repro.ts';
import { runOnKind } from '../../lib/cluster/run-on-kind.ts';
import { REAL } from '../constants.ts';
import { CLUSTER_SCENARIOS } from './variants.ts';

const FLAGS: readonly FlagSpec[] = [
  { name: 'scenario', type: 'string', choices: CLUSTER_SCENARIOS, description: 'which local scenario to run on the cluster', default: 'broken' },
];

await runOnKind({
  slug: 'keepalive-502',
  scenario: (flags) => (typeof flags.scenario === 'string' ? flags.scenario : 'broken'),
  about:
    'Runs the keepalive-502 experiment on a local kind cluster: the app behind a NodePort Service, the gateway with that one address as its upstream, ' +
    `the incident's client, and one pod deletion with the incident's preStop (${REAL.preStopS} s) and grace period (${REAL.graceS} s). About two minutes plus the cluster creation.`,
  workers: 0,
  flags: FLAGS,
  run: async (cluster, flags, log) => (await import('./experiment.ts')).experiment(cluster, flags, log),
});
