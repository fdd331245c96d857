// The real tier's run, inside a network namespace of its own (started by netns.ts with
// `unshare -Urn`): the Service is kube-proxy-shaped iptables chains in this namespace's nat table, the
// pods are this repro's pod.ts on addresses put on this namespace's `lo`, and the gateway is Debian's
// nginx. Nothing here touches the host: the namespace, its addresses, its rules and its conntrack
// table exist only while a process of this run is in it.
//
// Protocol with the parent: InsideEvent lines on stdout (lib/child-events.ts), {"ev": "log"} for
// narration and, last, {"ev": "result"} with the observations.
//
//   node inside.ts --scenario broken|single-replica-service --scale S --dir TMPDIR   (INSIDE_FLAGS)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { emitter, EventStream } from '../../lib/child-events.ts';
import { exitWhenParentDies } from '../../lib/child.ts';
import { childArgsOrExit, childArgv } from '../../lib/flags.ts';
import { CLIENT_FLAGS, INSIDE_FLAGS, POD_FLAGS } from '../children.ts';
import { sleep, Wakeup, waitFor } from '../../lib/clock.ts';
import { ProcessGroup } from '../../lib/processes.ts';
import { existsSync } from 'node:fs';
import { toolPath } from '../../lib/real/tools.ts';
import { categorizeClusterEndpoints, markTerminating, parseEndpoints, removeEndpoint, type Endpoint } from '../endpoints.ts';
import { now, type ClientEvent, type ClientResponse, type InsideEvent, type PodEvent } from '../events.ts';
import { OK_PAGE } from '../graceful-shutdown.ts';
import { newConnectionsToDeleted, responseObservations, statusRuns, toEntry, type TimelineEntry } from '../timeline.ts';
import { REAL, scaledTimings } from '../constants.ts';
import { natRules, OUTPUT_JUMP, type Service } from './kube-proxy-chains.ts';
import { errorLogPath, messagesIn, nginxConf, type NginxServer } from './nginx-conf.ts';
import { HOST } from '../../lib/address.ts';

