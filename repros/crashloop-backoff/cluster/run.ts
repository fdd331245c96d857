// Reproduce the crashloop-backoff incident on a local kind cluster: the api Deployment, an in-pod
// chaos killer, and the kubelet's real back-off (experiment.ts). Says what it needs first, and exits
// 2 naming any missing tool; the experiment and its dependencies load only once the tools are there.
//
//   node repros/crashloop-backoff/cluster/run.ts [--restarts 8] [--kill-every 210] [--keep] [--json]
import type { FlagSpec } from '../../lib/repro.ts';
import { runOnKind } from '../../lib/cluster/run-on-kind.ts';
import { INCIDENT } from '../constants.ts';
import { schedule } from '../kubelet-backoff.ts';

const FLAGS: readonly FlagSpec[] = [
  { name: 'restarts', type: 'number', description: 'how many restarts to wait for', default: String(INCIDENT.restarts), min: 1, max: 20 },
  { name: 'kill-every', type: 'number', description: 'seconds of run time before the chaos killer SIGKILLs the app', default: String(INCIDENT.killEvery), min: 5, max: 3600 },
];

const minutes = Math.round((schedule({ version: INCIDENT.version, runs: [INCIDENT.killEvery], restarts: INCIDENT.restarts }).restarts.at(-1)?.restartedAt ?? 0) / 60);

await runOnKind({
  slug: 'crashloop-backoff',
  scenario: 'chaos',
  about:
    `Runs the crashloop-backoff chaos test on a local kind cluster: the api Deployment, an in-pod chaos killer that SIGKILLs the app every ${INCIDENT.killEvery} s of run time, ` +
    `and the kubelet's real back-off, read from the pod's container statuses after each of ${INCIDENT.restarts} restarts (about ${minutes} minutes at the defaults).`,
  workers: 0,
  flags: FLAGS,
  run: async (cluster, flags, log) => (await import('./experiment.ts')).experiment(cluster, flags, log),
});
