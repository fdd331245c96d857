// The containerd-stopped incident as Kubernetes objects: the `orders` Deployment running the app with
// its synchronous stdout logger, a Service whose EndpointSlice shows whether the pod still gets
// traffic, and the readiness probe in three variants: tcpSocket (the incident's), exec, and httpGet
// on a path that goes through the logging middleware (the fix). Tolerations are the defaults the
// admission plugin adds (300 s), or the short ones the page recommends. Built from the same
// constants as the local repro and the page.
//
//   node repros/containerd-stopped/cluster/manifests.ts [--probe tcp|exec|http] [--tolerations default|short] [--image IMAGE]
import type { Deployment } from 'kubernetes-models/apps/v1';
import type { IContainer, IProbe, Service } from 'kubernetes-models/v1';
import { childArgv, childFlags, type ChildValues } from '../../lib/flags.ts';
import { APP_FLAGS } from '../children.ts';
import { PROBE_TIMEOUT_MS, RUN, SHORT_TOLERATION_S } from '../constants.ts';
import { defaultTolerations } from '../cluster.ts';
import { PROBE_VARIANTS, TOLERATION_VARIANTS, type ProbeVariant, type TolerationVariant } from './variants.ts';
import { APP_PORT, IMAGE_FLAG, imageName, isMain, LISTEN_HOST_ENV, POD_LISTEN_HOST, printManifests, workload } from '../../lib/cluster/objects.ts';
import { HOST } from '../../lib/address.ts';

export { PROBE_VARIANTS, TOLERATION_VARIANTS };
export const SLUG = 'containerd-stopped';
export const NAME = 'orders';
export const APP_ENTRY = 'repros/containerd-stopped/app.ts';
export const HEALTH_PATH = '/healthz';


/** The probe's timeout: the kubelet's default timeoutSeconds, as the local repro probes with. */
export const PROBE_TIMEOUT_S = PROBE_TIMEOUT_MS / 1000;

export function readinessProbe(variant: ProbeVariant): IProbe {
  const timing = { timeoutSeconds: PROBE_TIMEOUT_S, periodSeconds: 10, failureThreshold: 3 };
  if (variant === 'tcp') return { tcpSocket: { port: APP_PORT }, ...timing };
  if (variant === 'http') return { httpGet: { path: HEALTH_PATH, port: APP_PORT }, ...timing };
  // The exec variant asks the same question as httpGet, from inside the container: it needs the
  // runtime to start a process, so it cannot run at all while containerd is down.
  const script =
    `fetch('http://${HOST}:${APP_PORT}${HEALTH_PATH}', { signal: AbortSignal.timeout(${PROBE_TIMEOUT_MS}) })` +
    '.then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))';
  return { exec: { command: ['node', '-e', script] }, ...timing };
}

export interface Options {
  probe?: ProbeVariant;
  tolerations?: TolerationVariant;
  image?: string;
}

export function manifests(o: Options = {}): [Deployment, Service] {
  const app: IContainer = {
    name: 'app',
    image: o.image ?? imageName(SLUG),
    // A locally built image is loaded into the kind nodes and must never be pulled from anywhere.
    imagePullPolicy: o.image === undefined ? 'Never' : 'IfNotPresent',
    command: ['node', APP_ENTRY, ...childArgv(APP_FLAGS, { port: APP_PORT, logger: 'sync', 'line-bytes': RUN.lineBytes })],
    env: [{ name: LISTEN_HOST_ENV, value: POD_LISTEN_HOST }],
    ports: [{ name: 'http', containerPort: APP_PORT }],
    readinessProbe: readinessProbe(o.probe ?? 'tcp'),
  };
  const [deployment, service] = workload(NAME, 1, {
    containers: [app],
    // Unset, the DefaultTolerationSeconds admission plugin adds 300 s for not-ready and
    // unreachable; the short variant is the page's recommendation for stateless pods.
    ...(o.tolerations === 'short' ? { tolerations: defaultTolerations(SHORT_TOLERATION_S) } : {}),
  });
  return [deployment, service as Service];
}

export const MANIFEST_FLAGS = childFlags([
  { name: 'probe', type: 'string', choices: PROBE_VARIANTS, description: 'the readiness probe (default: tcp, the incident\'s)' },
  { name: 'tolerations', type: 'string', choices: TOLERATION_VARIANTS, description: 'the pod\'s not-ready/unreachable tolerations (default: the admission plugin\'s)' },
  IMAGE_FLAG,
] as const);

/** Options from `--probe`, `--tolerations` and `--image`. */
export function optionsFrom(args: ChildValues<typeof MANIFEST_FLAGS>): Options {
  const { probe, tolerations, image } = args;
  return { ...(probe ? { probe } : {}), ...(tolerations ? { tolerations } : {}), ...(image ? { image } : {}) };
}

if (isMain(import.meta.url)) printManifests(MANIFEST_FLAGS, (args) => manifests(optionsFrom(args)));
