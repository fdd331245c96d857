// What a cluster run needs on this machine (kind, kubectl, docker or podman), said before anything
// starts, and checked: a missing tool or an engine that does not answer is named with how to install
// or start it, and the run script exits 2.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export type Engine = 'docker' | 'podman';

interface Tool {
  name: string;
  why: string;
  install: string;
}

const KIND: Tool = {
  name: 'kind',
  why: 'creates the local Kubernetes cluster, one container per node',
  install: 'https://kind.sigs.k8s.io/docs/user/quick-start/#installation (a release binary, or `go install sigs.k8s.io/kind@latest`)',
};
const KUBECTL: Tool = {
  name: 'kubectl',
  why: 'applies the manifests and watches pods and EndpointSlices',
  install: 'https://kubernetes.io/docs/tasks/tools/#kubectl',
};
const ENGINE: Tool = {
  name: 'docker or podman',
  why: 'builds the image and runs the kind nodes',
  install: 'https://docs.docker.com/engine/install/ or https://podman.io/docs/installation',
};

/** The tools a cluster run needs, in the words printed before anything starts. */
export function needs(): string {
  return [
    'This runs the experiment on a local kind cluster that it creates on this machine. It needs:',
    ...[KIND, KUBECTL, ENGINE].map((t) => `  ${t.name.padEnd(17)} ${t.why}`),
    'Apart from pulling the kindest/node and node:22-slim images the first time, nothing leaves this machine:',
    'every kubectl call names the kind cluster\'s own context.',
  ].join('\n');
}

/** True when an executable of that name is on PATH (read at each call: the tests narrow PATH). */
function onPath(name: string, path = process.env.PATH ?? ''): boolean {
  return path.split(delimiter).some((dir) => {
    if (dir === '') return false;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Thrown when a tool is missing or unusable: the script prints the message and exits 2. */
export class MissingTool extends Error {
  override name = 'MissingTool';
}

/** Checks kind, kubectl and a container engine that answers; throws MissingTool naming what is missing. */
export function preflight(): Engine {
  const missing: Tool[] = [];
  if (!onPath('kind')) missing.push(KIND);
  if (!onPath('kubectl')) missing.push(KUBECTL);
  const engine: Engine | undefined = onPath('docker') ? 'docker' : onPath('podman') ? 'podman' : undefined;
  if (!engine) missing.push(ENGINE);
  if (missing.length > 0 || !engine) {
    throw new MissingTool(
      `missing: ${missing.map((t) => t.name).join(', ')}\n` + missing.map((t) => `  ${t.name}: ${t.why}. Install: ${t.install}`).join('\n'),
    );
  }
  const info = spawnSync(engine, ['info'], { encoding: 'utf8', timeout: 30_000 });
  if (info.status !== 0) {
    throw new MissingTool(`${engine} is installed but does not answer (\`${engine} info\` failed): start its daemon or service.\n${(info.stderr ?? '').trim().split('\n').slice(0, 3).join('\n')}`);
  }
  return engine;
}
