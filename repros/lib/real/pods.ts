// Pods the way the kubelet asks for them through the CRI (k/k pkg/kubelet/kuberuntime:
// kuberuntime_sandbox.go generatePodSandboxConfig, kuberuntime_container.go generateContainerConfig),
// reduced to what the real tier needs: host network (so no CNI), a PID namespace per container (the
// kubelet's default for v1 pods), the log directory /var/log/pods/<ns>_<name>_<uid>/ rebased under the
// run's directory, and the log path <container>/<restartCount>.log.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerConfig, PodSandboxConfig } from '../cri/client.ts';
import type { RunContext } from '../repro.ts';
import { startContainerd, type PrivateContainerd } from './containerd.ts';
import { projectImages } from './images.ts';
import { seededRoot } from './seed.ts';
import { HOST } from '../net.ts';

export interface Pod {
  name: string;
  sandboxId: string;
  config: PodSandboxConfig;
  logDirectory: string;
}

export interface StartedContainer {
  id: string;
  name: string;
  attempt: number;
  /** The CRI log file on the host. */
  logPath: string;
  /** The container's main process, as the host sees it. */
  pid: number;
}

export async function runPod(cd: PrivateContainerd, name: string): Promise<Pod> {
  const uid = randomUUID();
  const logDirectory = join(cd.logDir, `default_${name}_${uid}`);
  const config: PodSandboxConfig = {
    metadata: { name, uid, namespace: 'default', attempt: 0 },
    logDirectory,
    labels: { 'io.kubernetes.pod.name': name, 'app.kubernetes.io/part-of': 'runbook-repros' },
    linux: {
      cgroupParent: cd.footprint.cgroupParent,
      securityContext: { namespaceOptions: { network: 'NODE', pid: 'CONTAINER', ipc: 'POD' } },
    },
  };
  const sandboxId = await cd.cri.runPodSandbox(config);
  return { name, sandboxId, config, logDirectory };
}

export interface ContainerSpec {
  name: string;
  image: string;
  command: string[];
  args?: string[];
  /** The kubelet's restart count for this container: the CRI attempt and the log file's name. */
  attempt?: number;
}

export async function startContainer(cd: PrivateContainerd, pod: Pod, spec: ContainerSpec): Promise<StartedContainer> {
  const attempt = spec.attempt ?? 0;
  const config: ContainerConfig = {
    metadata: { name: spec.name, attempt },
    image: { image: spec.image },
    command: spec.command,
    args: spec.args ?? [],
    logPath: `${spec.name}/${attempt}.log`,
    labels: { 'io.kubernetes.container.name': spec.name },
    linux: { securityContext: { namespaceOptions: { network: 'NODE', pid: 'CONTAINER', ipc: 'POD' } } },
  };
  const id = await cd.cri.createContainer(pod.sandboxId, config, pod.config);
  await cd.cri.startContainer(id);
  const pid = await cd.cri.containerPid(id);
  return { id, name: spec.name, attempt, logPath: join(pod.logDirectory, spec.name, `${attempt}.log`), pid };
}

/** The CRI log file's text ('' before the first line). */
export function readCriLog(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

/** A free TCP port on HOST for a host-network container (asked of the kernel, then released). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, HOST, () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface BootedNode {
  cd: PrivateContainerd;
  /** The app image's reference (every project app is in it). */
  appRef: string;
  timings: Record<string, number>;
}

/** The images (cached), a private containerd, both images imported: a node ready for pods. */
export async function bootNode(ctx: RunContext): Promise<BootedNode> {
  const timings: Record<string, number> = {};
  let t = performance.now();
  const lap = (what: string): void => {
    timings[what] = Math.round(performance.now() - t);
    t = performance.now();
  };
  const img = projectImages();
  lap(img.app.built ? 'buildImagesMs' : 'cachedImagesMs');
  const seed = await seededRoot(ctx, [img.pause, img.app]);
  lap(seed.built ? 'seedRootMs' : 'cachedSeedMs');
  const cd = await startContainerd(ctx, { pauseRef: img.pause.ref, seedRoot: seed.root });
  try {
    lap('startContainerdMs');
    const v = await cd.cri.version();
    ctx.log(`Private containerd ${v.runtimeVersion} (CRI ${v.runtimeApiVersion}) on ${cd.socket}.`);
    ctx.log(`Images (imported once, cached in ${seed.root}): ${img.app.ref} (${(img.app.layerBytes / 1e6).toFixed(0)} MB: node, its libraries, the apps) and ${img.pause.ref}.`);
    return { cd, appRef: img.app.ref, timings };
  } catch (err) {
    await cd.close().catch(() => undefined);
    throw err;
  }
}
