// What the three incidents' manifests share: the app's port and listen address in a pod, the image
// name, a Deployment with its Service, and printing the objects as YAML for `kubectl apply -f`.
import { resolve } from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Service, type IPodSpec, type IServiceSpec } from 'kubernetes-models/v1';
import { stringify } from 'yaml';
import { parseChildArgs, type ChildFlag, type ChildValues } from '../flags.ts';
import { UsageError } from '../repro.ts';
import { imageName } from './image.ts';

export { imageName };

/**
 * The environment variable the apps read for their listen address. The local repros listen on
 * HOST (lib/address.ts) only; in a pod the kubelet's probes and the Service reach the app on the pod IP, so the
 * manifests set 0.0.0.0 (repros/lib/net.ts).
 */
export const LISTEN_HOST_ENV = 'REPRO_LISTEN_HOST';
export const POD_LISTEN_HOST = '0.0.0.0';

/** The port every app listens on inside its pod. */
export const APP_PORT = 8080;

/** A Deployment of `replicas` pods labelled app=<name>, and a Service on port 80 to APP_PORT unless told otherwise. */
export function workload(
  name: string,
  replicas: number,
  spec: IPodSpec,
  service: IServiceSpec | false = { ports: [{ name: 'http', port: 80, targetPort: APP_PORT }] },
): [Deployment, ...Service[]] {
  const labels = { app: name };
  const deployment = new Deployment({
    metadata: { name, labels },
    spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec } },
  });
  return service === false ? [deployment] : [deployment, new Service({ metadata: { name, labels }, spec: { selector: labels, ...service } })];
}

/** `--image`, which every manifests.ts takes. */
export const IMAGE_FLAG = { name: 'image', type: 'string', description: 'the image to run (default: the locally built one, never pulled)' } as const satisfies ChildFlag;

/**
 * For `node manifests.ts [flags]`: prints the objects built from the command line's flags (parsed
 * against `flags`) as YAML; a UsageError (a bad flag or value) exits 2 with its message.
 */
export function printManifests<const S extends readonly ChildFlag[]>(flags: S, build: (args: ChildValues<S>) => readonly { toJSON(): unknown }[]): void {
  try {
    process.stdout.write(toYaml(build(parseChildArgs(flags))));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
}

/** Kubernetes objects as one multi-document YAML text, as `kubectl apply -f` reads it. */
export function toYaml(objects: readonly { toJSON(): unknown }[]): string {
  return objects.map((o) => stringify(o.toJSON(), { lineWidth: 0 })).join('---\n');
}

/** True when the module at `url` is the script node was started with. */
export function isMain(url: string): boolean {
  return process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(new URL(url).pathname);
}