exitWhenParentDies();
const { scenario, scale, dir } = childArgsOrExit('inside.ts', INSIDE_FLAGS);
const t = scaledTimings(scale);
const procs = new ProcessGroup();
const ac = new AbortController();
const signal = ac.signal;
// The parent stops this process with SIGTERM; exiting runs the group's exit hook, which kills every
// child (and nginx also has a parent-death signal).
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => process.exit(143));
// The run directory goes with this process, also when the runner was SIGKILLed and cannot remove it.
process.on('exit', () => {
  procs.killAllNow();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const out = emitter<InsideEvent>();
const log = (line: string): void => out({ ev: 'log', line });
const HERE = import.meta.dirname;
/** A binary of the tools table, or one that comes with a tool's package (iptables-restore, util-linux's setpriv). */
const bin = (name: Parameters<typeof toolPath>[0] | 'iptables-restore' | 'setpriv'): string => {
  const p = name === 'iptables-restore' || name === 'setpriv'
    ? ['/usr/sbin', '/sbin', '/usr/bin', '/bin'].map((d) => `${d}/${name}`).find((f) => existsSync(f))
    : toolPath(name);
  if (!p) throw new Error(`${name} not found (packages iptables, util-linux)`);
  return p;
};
/** Waits that depend on timers get the scaled duration plus this much slack for a busy machine. */
const SLACK_MS = 20_000;

// Addresses inside the namespace only.
export const SERVICE_ADDRESSES = ['10.96.0.10', '10.96.0.11'] as const;
const SERVICE_PORT = 80;
const POD_PORT = 8080;
const podAddress = (i: number): string => `10.244.0.${10 + i}`;

function run(cmd: string, argv: readonly string[], input?: string): string {
  return execFileSync(cmd, argv, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'], timeout: 10_000 });
}

function setUpLoopback(pods: number): void {
  run(bin('ip'), ['link', 'set', 'lo', 'up']);
  for (const a of [...SERVICE_ADDRESSES, ...Array.from({ length: pods }, (_, i) => podAddress(i))]) {
    run(bin('ip'), ['addr', 'add', `${a}/32`, 'dev', 'lo']);
  }
  run(bin('iptables'), ['-t', 'nat', '-N', 'KUBE-SERVICES']);
  run(bin('iptables'), [...OUTPUT_JUMP]);
}

/** kube-proxy's sync: rewrite the Service's chains for the current endpoint table. */
let seps: string[] = [];
function syncProxyRules(svc: Service, eps: readonly Endpoint[], why: string): void {
  const r = natRules(svc, eps, seps);
  run(bin('iptables-restore'), ['--noflush'], r.text);
  seps = r.seps;
  const used = categorizeClusterEndpoints(eps).map((e) => `${e.name}${e.ready ? '' : ' (terminating)'}`);
  log(`kube-proxy sync (${why}): ${svc.addresses.join(', ')}:${svc.port} -> ${used.length ? used.join(', ') : 'no endpoint'}`);
}

interface Pod {
  name: string;
  ep: Endpoint;
  events: EventStream<PodEvent>;
  pid: number;
  exited: Promise<unknown>;
}

async function startPod(i: number): Promise<Pod> {
  const name = `pod-${i}`;
  const s = procs.spawnNode(join(HERE, '..', 'pod.ts'), childArgv(POD_FLAGS, { name, port: POD_PORT, 'keepalive-ms': t.keepAliveTimeoutMs }), {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, REPRO_LISTEN_HOST: podAddress(i) },
  });
  const events = new EventStream<PodEvent>(s.child.stdout);
  await events.waitFor(`${name} to listen`, (e) => e.ev === 'listening', { signal, timeoutMs: SLACK_MS });
  const [ep] = parseEndpoints([`${name}=${podAddress(i)}:${POD_PORT}`]);
  return { name, ep: ep!, events, pid: s.child.pid ?? 0, exited: s.exited };
}

async function startNginx(servers: readonly NginxServer[]): Promise<void> {
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, d), { recursive: true });
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, nginxConf(dir, servers));
  // setpriv --pdeathsig: nginx gets SIGKILL when this process dies, however it dies.
  const s = procs.spawn(bin('setpriv'), ['--pdeathsig', 'KILL', '--', bin('nginx'), '-p', dir, '-c', conf, '-e', join(dir, 'error.log')], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  s.exited.then(({ code }) => {
    if (!signal.aborted) log(`nginx exited early (code ${code}); see ${join(dir, 'error.log')}`);
  });
  // Wait until every server block accepts a request.
  const accepts = (port: number): Promise<true | undefined> =>
    new Promise((resolve) => {
      request({ host: HOST, port, path: '/api/ready', agent: false }, (res) => {
        res.resume();
        resolve(true);
      }).on('error', () => resolve(undefined)).end();
    });
  for (const srv of servers) {
    await waitFor(`nginx to answer on ${HOST}:${srv.port}`, () => accepts(srv.port), { timeoutMs: SLACK_MS, intervalMs: 50, signal }).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}: ${readFileSync(join(dir, 'error.log'), 'utf8')}`);
    });
  }
}

function startClient(port: number): EventStream<ClientEvent> {
  const s = procs.spawnNode(join(HERE, '..', 'client.ts'), childArgv(CLIENT_FLAGS, { target: `http://${HOST}:${port}${OK_PAGE}`, 'interval-ms': t.clientIntervalMs }), {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new EventStream<ClientEvent>(s.child.stdout);
}

const responses = (c: EventStream<ClientEvent>): ClientResponse[] => c.events.filter((e): e is ClientResponse => e.ev === 'response');

/** One GET over the given agent (or a fresh connection), resolving with the pod or the error code. */
function get(host: string, port: number, path: string, agent: Agent | false): Promise<{ pod: string | null; status: number; error: string | null; localPort: number | null }> {
  return new Promise((resolve) => {
    const req = request({ host, port, path, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ pod: typeof res.headers['x-pod'] === 'string' ? res.headers['x-pod'] : null, status: res.statusCode ?? 0, error: null, localPort: req.socket?.localPort ?? null }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ pod: null, status: 0, error: err.code ?? err.message, localPort: null }));
    req.end();
  });
}

