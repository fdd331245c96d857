// The incident's gateway (unnamed in the write-up), as a process: an HTTP reverse proxy with a
// keep-alive connection pool per upstream and the passive health check of incident-gateway-health.ts.
// A 503 or a connection error counts as a failure and marks that upstream unavailable for
// fail_timeout, even when it is the only upstream; the request moves on to the next upstream if there
// is one; with no live upstream left the gateway answers 502 itself. This is what the write-up
// reports, not what stock nginx does (see incident-gateway-health.ts; the real tier runs nginx).
// The upstreams are either the one load-balancer address (the affected sites) or the pod addresses
// (the sites that were not affected).
//
//   node incident-gateway.ts --upstreams lb=<host>:9000 --fail-timeout-ms N --keepalive-ms N [--port N]   (GATEWAY_FLAGS)
import { Agent, createServer, request, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { emitter } from '../lib/child-events.ts';
import { exitWhenParentDies } from '../lib/child.ts';
import { childArgsOrExit } from '../lib/flags.ts';
import { GATEWAY_FLAGS } from './children.ts';
import { listen } from '../lib/net.ts';
import { parseEndpoints } from './endpoints.ts';
import { now, type GatewayEvent } from './events.ts';
import { availableAgainAt, createPeers, freePeer, getPeer, mayTryNext, type HealthConfig } from './incident-gateway-health.ts';

exitWhenParentDies();
const args = childArgsOrExit('gateway', GATEWAY_FLAGS);
const emit = emitter<GatewayEvent>();
const upstreams = parseEndpoints(args.upstreams);
const cfg: HealthConfig = { maxFails: 1, failTimeoutMs: args['fail-timeout-ms'] };
const peers = createPeers(upstreams.map((u) => u.name));
// One keep-alive pool per upstream, most recently used socket first, as nginx's upstream `keepalive`.
const agents = upstreams.map(() => new Agent({ keepAlive: true, scheduling: 'lifo' }));

// RFC 9110 section 7.6.1: connection-specific fields are not forwarded.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);
function forwardable(h: IncomingHttpHeaders): OutgoingHttpHeaders {
  return Object.fromEntries(Object.entries(h).filter(([k]) => !HOP_BY_HOP.has(k.toLowerCase())));
}

type Attempt = { ok: true; res: IncomingMessage } | { ok: false; code: string; reused: boolean };

function attempt(i: number, method: string, path: string, headers: IncomingHttpHeaders, body: Buffer): Promise<Attempt> {
  const up = upstreams[i]!;
  return new Promise((resolve) => {
    const req = request(
      { host: up.host, port: up.port, method, path, headers: { ...forwardable(headers), host: `${up.host}:${up.port}` }, agent: agents[i] },
      (res) => resolve({ ok: true, res }),
    );
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, code: err.code ?? err.message, reused: req.reusedSocket }));
    req.end(body);
  });
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
let nextConn = 1;
const connIds = new WeakMap<Socket, string>();

const server = createServer(async (req, res) => {
  const gatewayConn = connIds.get(req.socket) ?? '?';
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks);
  const method = req.method ?? 'GET';
  const tried = new Set<number>();
  for (;;) {
    const i = getPeer(peers, tried, cfg, now());
    if (i === undefined) {
      emit({ ev: 'no-live-upstreams', proc: 'gateway', clientConn: gatewayConn, t: now() });
      res.writeHead(502, { 'content-type': 'text/plain', 'x-gateway-conn': gatewayConn, 'x-gateway': 'no live upstreams' });
      res.end('502 Bad Gateway: no live upstreams\n');
      return;
    }
    tried.add(i);
    const peer = peers[i]!;
    const r = await attempt(i, method, req.url ?? '/', req.headers, body);
    const failed = !r.ok || r.res.statusCode === 503;
    const t = now();
    if (!r.ok) emit({ ev: 'upstream-error', proc: 'gateway', upstream: peer.name, code: r.code, reused: r.reused, t });
    if (freePeer(peer, failed, cfg, t)) {
      emit({ ev: 'upstream-down', proc: 'gateway', upstream: peer.name, reason: r.ok ? `HTTP ${r.res.statusCode}` : r.code, untilT: availableAgainAt(peer, cfg), t });
    }
    if (failed && mayTryNext(peers, tried) && (IDEMPOTENT.has(method) || (!r.ok && r.code === 'ECONNREFUSED'))) {
      if (r.ok) r.res.resume();
      continue;
    }
    if (!r.ok) {
      res.writeHead(502, { 'content-type': 'text/plain', 'x-gateway-conn': gatewayConn, 'x-gateway': `upstream ${peer.name}: ${r.code}` });
      res.end(`502 Bad Gateway: ${r.code} from upstream ${peer.name}\n`);
      return;
    }
    res.writeHead(r.res.statusCode ?? 502, { ...forwardable(r.res.headers), 'x-upstream': peer.name, 'x-gateway-conn': gatewayConn });
    r.res.pipe(res);
    return;
  }
});

server.keepAliveTimeout = args['keepalive-ms'];
server.headersTimeout = server.keepAliveTimeout + 1000;
server.on('connection', (socket: Socket) => connIds.set(socket, `g${nextConn++}`));

const port = await listen(server, args.port, 'gateway');
emit({ ev: 'listening', proc: 'gateway', port, upstreams: upstreams.map((u) => `${u.name}=${u.host}:${u.port}`), t: now() });
