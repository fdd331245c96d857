// The local kind cluster a run script creates (or reuses when an earlier run kept it with --keep):
// created with the requested number of workers, checked to be on this machine before kubectl is
// pointed at it, given the repro's image, entered with `docker exec`, and deleted. kubectl is always
// bound to the cluster's own context (kubectl.ts), never to the current one.
import { stringify } from 'yaml';
import { HOST_PATTERN } from '../address.ts';
import { UsageError } from '../repro.ts';
import { run, type RunResult } from './command.ts';
import { buildAndLoadImage } from './image.ts';
import { Kubectl } from './kubectl.ts';
import type { Engine } from './tools.ts';

export interface KindClusterOptions {
  name: string;
  engine: Engine;
  /** kind node config: how many workers besides the control plane. */
  workers: number;
  /** kindest/node image (picks the Kubernetes version), or kind's default. */
  nodeImage?: string | undefined;
  log(line: string): void;
}

/** kind's kubeconfig entry for a local cluster points at a loopback address. */
const LOCAL_SERVER = new RegExp(`^https://(${HOST_PATTERN}|localhost|\\[::1\\]):\\d+$`);

/** A kind cluster that this script created (or created on an earlier run with --keep). */
export class KindCluster extends Kubectl {
  readonly name: string;
  readonly engine: Engine;
  private readonly opts: KindClusterOptions;

  constructor(opts: KindClusterOptions) {
    if (!/^[a-z0-9][a-z0-9-]{0,40}$/.test(opts.name)) throw new UsageError(`cluster name "${opts.name}" must be lower-case letters, digits and dashes`);
    super(`kind-${opts.name}`);
    this.opts = opts;
    this.name = opts.name;
    this.engine = opts.engine;
  }

  /** Creates the cluster unless kind already has one of this name; checks that its API server is local. */
  async ensure(): Promise<void> {
    if (this.engine === 'podman') process.env.KIND_EXPERIMENTAL_PROVIDER = 'podman';
    if (await this.exists()) this.opts.log(`Using the existing kind cluster ${this.name} (kept by an earlier --keep; --node-image does not change it).`);
    else await this.create();
    const server = (await run('kubectl', ['config', 'view', '-o', `jsonpath={.clusters[?(@.name=="${this.context}")].cluster.server}`])).stdout.trim();
    if (!LOCAL_SERVER.test(server)) {
      throw new Error(`the context ${this.context} points at "${server}", not at a kind cluster on this machine; refusing to use it`);
    }
  }

  private async exists(): Promise<boolean> {
    return (await run('kind', ['get', 'clusters'])).stdout.split('\n').map((s) => s.trim()).includes(this.name);
  }

  private async create(): Promise<void> {
    const { workers, nodeImage } = this.opts;
    const config = stringify({
      kind: 'Cluster',
      apiVersion: 'kind.x-k8s.io/v1alpha4',
      nodes: [{ role: 'control-plane' }, ...Array.from({ length: workers }, () => ({ role: 'worker' }))],
    });
    this.opts.log(`Creating the kind cluster ${this.name} (${1 + workers} node${workers ? 's' : ''}); this takes a minute or two.`);
    await run('kind', ['create', 'cluster', '--name', this.name, '--config', '-', '--wait', '120s', ...(nodeImage ? ['--image', nodeImage] : [])], { input: config });
  }

  /** Builds the repro's image and loads it into every node (image.ts). */
  loadImage(slug: string, image: string): Promise<void> {
    return buildAndLoadImage({ engine: this.engine, cluster: this.name, slug, image, log: this.opts.log });
  }

  /** A command inside a node container, as `docker exec <node> ...`. */
  nodeExec(node: string, args: readonly string[], opts: { allowFail?: boolean; timeoutMs?: number } = {}): Promise<RunResult> {
    return run(this.engine, ['exec', node, ...args], opts);
  }

  async delete(): Promise<void> {
    this.stopWatches();
    this.opts.log(`Deleting the kind cluster ${this.name}.`);
    await run('kind', ['delete', 'cluster', '--name', this.name], { allowFail: true });
  }
}
