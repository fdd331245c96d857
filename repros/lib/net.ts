// Listening on HOST (address.ts), with a clear message for a busy port. Inside a Kubernetes pod (the cluster
// recipes under repros/<slug>/cluster/) the manifests set REPRO_LISTEN_HOST=0.0.0.0 so the kubelet's
// probes and the Service can reach the app on the pod IP; locally nothing sets it.
import type { Server } from 'node:net';
import { HOST } from './address.ts';
import { UsageError } from './repro.ts';

export { HOST };
/** Where servers listen: HOST, or REPRO_LISTEN_HOST when set. */
export const LISTEN_HOST = process.env.REPRO_LISTEN_HOST || HOST;

/** Listens on LISTEN_HOST:port (0 = ephemeral) and resolves with the bound port. */
export function listen(server: Server, port = 0, what = 'server'): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      if (err.code === 'EADDRINUSE') {
        reject(new UsageError(`${what}: port ${port} on ${LISTEN_HOST} is already in use. Pass another --port, or omit --port to get a free one.`));
      } else if (err.code === 'EACCES') {
        reject(new UsageError(`${what}: not allowed to listen on ${LISTEN_HOST}:${port}. Use a port above 1023, or omit --port.`));
      } else reject(err);
    };
    server.once('error', onError);
    server.listen(port, LISTEN_HOST, () => {
      server.off('error', onError);
      const addr = server.address();
      if (addr === null || typeof addr === 'string') return reject(new Error(`${what}: no TCP address after listen`));
      resolve(addr.port);
    });
  });
}
