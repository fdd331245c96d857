// A small CRI client: the calls the kubelet makes to a container runtime (RuntimeService in
// kubernetes/cri-api pkg/apis/runtime/v1/api.proto), over gRPC on the runtime's unix socket. The
// messages are the subset in api.proto next to this file; every call has a deadline, so a runtime
// that is gone (containerd stopped) shows up as an error, never as a hang.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export const CRI_PROTO = fileURLToPath(new URL('./api.proto', import.meta.url));

export type NamespaceMode = 'POD' | 'CONTAINER' | 'NODE' | 'TARGET';
export type ContainerState = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';

export interface NamespaceOption {
  network?: NamespaceMode;
  pid?: NamespaceMode;
  ipc?: NamespaceMode;
}

export interface PodSandboxConfig {
  metadata: { name: string; uid: string; namespace: string; attempt?: number };
  hostname?: string;
  logDirectory?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  linux?: { cgroupParent?: string; securityContext?: { namespaceOptions?: NamespaceOption; privileged?: boolean } };
}

export interface ContainerConfig {
  metadata: { name: string; attempt?: number };
  image: { image: string };
  command?: string[];
  args?: string[];
  workingDir?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  logPath?: string;
  linux?: { securityContext?: { namespaceOptions?: NamespaceOption; privileged?: boolean } };
}

/** ContainerStatus with its int64 nanosecond times as bigint. */
export interface ContainerStatus {
  id: string;
  metadata: { name: string; attempt: number };
  state: ContainerState;
  createdAt: bigint;
  startedAt: bigint;
  finishedAt: bigint;
  exitCode: number;
  reason: string;
  message: string;
  logPath: string;
  labels: Record<string, string>;
}

export interface ContainerInfo {
  id: string;
  podSandboxId: string;
  metadata: { name: string; attempt: number };
  state: ContainerState;
  createdAt: bigint;
  labels: Record<string, string>;
}

export interface PodSandboxInfo {
  id: string;
  metadata: { name: string; uid: string; namespace: string; attempt: number };
  state: 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
  createdAt: bigint;
  labels: Record<string, string>;
}

export interface VersionInfo {
  version: string;
  runtimeName: string;
  runtimeVersion: string;
  runtimeApiVersion: string;
}

/** A failed CRI call: the gRPC status code name (UNAVAILABLE when the runtime is down) and its message. */
export class CriError extends Error {
  override name = 'CriError';
  readonly method: string;
  readonly code: string;
  constructor(method: string, code: string, details: string) {
    super(`CRI ${method}: ${code}: ${details}`);
    this.method = method;
    this.code = code;
  }
}

type Raw = Record<string, unknown>;
type Unary = (req: Raw, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: Raw) => void) => void;

let definition: protoLoader.PackageDefinition | undefined;

