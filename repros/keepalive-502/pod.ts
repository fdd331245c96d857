// One replica of the application: an HTTP server with the incident's graceful shutdown
// (graceful-shutdown.ts). Every response names the pod and the TCP connection it arrived on
// (x-pod, x-pod-conn), so a client's timeline shows which pod and which connection answered.
// The kubelet's part (preStop, SIGTERM, SIGKILL at the end of the grace period) is in pod-deletion.ts.
//
//   node pod.ts --name pod-0 --keepalive-ms N [--port N] [--fix]      (flags: POD_FLAGS in children.ts)
import { createServer, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { emitter } from '../lib/child-events.ts';
import { exitWhenParentDies } from '../lib/child.ts';
import { childArgsOrExit } from '../lib/flags.ts';
import { POD_FLAGS } from './children.ts';
import { listen } from '../lib/net.ts';
import { now, type PodEvent } from './events.ts';
import { reply, type AppState } from './graceful-shutdown.ts';

exitWhenParentDies();
const args = childArgsOrExit('pod', POD_FLAGS);
const emit = emitter<PodEvent>();
const name = args.name;
const state: AppState = { draining: false, fix: args.fix };

interface ConnInfo {
  id: string;
  responses: number;
  responsesWhileDraining: number;
  closedByPod: boolean;
  /** Carried the preStop hook's ok.htm?down=true. */
  hook: boolean;
}
const conns = new WeakMap<Socket, ConnInfo>();
let nextConn = 1;

const server = createServer((req, res: ServerResponse) => {
  const info = conns.get(req.socket);
  const url = new URL(req.url ?? '/', 'http://pod');
  const r = reply(url.pathname, url.searchParams, state);
  if (r.startsDraining && !state.draining) {
    state.draining = true;
    emit({ ev: 'draining', proc: 'pod', name, t: now() });
  }
  if (info) {
    info.responses++;
    if (state.draining) info.responsesWhileDraining++;
    // Node sends FIN right after a response that carries Connection: close.
    if (r.close) info.closedByPod = true;
    if (r.startsDraining) info.hook = true;
  }
  const conn = info?.id ?? '?';
  res.writeHead(r.status, {
    'content-type': 'text/plain',
    'x-pod': name,
    'x-pod-conn': conn,
    ...(r.close ? { connection: 'close' } : {}),
  });
  res.end(r.body);
  emit({ ev: 'response', proc: 'pod', name, conn, path: url.pathname, status: r.status, close: r.close, draining: state.draining, down: r.startsDraining, t: now() });
});

server.keepAliveTimeout = args['keepalive-ms'];
server.headersTimeout = server.keepAliveTimeout + 1000;

server.on('connection', (socket: Socket) => {
  const info: ConnInfo = { id: `${name}/c${nextConn++}`, responses: 0, responsesWhileDraining: 0, closedByPod: false, hook: false };
  conns.set(socket, info);
  emit({ ev: 'conn-open', proc: 'pod', name, conn: info.id, t: now() });
  socket.on('close', () => {
    emit({
      ev: 'conn-close',
      proc: 'pod',
      name,
      conn: info.id,
      by: info.closedByPod ? 'pod' : 'peer',
      responses: info.responses,
      responsesWhileDraining: info.responsesWhileDraining,
      hook: info.hook,
      t: now(),
    });
  });
});

// After preStop has put the app into draining, it keeps serving on SIGTERM, and the kubelet's SIGKILL
// at the end of the grace period is what ends it, as in the incident. A SIGTERM without a preStop
// first (the repro shutting down) has nothing to drain, so the app exits.
process.on('SIGTERM', () => {
  emit({ ev: 'sigterm', proc: 'pod', name, t: now() });
  if (!state.draining) process.exit(0);
});

const port = await listen(server, args.port, name);
emit({ ev: 'listening', proc: 'pod', name, port, fix: state.fix, t: now() });
