// The crashloop-backoff incident as Kubernetes objects: the `api` Deployment with one replica, its
// app container with default liveness and readiness probes (the pod spec after the investigation's
// changes were reverted: no preStop hook, the default grace period), and a chaos-killer container
// that SIGKILLs the app every INCIDENT.killEvery seconds of run time. Built from the same constants
// as the local repro and the page.
//
//   node repros/crashloop-backoff/cluster/manifests.ts [--kill-every 210] [--image IMAGE]   prints them as YAML
import type { Deployment } from 'kubernetes-models/apps/v1';
import type { IContainer, IProbe, Service } from 'kubernetes-models/v1';
import { childArgv, childFlags, type ChildValues } from '../../lib/flags.ts';
import { APP_FLAGS, KILL_EVERY_FLAG, POD_CHAOS_FLAGS } from '../children.ts';
import { APP_PORT, IMAGE_FLAG, imageName, isMain, LISTEN_HOST_ENV, POD_LISTEN_HOST, printManifests, workload } from '../../lib/cluster/objects.ts';
import { INCIDENT } from '../constants.ts';
import { CONTAINER } from '../kubectl-format.ts';
import { LIVENESS_PROBE } from '../kubelet.ts';

export const SLUG = 'crashloop-backoff';
export const NAME = 'api';
export const APP_ENTRY = 'repros/crashloop-backoff/app.ts';
export const CHAOS_ENTRY = 'repros/crashloop-backoff/cluster/pod-chaos-killer.ts';

/** The mini kubelet's liveness probe settings (kubelet.ts), so the cluster probes the same way. */
export const PROBE = LIVENESS_PROBE;
export const HEALTH_PATH = '/healthz';

export interface Options {
  image?: string;
  killEvery?: number;
}

export function manifests(o: Options = {}): [Deployment, Service] {
  const image = o.image ?? imageName(SLUG);
  // A locally built image is loaded into the kind nodes and must never be pulled from anywhere.
  const imagePullPolicy = o.image === undefined ? 'Never' : 'IfNotPresent';
  const probe: IProbe = { httpGet: { path: HEALTH_PATH, port: APP_PORT }, ...PROBE };
  const app: IContainer = {
    name: CONTAINER,
    image,
    imagePullPolicy,
    command: ['node', APP_ENTRY, ...childArgv(APP_FLAGS, { port: APP_PORT })],
    env: [{ name: LISTEN_HOST_ENV, value: POD_LISTEN_HOST }],
    ports: [{ name: 'http', containerPort: APP_PORT }],
    livenessProbe: probe,
    readinessProbe: probe,
  };
  const chaos: IContainer = {
    name: 'chaos-killer',
    image,
    imagePullPolicy,
    command: ['node', CHAOS_ENTRY, ...childArgv(POD_CHAOS_FLAGS, { target: APP_ENTRY, 'kill-every': o.killEvery ?? INCIDENT.killEvery })],
  };
  // The chaos killer must see the app's process, and the app must not be PID 1 of its own
  // namespace, where the kernel ignores a SIGKILL sent from inside.
  const [deployment, service] = workload(NAME, 1, { shareProcessNamespace: true, restartPolicy: 'Always', containers: [app, chaos] });
  return [deployment, service as Service];
}

export const MANIFEST_FLAGS = childFlags([
  IMAGE_FLAG,
  { ...KILL_EVERY_FLAG, description: `${KILL_EVERY_FLAG.description} (default: the incident's, ${INCIDENT.killEvery})` },
] as const);

/** Options from `--image` and `--kill-every`. */
export function optionsFrom(args: ChildValues<typeof MANIFEST_FLAGS>): Options {
  return { ...(args.image ? { image: args.image } : {}), ...(args['kill-every'] ? { killEvery: args['kill-every'] } : {}) };
}

if (isMain(import.meta.url)) printManifests(MANIFEST_FLAGS, (args) => manifests(optionsFrom(args)));
