// A TCP (layer 4) balancer in front of the pods, in user space: each new connection goes to an
// endpoint the policy allows (endpoints.ts) and is then spliced byte for byte until either side closes
// it. It is neither kube-proxy nor a cloud load balancer; it reproduces the one behaviour both share
// (an established connection stays on its pod) and, with --policy, the one where they differ:
//   --policy deregister   the incident's cloud LB: a terminating pod gets no new connection; with no
//                         ready endpoint left the balancer stops listening, so connections are refused
//   --policy kube-proxy   a Service: ready endpoints, else serving+terminating ones (CategorizeEndpoints)
// The real tier replaces it with the kernel's NAT in kube-proxy's chains.
//
//   node l4-balancer.ts --endpoints pod-0=<host>:8081,pod-1=<host>:8082 --policy P [--port N]   (BALANCER_FLAGS)
// Admin API (what the EndpointSlice controller does to it), on a second port printed at start:
//   GET /endpoints    POST /endpoints/<name>/terminating    DELETE /endpoints/<name>
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { emitter } from '../lib/child-events.ts';
import { exitWhenParentDies } from '../lib/child.ts';
import { childArgsOrExit } from '../lib/flags.ts';
import { BALANCER_FLAGS } from './children.ts';
import { listen } from '../lib/net.ts';
import { eligibleForNewConnections, endpointState, markTerminating, parseEndpoints, pickEndpoint, removeEndpoint, type Endpoint, type Policy } from './endpoints.ts';
import { now, type BalancerEvent } from './events.ts';

exitWhenParentDies();
const args = childArgsOrExit('l4-balancer', BALANCER_FLAGS);
const emit = emitter<BalancerEvent>();
let endpoints: Endpoint[] = parseEndpoints(args.endpoints);
const policy: Policy = args.policy;
let placed = 0;
let server: Server | undefined;
let port = args.port;

function splice(client: Socket): void {
  const ep = pickEndpoint(endpoints, placed, policy);
  if (!ep) {
    client.destroy();
    return;
  }
  placed++;
  emit({ ev: 'conn', proc: 'l4-balancer', id: placed, endpoint: ep.name, endpointState: endpointState(ep), t: now() });
  const upstream = connect({ host: ep.host, port: ep.port, allowHalfOpen: true });
  // A FIN from either side is forwarded as a FIN (pipe ends the other side); an error resets both.
  client.pipe(upstream);
  upstream.pipe(client);
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
  client.on('close', () => upstream.destroy());
  upstream.on('close', () => client.destroy());
}

/** Listens while the policy allows some endpoint and stops listening (refusing connections) when none. */
async function reconcileListener(): Promise<void> {
  const anyReady = eligibleForNewConnections(endpoints, policy).length > 0;
  if (anyReady && !server) {
    const s = createServer({ allowHalfOpen: true }, splice);
    server = s;
    port = await listen(s, port, 'l4-balancer');
    emit({ ev: 'accepting', proc: 'l4-balancer', t: now() });
  } else if (!anyReady && server) {
    // close() stops accepting; established connections are untouched.
    server.close();
    server = undefined;
    emit({ ev: 'refusing', proc: 'l4-balancer', t: now() });
  }
}

const admin = createHttpServer((req, res) => {
  const m = /^\/endpoints(?:\/([^/]+)(\/terminating)?)?$/.exec(req.url ?? '');
  const name = m?.[1] ? decodeURIComponent(m[1]) : undefined;
  const send = (status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body) + '\n');
  };
  if (!m) return send(404, { error: 'use GET /endpoints, POST /endpoints/<name>/terminating, DELETE /endpoints/<name>' });
  if (req.method === 'GET' && !name) return send(200, endpoints);
  if (!name || !endpoints.some((ep) => ep.name === name)) {
    return send(404, { error: `no endpoint "${name ?? ''}"; endpoints: ${endpoints.map((ep) => ep.name).join(', ')}` });
  }
  if (req.method === 'POST' && m[2]) {
    endpoints = markTerminating(endpoints, name);
    emit({ ev: 'endpoint', proc: 'l4-balancer', name, state: 'terminating', t: now() });
  } else if (req.method === 'DELETE' && !m[2]) {
    endpoints = removeEndpoint(endpoints, name);
    emit({ ev: 'endpoint', proc: 'l4-balancer', name, state: 'removed', t: now() });
  } else return send(405, { error: `${req.method ?? '?'} not allowed on ${req.url ?? ''}` });
  reconcileListener().then(
    () => send(200, endpoints),
    (err: unknown) => send(500, { error: String(err) }),
  );
});

await reconcileListener();
const adminPort = await listen(admin, 0, 'l4-balancer admin');
emit({ ev: 'listening', proc: 'l4-balancer', port, adminPort, policy, t: now() });
