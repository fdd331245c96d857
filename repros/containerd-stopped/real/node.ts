// The node for the real tier: a private containerd (repros/lib/real/containerd.ts) running this
// incident's own app (../app.ts) as a CRI container with host network, so its log lines take the real
// path: the container's stdout pipe -> containerd-shim-runc-v2 -> the CRI FIFO -> containerd's CRI
// plugin -> the CRI log file. "systemctl stop containerd" is SIGTERM to the daemon alone.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../lib/clock.ts';
import type { RunContext } from '../../lib/repro.ts';
import type { PrivateContainerd } from '../../lib/real/containerd.ts';
import { inImage, NODE_IN_IMAGE } from '../../lib/real/images.ts';
import { bootNode, freePort, readCriLog, runPod, startContainer, type Pod, type StartedContainer } from '../../lib/real/pods.ts';
import { CRI_NODE_TOOLS } from '../../lib/tiers.ts';
import type { LoggerKind } from '../app-api.ts';
import { get } from '../client.ts';
import { reassemble } from '../log-line.ts';
import { HOST } from '../../lib/address.ts';
import { childArgv } from '../../lib/flags.ts';
import { APP_FLAGS } from '../children.ts';

export const REAL_TOOLS = CRI_NODE_TOOLS;
const APP = fileURLToPath(new URL('../app.ts', import.meta.url));
/** A container start on a busy machine: create, start, Node's own start-up. */
const APP_READY_WITHIN_MS = 30_000;

export interface RealNode {
  cd: PrivateContainerd;
  pod: Pod;
  app: StartedContainer;
  port: number;
  /** The CRI plugin's FIFO for the container's stdout (what the shim writes and containerd reads). */
  stdoutFifo: string;
  /** The CRI log file's lines, partial entries joined. */
  logLines(): string[];
  timings: Record<string, number>;
}

/** containerd's FIFO for a container's stdout: <state>/io.containerd.grpc.v1.cri/containers/<id>/io/<n>/<id>-stdout. */
function findStdoutFifo(cd: PrivateContainerd, id: string): string {
  const ioDir = join(cd.dir, 'state', 'io.containerd.grpc.v1.cri', 'containers', id, 'io');
  for (const sub of readdirSync(ioDir)) {
    const f = join(ioDir, sub, `${id}-stdout`);
    try {
      if (readdirSync(join(ioDir, sub)).includes(`${id}-stdout`)) return f;
    } catch {
      // not this one
    }
  }
  throw new Error(`no stdout FIFO for container ${id} under ${ioDir}`);
}

export async function startRealNode(ctx: RunContext, logger: LoggerKind, lineBytes: number): Promise<RealNode> {
  const { cd, appRef, timings } = await bootNode(ctx);
  let t = performance.now();
  const lap = (what: string): void => {
    timings[what] = Math.round(performance.now() - t);
    t = performance.now();
  };
  try {
    const pod = await runPod(cd, 'containerd-stopped-app');
    const port = await freePort();
    const app = await startContainer(cd, pod, {
      name: 'app',
      image: appRef,
      command: [NODE_IN_IMAGE],
      args: [inImage(APP), ...childArgv(APP_FLAGS, { logger, 'line-bytes': lineBytes, port })],
    });
    lap('startPodMs');
    await waitFor(
      `the app container to answer on ${HOST}:${port}`,
      async () => {
        try {
          const r = await get(port, '/healthz', 1000, false);
          return r.kind === 'answered' ? true : undefined;
        } catch {
          return undefined;
        }
      },
      { timeoutMs: APP_READY_WITHIN_MS, intervalMs: 50, signal: ctx.signal },
    ).catch((err: unknown) => {
      throw new Error(`${err instanceof Error ? err.message : String(err)}; its CRI log:\n${readCriLog(app.logPath).slice(-2000)}`);
    });
    lap('appReadyMs');
    const stdoutFifo = findStdoutFifo(cd, app.id);
    ctx.log(`Pod sandbox ${pod.sandboxId.slice(0, 12)}, container ${app.id.slice(0, 12)}: app pid ${app.pid} on ${HOST}:${port}, CRI log ${app.logPath}.`);
    return { cd, pod, app, port, stdoutFifo, logLines: () => reassemble(readCriLog(app.logPath)), timings };
  } catch (err) {
    await cd.close().catch(() => undefined);
    throw err;
  }
}
