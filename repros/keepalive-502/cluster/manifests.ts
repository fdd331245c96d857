// The keepalive-502 incident as Kubernetes objects: the app Deployment with the incident's preStop
// hook (sleep, then ok.htm?down=true) and grace period, a NodePort Service standing in for the cloud
// load balancer (it forwards to kube-proxy's NodePort the same way), the gateway with that one
// address as its only upstream, and the incident's client. Built from the same constants as the
// local repro and the page (constants.ts, graceful-shutdown.ts).
//
//   node repros/keepalive-502/cluster/manifests.ts [--fix] [--replicas 2] [--image IMAGE]
import type { Deployment } from 'kubernetes-models/apps/v1';
import { Pod, Service, type IContainer, type IEnvVar } from 'kubernetes-models/v1';
import { childArgv, childFlags, type ChildValues } from '../../lib/flags.ts';
import { UsageError } from '../../lib/repro.ts';
import { CLIENT_FLAGS, GATEWAY_FLAGS, POD_FLAGS } from '../children.ts';
import { APP_PORT, IMAGE_FLAG, imageName, isMain, LISTEN_HOST_ENV, POD_LISTEN_HOST, printManifests, workload } from '../../lib/cluster/objects.ts';
import { OK_PAGE } from '../graceful-shutdown.ts';
import { KEEPALIVE_TIMEOUT_MS, REAL } from '../constants.ts';
import { HOST } from '../../lib/address.ts';

export const SLUG = 'keepalive-502';
export const APP = 'app';
export const GATEWAY = 'gateway';
export const CLIENT = 'client';
/** The Service's node port: the "load balancer" address is <node IP>:NODE_PORT. */
export const NODE_PORT = 30080;
export const ENTRY = {
  pod: 'repros/keepalive-502/pod.ts',
  gateway: 'repros/keepalive-502/incident-gateway.ts',
  client: 'repros/keepalive-502/client.ts',
} as const;

/** The incident's preStop hook: sleep, then tell the app to go down over its own loopback. */
export function preStopScript(): string {
  const down = `http://${HOST}:${APP_PORT}${OK_PAGE}?down=true`;
  return `sleep ${REAL.preStopS} && node -e "fetch('${down}').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"`;
}

export interface Options {
  fix?: boolean;
  replicas?: number;
  image?: string;
}

export function manifests(o: Options = {}): [Deployment, Service, Deployment, Service, Pod] {
  const image = o.image ?? imageName(SLUG);
  // A locally built image is loaded into the kind nodes and must never be pulled from anywhere.
  const imagePullPolicy = o.image === undefined ? 'Never' : 'IfNotPresent';
  const listen: IEnvVar = { name: LISTEN_HOST_ENV, value: POD_LISTEN_HOST };
  const part = (name: string, command: string[], env: IEnvVar[]): IContainer => ({
    name,
    image,
    imagePullPolicy,
    command,
    env: [listen, ...env],
    ports: [{ name: 'http', containerPort: APP_PORT }],
  });
  const app = part(APP, ['node', ENTRY.pod, ...childArgv(POD_FLAGS, { name: '$(POD_NAME)', port: APP_PORT, 'keepalive-ms': KEEPALIVE_TIMEOUT_MS, fix: o.fix })], [
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
  ]);
  app.lifecycle = { preStop: { exec: { command: ['sh', '-c', preStopScript()] } } };
  // No readiness probe: the kubelet's probe connections would be counted as new connections to the
  // terminating pod, which is what the run measures. The pod is ready once its container runs.

  // The gateway's only upstream is the load balancer address: node IP and node port, as the
  // incident's gateway had one cloud LB address. $(HOST_IP) is expanded by the kubelet.
  const gateway = part(
    GATEWAY,
    ['node', ENTRY.gateway, ...childArgv(GATEWAY_FLAGS, { upstreams: [`lb=$(HOST_IP):${NODE_PORT}`], port: APP_PORT, 'fail-timeout-ms': REAL.failTimeoutS * 1000, 'keepalive-ms': KEEPALIVE_TIMEOUT_MS })],
    [{ name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } }],
  );
  const client = part(CLIENT, ['node', ENTRY.client, ...childArgv(CLIENT_FLAGS, { target: `http://${GATEWAY}${OK_PAGE}`, 'interval-ms': REAL.clientIntervalS * 1000 })], []);
  delete client.ports;

  const [appDeployment] = workload(APP, o.replicas ?? 2, { containers: [app], terminationGracePeriodSeconds: REAL.graceS }, false);
  const [gatewayDeployment, gatewayService] = workload(GATEWAY, 1, { containers: [gateway] });
  return [
    appDeployment,
    new Service({
      metadata: { name: APP, labels: { app: APP } },
      spec: { type: 'NodePort', selector: { app: APP }, ports: [{ name: 'http', port: 80, targetPort: APP_PORT, nodePort: NODE_PORT }] },
    }),
    gatewayDeployment,
    gatewayService as Service,
    // Started by the run after the rest is ready, so its first request finds the gateway.
    new Pod({ metadata: { name: CLIENT, labels: { app: CLIENT } }, spec: { containers: [client], restartPolicy: 'Never' } }),
  ];
}

export const MANIFEST_FLAGS = childFlags([
  { name: 'fix', type: 'boolean', description: 'the fixed app (Connection: close while draining)' },
  { name: 'replicas', type: 'number', description: 'number of app pods (default 2)', min: 1, max: 5 },
  IMAGE_FLAG,
] as const);

/** Options from `--fix`, `--replicas` and `--image`; a bad value is a UsageError. */
export function optionsFrom(args: ChildValues<typeof MANIFEST_FLAGS>): Options {
  const { replicas, image } = args;
  if (replicas !== undefined && !Number.isInteger(replicas)) throw new UsageError(`--replicas must be a whole number from 1 to 5, got ${replicas}`);
  return { fix: args.fix, ...(replicas ? { replicas } : {}), ...(image ? { image } : {}) };
}

if (isMain(import.meta.url)) printManifests(MANIFEST_FLAGS, (args) => manifests(optionsFrom(args)));
