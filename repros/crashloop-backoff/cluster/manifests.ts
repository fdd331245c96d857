// The crashloop-backoff incident as Kubernetes objects: the `api` Deployment with one replica, its
// app container with default liveness and readiness probes (the pod spec after the investigation's
// changes were reverted: no preStop hook, the default grace period), and a chaos-killer container
// that SIGKILLs the app every INCIDENT.killEvery seconds of run time. Built from the same constants
// as the local repro and the page.
//
//   node repros/crashloop-backoff/cluster/manifests.ts [--kill-every 210] [--image IMAGE]   prints them as YAML
import type { Deployment } from 'kubernetes-models/apps/v1';
import type { IContainer, IProbe, Service } from 'kubernetes-models/v1';
import { UsageError } from '../../lib/repro.ts';
import { APP_PORT, imageName, isMain, LISTEN_HOST_ENV, POD_LISTEN_HOST, printManifests, workload } from '../../lib/cluster/objects.ts';
import { INCIDENT } from '../claims.ts';
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
    command: ['node', APP_ENTRY, '--port', String(APP_PORT)],
    env: [{ name: LISTEN_HOST_ENV, value: POD_LISTEN_HOST }],
    ports: [{ name: 'http', containerPort: APP_PORT }],
    livenessProbe: probe,
    readinessProbe: probe,
  };
  const chaos: IContainer = {
    name: 'chaos-killer',
    image,
    imagePullPolicy,
    command: ['node', CHAOS_ENTRY, '--target', APP_ENTRY, '--kill-every', String(o.killEvery ?? INCIDENT.killEvery)],
  };
  // The chaos killer must see the app's process, and the app must not be PID 1 of its own
  // namespace, where the kernel ignores a SIGKILL sent from inside.
  const [deployment, service] = workload(NAME, 1, { shareProcessNamespace: true, restartPolicy: 'Always', containers: [app, chaos] });
  return [deployment, service as Service];
}

/** Options from `--image` and `--kill-every`. */
export function optionsFrom(args: Map<string, string>): Options {
  const image = args.get('image');
  const killEvery = args.has('kill-every') ? Number(args.get('kill-every')) : undefined;
  if (killEvery !== undefined && !(killEvery > 0)) throw new UsageError(`--kill-every must be a number of seconds above 0, got "${args.get('kill-every') ?? ''}"`);
  return { ...(image ? { image } : {}), ...(killEvery ? { killEvery } : {}) };
}

if (isMain(import.meta.url)) printManifests((args) => manifests(optionsFrom(args)));
