// `kubectl delete pod` for this topology. Deleting a pod does two things at the same moment, as in
// Kubernetes: the EndpointSlice controller marks the pod's endpoint terminating (here: the balancer's
// admin API, so new connections stop going to it), and the kubelet starts the pod's termination:
// preStop hook (sleep, then GET /ok.htm?down=true, as the incident's hook did), then SIGTERM, then
// SIGKILL when terminationGracePeriodSeconds, counted from the deletion, runs out. Then the endpoint
// leaves the slice.
//
//   node pod-deletion.ts --pods pod-0=<host>:8081,... --pids pod-0=1234,... --prestop-ms N --grace-ms N
//                   [--balancer-admin URL] [--port N]                    (POD_DELETION_FLAGS in children.ts)
// API:  GET /pods    POST /pods/<index or name>/terminate
import { createServer, get } from 'node:http';
import { emitter } from '../lib/child-events.ts';
import { exitWhenParentDies } from '../lib/child.ts';
import { childArgsOrExit } from '../lib/flags.ts';
import { POD_DELETION_FLAGS } from './children.ts';
import { sleep } from '../lib/clock.ts';
import { listen } from '../lib/net.ts';
import { parseEndpoints } from './endpoints.ts';
import { now, type PodDeletionEvent } from './events.ts';

exitWhenParentDies();
const args = childArgsOrExit('pod-deletion', POD_DELETION_FLAGS);
const emit = emitter<PodDeletionEvent>();
const pods = parseEndpoints(args.pods);
const pids = new Map(args.pids.map((kv) => {
  const [k, v] = kv.split('=');
  return [k ?? '', Number(v)] as const;
}));
const balancerAdmin = args['balancer-admin'];
const preStopMs = args['prestop-ms'];
const graceMs = args['grace-ms'];
const phase = new Map<string, string>(pods.map((p) => [p.name, 'Running']));

async function endpointSlice(method: 'POST' | 'DELETE', name: string): Promise<void> {
  if (!balancerAdmin) return;
  const path = method === 'POST' ? `/endpoints/${encodeURIComponent(name)}/terminating` : `/endpoints/${encodeURIComponent(name)}`;
  const res = await fetch(balancerAdmin + path, { method });
  if (!res.ok) throw new Error(`balancer ${method} ${path}: HTTP ${res.status} ${await res.text()}`);
}

/** The preStop hook's HTTP call, on its own connection to the pod, as `curl <host>:$PORT/ok.htm?down=true`. */
function callDown(host: string, port: number): Promise<number> {
  return new Promise((resolve) => {
    get({ host, port, path: '/ok.htm?down=true', agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', () => resolve(0));
  });
}

function signal(name: string, sig: 'SIGTERM' | 'SIGKILL'): void {
  const pid = pids.get(name);
  if (pid === undefined) return;
  try {
    process.kill(pid, sig);
    emit({ ev: 'signal', proc: 'pod-deletion', pod: name, signal: sig, t: now() });
  } catch {
    // Already gone.
  }
}

async function kubeletTerminate(name: string, host: string, port: number, deletedAt: number): Promise<void> {
  await sleep(preStopMs);
  const status = await callDown(host, port);
  emit({ ev: 'prestop-done', proc: 'pod-deletion', pod: name, status, t: now() });
  signal(name, 'SIGTERM');
  await sleep(deletedAt + graceMs - now());
  signal(name, 'SIGKILL');
  phase.set(name, 'Deleted');
  await endpointSlice('DELETE', name);
}

const server = createServer((req, res) => {
  const send = (status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body) + '\n');
  };
  const url = req.url ?? '';
  if (req.method === 'GET' && url === '/pods') {
    return send(200, pods.map((p) => ({ name: p.name, address: `${p.host}:${p.port}`, phase: phase.get(p.name) })));
  }
  const m = /^\/pods\/([^/]+)\/terminate$/.exec(url);
  if (!m || req.method !== 'POST') return send(404, { error: 'use GET /pods or POST /pods/<index or name>/terminate' });
  const key = decodeURIComponent(m[1] ?? '');
  const pod = /^\d+$/.test(key) ? pods[Number(key)] : pods.find((p) => p.name === key);
  if (!pod) return send(404, { error: `no pod "${key}"; pods: ${pods.map((p, i) => `${i} (${p.name})`).join(', ')}` });
  if (phase.get(pod.name) !== 'Running') return send(409, { error: `${pod.name} is already ${phase.get(pod.name)}` });
  const deletedAt = now();
  phase.set(pod.name, 'Terminating');
  emit({ ev: 'terminate', proc: 'pod-deletion', pod: pod.name, t: deletedAt });
  kubeletTerminate(pod.name, pod.host, pod.port, deletedAt).catch((err: unknown) => process.stderr.write(`pod-deletion: ${String(err)}\n`));
  endpointSlice('POST', pod.name).then(
    () => send(202, { pod: pod.name, phase: 'Terminating', preStopMs, graceMs }),
    (err: unknown) => send(500, { error: String(err) }),
  );
});

const port = await listen(server, args.port, 'pod-deletion');
emit({ ev: 'listening', proc: 'pod-deletion', port, t: now() });