/** The kubelet's part of `kubectl delete pod`: preStop (sleep, then ok.htm?down=true), SIGTERM, SIGKILL at the end of the grace period. */
async function kubeletTerminate(pod: Pod, deletedAt: number): Promise<{ preStopDoneAt: number; killedAt: number }> {
  await sleep(deletedAt + t.preStopMs - now(), signal);
  const down = await get(pod.ep.host, pod.ep.port, `${OK_PAGE}?down=true`, false);
  const preStopDoneAt = now();
  log(`preStop: GET ${OK_PAGE}?down=true on ${pod.name} -> ${down.status}; the app is draining`);
  process.kill(pod.pid, 'SIGTERM');
  await sleep(deletedAt + t.graceMs - now(), signal);
  // Taken before the signal: every answer that arrived earlier was sent by a pod still alive.
  const killedAt = now();
  process.kill(pod.pid, 'SIGKILL');
  log(`kubelet: SIGKILL to ${pod.name} (grace period over)`);
  await pod.exited;
  return { preStopDoneAt, killedAt };
}

/** Opens fresh connections to the Service, one per client interval, until stop() — which pod took each, or the error. */
function freshConnections(svc: Service): { results: { t: number; pod: string | null; error: string | null }[]; stop: () => Promise<void> } {
  const results: { t: number; pod: string | null; error: string | null }[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const r = await get(svc.addresses[0]!, svc.port, '/api/new-connection', false);
      results.push({ t: now(), pod: r.pod, error: r.error });
      await sleep(t.clientIntervalMs);
    }
  })();
  return { results, stop: async () => { running = false; await loop; } };
}

/**
 * Deletes the conntrack entry of one flow (by its source port) and sends the next request on it,
 * watching conntrack's event stream: the kernel picks the flow up again (nf_conntrack_tcp_loose) with
 * a NEW entry, and that entry's reply source says where the nat chains sent it this time.
 */