function runtimeServiceCtor(): grpc.ServiceClientConstructor {
  definition ??= protoLoader.loadSync(CRI_PROTO, { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as { runtime: { v1: { RuntimeService: grpc.ServiceClientConstructor } } };
  return pkg.runtime.v1.RuntimeService;
}

const big = (v: unknown): bigint => BigInt(typeof v === 'string' || typeof v === 'number' ? v : 0);

function toContainerStatus(s: Raw): ContainerStatus {
  return {
    id: s.id as string,
    metadata: s.metadata as ContainerStatus['metadata'],
    state: s.state as ContainerState,
    createdAt: big(s.createdAt),
    startedAt: big(s.startedAt),
    finishedAt: big(s.finishedAt),
    exitCode: s.exitCode as number,
    reason: s.reason as string,
    message: s.message as string,
    logPath: s.logPath as string,
    labels: (s.labels ?? {}) as Record<string, string>,
  };
}

export class CriClient {
  private readonly client: grpc.Client;
  readonly socket: string;
  /** Deadline of every call: the kubelet's default runtime-request-timeout is 2 minutes; tests need less. */
  readonly timeoutMs: number;

  /** `socket` is the runtime's unix socket path, e.g. containerd's grpc.address. */
  constructor(socket: string, timeoutMs = 30_000) {
    this.socket = socket;
    this.timeoutMs = timeoutMs;
    const Ctor = runtimeServiceCtor();
    // The runtime is local: no TLS, and no reconnect back-off longer than a second, so a call made
    // right after containerd restarts finds it.
    this.client = new Ctor(`unix://${socket}`, grpc.credentials.createInsecure(), {
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 1000,
    });
  }

  private call(method: string, req: Raw, timeoutMs = this.timeoutMs): Promise<Raw> {
    const fn = (this.client as unknown as Record<string, Unary>)[method];
    if (!fn) throw new Error(`no CRI method ${method}`);
    return new Promise((resolve, reject) => {
      fn.call(this.client, req, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (err, res) => {
        if (err) reject(new CriError(method, grpc.status[err.code] ?? String(err.code), err.details || err.message));
        else resolve(res);
      });
    });
  }

  async version(timeoutMs?: number): Promise<VersionInfo> {
    return (await this.call('Version', { version: 'v1' }, timeoutMs)) as unknown as VersionInfo;
  }

  /** Runtime conditions (RuntimeReady, NetworkReady) as the kubelet reads them. */
  async status(timeoutMs?: number): Promise<Record<string, boolean>> {
    const r = await this.call('Status', { verbose: false }, timeoutMs);
    const conds = ((r.status as Raw | undefined)?.conditions ?? []) as { type: string; status: boolean }[];
    return Object.fromEntries(conds.map((c) => [c.type, c.status]));
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    return (await this.call('RunPodSandbox', { config: config as unknown as Raw })).podSandboxId as string;
  }

  async stopPodSandbox(id: string, timeoutMs?: number): Promise<void> {
    await this.call('StopPodSandbox', { podSandboxId: id }, timeoutMs);
  }

  async removePodSandbox(id: string, timeoutMs?: number): Promise<void> {
    await this.call('RemovePodSandbox', { podSandboxId: id }, timeoutMs);
  }

  async listPodSandbox(labelSelector: Record<string, string> = {}): Promise<PodSandboxInfo[]> {
    const r = await this.call('ListPodSandbox', { filter: { labelSelector } });
    return ((r.items ?? []) as Raw[]).map((s) => ({ ...(s as unknown as PodSandboxInfo), createdAt: big(s.createdAt) }));
  }

  async createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
    const r = await this.call('CreateContainer', { podSandboxId, config: config as unknown as Raw, sandboxConfig: sandboxConfig as unknown as Raw });
    return r.containerId as string;
  }

  async startContainer(id: string): Promise<void> {
    await this.call('StartContainer', { containerId: id });
  }

  /** timeoutS: seconds between the stop signal and SIGKILL (0: SIGKILL at once). */
  async stopContainer(id: string, timeoutS: number, callTimeoutMs?: number): Promise<void> {
    await this.call('StopContainer', { containerId: id, timeout: String(timeoutS) }, callTimeoutMs);
  }

  async removeContainer(id: string): Promise<void> {
    await this.call('RemoveContainer', { containerId: id });
  }

  async listContainers(filter: { podSandboxId?: string; labelSelector?: Record<string, string> } = {}): Promise<ContainerInfo[]> {
    const r = await this.call('ListContainers', { filter });
    return ((r.containers ?? []) as Raw[]).map((c) => ({ ...(c as unknown as ContainerInfo), createdAt: big(c.createdAt) }));
  }

  async containerStatus(id: string, timeoutMs?: number): Promise<ContainerStatus> {
    const r = await this.call('ContainerStatus', { containerId: id, verbose: false }, timeoutMs);
    return toContainerStatus(r.status as Raw);
  }

  /** The container's main process as the host sees it: containerd's verbose status carries its pid. */
  async containerPid(id: string): Promise<number> {
    const r = await this.call('ContainerStatus', { containerId: id, verbose: true });
    const info = JSON.parse(((r.info ?? {}) as Record<string, string>).info ?? '{}') as { pid?: number };
    if (!info.pid) throw new Error(`CRI ContainerStatus of ${id} reports no pid (is it running?)`);
    return info.pid;
  }

  close(): void {
    this.client.close();
  }
}

/** Nanoseconds since the epoch (a CRI timestamp) as milliseconds, for Date and arithmetic. */
export function nsToMs(ns: bigint): number {
  return Number(ns / 1000n) / 1000;
}