async function deleteFlowAndRetry(sport: string, next: () => Promise<{ status: number; error: string | null }>): Promise<{ flow: string; events: string[]; nextRequest: string; newEntryReplySrc: string | undefined }> {
  const flow = run(bin('conntrack'), ['-L', '-p', 'tcp', '--orig-port-src', sport]).trim();
  const watch = procs.spawn(bin('conntrack'), ['-E', '-p', 'tcp'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const all: string[] = [];
  const mine = ` sport=${sport} `;
  const lines = (): string[] => all.filter((l) => l.includes(mine));
  const arrived = new Wakeup();
  createInterface({ input: watch.child.stdout! }).on('line', (l) => {
    all.push(l.trim().replace(/\s+/g, ' ') + ' ');
    arrived.notify();
  });
  const until = (what: string, ok: () => boolean): Promise<true> =>
    waitFor(`${what} in conntrack -E`, () => ok() || undefined, { timeoutMs: SLACK_MS, intervalMs: 50, signal, wake: arrived, detail: () => `saw: ${all.join(' | ')}` });
  // The watch is subscribed once it reports a connection we open for that purpose; retried until then.
  let opened = 0;
  await until('an event for a connection of our own', () => {
    if (all.length > 0) return true;
    if (opened++ % 4 === 0) void get(SERVICE_ADDRESSES[0], SERVICE_PORT, '/api/watch-ready', false);
    return false;
  });
  run(bin('conntrack'), ['-D', '-p', 'tcp', '--orig-port-src', sport]);
  const r = await next();
  await until('a NEW entry for the flow', () => lines().some((l) => l.startsWith('[NEW]')));
  watch.child.kill('SIGTERM');
  const fresh = lines().find((l) => l.startsWith('[NEW]')) ?? '';
  return { flow, events: lines().map((l) => l.trim()), nextRequest: r.error ?? String(r.status), newEntryReplySrc: /dport=\d+ (?:\[UNREPLIED\] )?src=(\S+) dst=/.exec(fresh)?.[1] };
}

/** The pod whose address a conntrack reply source names, or "none". */
function podNamed(pods: readonly Pod[], address: string | undefined): string {
  return pods.find((p) => p.ep.host === address)?.name ?? 'none';
}

const rel = (x: number, deletedAt: number): number => Math.round(((x - deletedAt) / 1000 / scale) * 1000) / 1000;

async function broken(): Promise<Record<string, unknown>> {
  const svc: Service = { name: 'default/app:http', addresses: [SERVICE_ADDRESSES[0]], port: SERVICE_PORT };
  setUpLoopback(2);
  const pods = await Promise.all([startPod(0), startPod(1)]);
  let eps = pods.map((p) => p.ep);
  syncProxyRules(svc, eps, 'two ready pods');
  const gw: NginxServer = { name: 'gateway', port: 8081, upstreams: [`${svc.addresses[0]}:${svc.port}`] };
  await startNginx([gw]);
  log(`nginx (stock settings, one upstream server: the Service address) on ${HOST}:${gw.port} in the namespace`);
  const client = startClient(gw.port);
  const warm = await client.waitUntil(`${REAL.warmupRequests} answers through nginx`, () => {
    const r = responses(client);
    return r.length >= REAL.warmupRequests ? r : undefined;
  }, { signal, timeoutMs: SLACK_MS });
  const victimName = warm.at(-1)?.pod;
  const victim = pods.find((p) => p.name === victimName);
  if (!victim) throw new Error(`no pod answered through nginx: ${JSON.stringify(warm)}`);

  // A second established keep-alive connection to the victim, to delete its conntrack entry later.
  let probe: Agent | undefined;
  let probePort: number | null = null;
  for (let i = 0; i < 40 && !probe; i++) {
    const a = new Agent({ keepAlive: true, maxSockets: 1 });
    const r = await get(svc.addresses[0]!, svc.port, '/api/probe', a);
    if (r.pod === victim.name) {
      probe = a;
      probePort = r.localPort;
    } else a.destroy();
  }
  if (!probe || probePort === null) throw new Error(`no fresh connection reached ${victim.name} in 40 tries`);

  const deletedAt = now();
  log(`kubectl delete pod ${victim.name}: endpoint terminating, preStop started`);
  eps = markTerminating(eps, victim.name);
  syncProxyRules(svc, eps, `${victim.name} terminating`);
  const fresh = freshConnections(svc);
  const kubelet = kubeletTerminate(victim, deletedAt);

  await sleep(t.preStopMs / 2, signal);
  const ct = await deleteFlowAndRetry(String(probePort), () => get(svc.addresses[0]!, svc.port, '/api/probe', probe!));
  const natTo = podNamed(pods, ct.newEntryReplySrc);
  log(`conntrack -D of the probe's flow; its next request: ${ct.nextRequest}; the kernel's new entry for it goes to ${natTo}`);
  probe.destroy();

  const { preStopDoneAt, killedAt } = await kubelet;
  await fresh.stop();
  eps = removeEndpoint(eps, victim.name);
  syncProxyRules(svc, eps, `${victim.name} gone`);
  await client.waitUntil(`${REAL.tailRequests} answers after ${victim.name} exited`, () =>
    responses(client).filter((r) => r.sentT > killedAt).length >= REAL.tailRequests ? true : undefined, { signal, timeoutMs: SLACK_MS + REAL.tailRequests * t.clientIntervalMs });

  const timeline: TimelineEntry[] = responses(client).map((r) => toEntry(r, deletedAt, scale));
  return {
    scenario: 'broken',
    topology: 'client -> nginx (stock, one server: the Service address) -> kube-proxy-shaped NAT -> 2 pods, in a network namespace',
    deletedPod: victim.name,
    marks: { preStopDone: rel(preStopDoneAt, deletedAt), sigkill: rel(killedAt, deletedAt) },
    ...responseObservations(timeline, victim.name),
    newConnectionsToDeletedPod: newConnectionsToDeleted(victim.events.events, deletedAt),
    freshConnectionsAfterDeletion: fresh.results.map((r) => r.pod ?? r.error),
    conntrack: { flow: ct.flow, events: ct.events, nextRequest: ct.nextRequest, newEntryTo: natTo === victim.name ? 'the deleted pod' : natTo === 'none' ? 'none' : 'the ready pod' },
    errorLog: messagesIn(readFileSync(errorLogPath(dir, gw), 'utf8')),
    timeline,
  };
}

async function singleReplicaService(): Promise<Record<string, unknown>> {
  const svc: Service = { name: 'default/app:http', addresses: SERVICE_ADDRESSES, port: SERVICE_PORT };
  setUpLoopback(1);
  const pod = await startPod(0);
  let eps = [pod.ep];
  syncProxyRules(svc, eps, 'one ready pod');
  const failTimeoutS = Math.max(1, Math.round(REAL.failTimeoutS * scale));
  const servers: NginxServer[] = [
    { name: 'one_default', port: 8081, upstreams: [`${SERVICE_ADDRESSES[0]}:${SERVICE_PORT}`] },
    { name: 'one_http503', port: 8082, upstreams: [`${SERVICE_ADDRESSES[0]}:${SERVICE_PORT}`], nextUpstream: 'error timeout http_503' },
    {
      name: 'two_http503',
      port: 8083,
      upstreams: SERVICE_ADDRESSES.map((a) => `${a}:${SERVICE_PORT}`),
      serverParams: `max_fails=1 fail_timeout=${failTimeoutS}s`,
      nextUpstream: 'error timeout http_503',
    },
  ];
  await startNginx(servers);
  log(`nginx: three server blocks (one server, default proxy_next_upstream; one server, http_503; two servers, http_503, max_fails=1 fail_timeout=${failTimeoutS}s)`);
  const clients = servers.map((s) => startClient(s.port));
  await Promise.all(clients.map((c) => c.waitUntil(`${REAL.warmupRequests} answers through nginx`, () => (responses(c).length >= REAL.warmupRequests ? true : undefined), { signal, timeoutMs: SLACK_MS })));

  const deletedAt = now();
  log(`kubectl delete pod ${pod.name}: endpoint terminating (and still serving), preStop started`);
  eps = markTerminating(eps, pod.name);
  syncProxyRules(svc, eps, `${pod.name} terminating, no ready endpoint`);
  const fresh = freshConnections(svc);
  const { preStopDoneAt, killedAt } = await kubeletTerminate(pod, deletedAt);
  await fresh.stop();

  // Answers that arrived before the SIGKILL: a request in flight when the pod is killed fails for
  // that reason, whatever nginx's settings.
  const window = (c: EventStream<ClientEvent>, untilT: number): ClientResponse[] => {
    const r = responses(c).filter((x) => x.t >= deletedAt && x.t < untilT);
    const first503 = r.findIndex((x) => x.status === 503);
    return first503 === -1 ? [] : r.slice(first503);
  };
  const runs = (rs: readonly ClientResponse[]): number[] => statusRuns(rs.map((r) => toEntry(r, deletedAt, scale)));
  const [oneDefault, oneHttp503, two] = clients as [EventStream<ClientEvent>, EventStream<ClientEvent>, EventStream<ClientEvent>];
  const twoAll = window(two, killedAt);
  const twoBurst = twoAll.length ? twoAll.filter((r) => r.sentT < twoAll[0]!.t + failTimeoutS * 1000) : [];
  const logs = Object.fromEntries(servers.map((s) => [s.name, messagesIn(readFileSync(errorLogPath(dir, s), 'utf8'))]));
  const beforeExit = fresh.results.filter((r) => r.t < killedAt);
  return {
    scenario: 'single-replica-service',
    topology: 'clients -> nginx (three server blocks) -> kube-proxy-shaped NAT (two Service addresses) -> 1 pod, in a network namespace',
    deletedPod: pod.name,
    failTimeoutS,
    marks: { preStopDone: rel(preStopDoneAt, deletedAt), sigkill: rel(killedAt, deletedAt) },
    newConnectionsToDeletedPod: newConnectionsToDeleted(pod.events.events, deletedAt),
    freshConnectionsAfterDeletion: beforeExit.map((r) => r.pod ?? r.error),
    freshConnectionErrors: [...new Set(beforeExit.flatMap((r) => (r.error ? [r.error] : [])))].sort(),
    nginx: {
      'error timeout': runs(window(oneDefault, killedAt)),
      'error timeout http_503': runs(window(oneHttp503, killedAt)),
      'two servers, http_503': runs(twoAll),
      'two servers, first fail_timeout': runs(twoBurst),
    },
    errorLogs: logs,
    // The two-server block's log lines for the two messages, without date, pid and connection number.
    errorLogSample: readFileSync(errorLogPath(dir, servers[2]!), 'utf8').split('\n')
      .filter((l) => messagesIn(l).length > 0)
      .map((l) => l.replace(/^\S+ \S+ (\[\w+\]) \d+#\d+: \*\d+ /, '$1 ').replace(/, client: .*$/, ''))
      .filter((l, i, all) => all.indexOf(l) === i),
    timelines: Object.fromEntries(servers.map((s, i) => [s.name, responses(clients[i]!).map((r) => toEntry(r, deletedAt, scale))])),
  };
}

try {
  const result = scenario === 'broken' ? await broken() : await singleReplicaService();
  out({ ev: 'result', result });
  process.exit(0);
} catch (err) {
  process.stderr.write(`real tier (inside the namespace): ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
}
