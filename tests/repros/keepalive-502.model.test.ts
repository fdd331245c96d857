// Unit tests for the pure parts of the keepalive-502 repro: the app's shutdown replies, the
// balancer's endpoint choices (a cloud LB that deregisters, kube-proxy's CategorizeEndpoints), the
// incident gateway's passive health check, the real tier's iptables chains and nginx.conf, and the
// timeline maths.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { chartOf, type Recording } from '../../src/components/keepalive-502/chart.ts';
import { categorizeClusterEndpoints, eligibleForNewConnections, markTerminating, parseEndpoints, pickEndpoint, removeEndpoint } from '../../repros/keepalive-502/endpoints.ts';
import { natRules, sepChain, svcChain, type Service } from '../../repros/keepalive-502/real/kube-proxy-chains.ts';
import { messagesIn, nginxConf } from '../../repros/keepalive-502/real/nginx-conf.ts';
import { reply } from '../../repros/keepalive-502/graceful-shutdown.ts';
import { createPeers, freePeer, getPeer, isUnavailable, mayTryNext, type HealthConfig } from '../../repros/keepalive-502/incident-gateway-health.ts';
import { burstAfterFirst503, oldConnection, statusRuns, type TimelineEntry } from '../../repros/keepalive-502/timeline.ts';
import { UsageError } from '../../repros/lib/repro.ts';
import { HOST, HOST_PATTERN } from '../../repros/lib/address.ts';

const q = (s = ''): URLSearchParams => new URLSearchParams(s);

test('graceful shutdown: the incident app answers 503 "halting" on the ok page once down, and closes that connection', () => {
  const app = { draining: false, fix: false };
  assert.deepEqual(reply('/ok.htm', q(), app), { status: 200, body: 'ok\n', close: false, startsDraining: false });
  assert.equal(reply('/ok.htm', q('down=true'), app).startsDraining, true);
  const down = { draining: true, fix: false };
  assert.deepEqual(reply('/ok.htm', q(), down), { status: 503, body: 'halting\n', close: true, startsDraining: false });
  // Business paths keep answering, on the same keep-alive connection.
  assert.deepEqual(reply('/api/orders', q(), down), { status: 200, body: 'served /api/orders\n', close: false, startsDraining: false });
});

test('graceful shutdown: the fixed app keeps the ok page at 200 and closes every connection while draining', () => {
  const fixed = { draining: true, fix: true };
  assert.deepEqual(reply('/ok.htm', q(), fixed), { status: 200, body: 'ok\n', close: true, startsDraining: false });
  assert.equal(reply('/api/orders', q(), fixed).close, true);
  assert.equal(reply('/ok.htm', q(), { draining: false, fix: true }).close, false);
});

test('endpoints: a terminating endpoint gets no new connections; none ready means none eligible', () => {
  const eps = parseEndpoints([`pod-0=${HOST}:8081`, `pod-1=${HOST}:8082`]);
  assert.deepEqual([0, 1, 2, 3].map((n) => pickEndpoint(eps, n)?.name), ['pod-0', 'pod-1', 'pod-0', 'pod-1']);
  const t = markTerminating(eps, 'pod-0');
  assert.deepEqual(t.find((e) => e.name === 'pod-0'), { name: 'pod-0', host: HOST, port: 8081, ready: false, serving: true, terminating: true });
  assert.deepEqual([0, 1, 2].map((n) => pickEndpoint(t, n)?.name), ['pod-1', 'pod-1', 'pod-1']);
  const single = markTerminating(parseEndpoints([`${HOST}:9000`]), 'ep-0');
  assert.equal(pickEndpoint(single, 0), undefined);
  assert.deepEqual(eligibleForNewConnections(single), []);
  assert.deepEqual(removeEndpoint(t, 'pod-0').map((e) => e.name), ['pod-1']);
});

test('endpoints: kube-proxy falls back to serving terminating endpoints only when none is ready (CategorizeEndpoints)', () => {
  const eps = parseEndpoints([`pod-0=${HOST}:8081`, `pod-1=${HOST}:8082`]);
  const t = markTerminating(eps, 'pod-0');
  assert.deepEqual(categorizeClusterEndpoints(t).map((e) => e.name), ['pod-1'], 'a ready endpoint exists: the terminating one is left out');
  const single = markTerminating(parseEndpoints([`pod-0=${HOST}:8081`]), 'pod-0');
  assert.deepEqual(eligibleForNewConnections(single, 'kube-proxy').map((e) => e.name), ['pod-0'], 'none ready: the serving, terminating one');
  assert.deepEqual(eligibleForNewConnections(single, 'deregister'), [], 'a balancer that deregisters has nothing left');
  assert.deepEqual(categorizeClusterEndpoints(single.map((e) => ({ ...e, serving: false }))), [], 'terminating but not serving: nothing');
  assert.equal(pickEndpoint(single, 0, 'kube-proxy')?.name, 'pod-0');
});

test('real tier: kube-proxy-shaped chains, rewritten when an endpoint terminates and when it leaves', () => {
  const svc: Service = { name: 'default/app:http', addresses: ['10.96.0.10'], port: 80 };
  const eps = parseEndpoints(['pod-0=10.244.0.10:8080', 'pod-1=10.244.0.11:8080']);
  const all = natRules(svc, eps);
  assert.match(all.text, /^\*nat\n:KUBE-SERVICES - \[0:0\]\n/);
  assert.ok(all.text.includes(`-A KUBE-SERVICES -d 10.96.0.10/32 -p tcp -m comment --comment "default/app:http cluster IP" -m tcp --dport 80 -j ${svcChain(svc)}`));
  assert.ok(all.text.includes('--probability 0.5000000000'), 'first of two endpoints: probability 1/2; the last takes the rest');
  assert.ok(all.text.includes('-j DNAT --to-destination 10.244.0.11:8080'));
  assert.ok(all.text.endsWith('COMMIT\n'));
  assert.match(svcChain(svc), /^KUBE-SVC-[A-Z2-7]{16}$/);
  const terminating = natRules(svc, markTerminating(eps, 'pod-0'), all.seps);
  const sep0 = sepChain(svc, eps[0]!);
  assert.deepEqual(terminating.seps, [sepChain(svc, eps[1]!)]);
  assert.ok(terminating.text.includes(`:${sep0} - [0:0]\n`) && terminating.text.includes(`-X ${sep0}\n`), 'the stale chain is emptied, then deleted');
  assert.ok(!terminating.text.includes('probability'));
  const fallback = natRules(svc, markTerminating(parseEndpoints(['pod-0=10.244.0.10:8080']), 'pod-0'));
  assert.ok(fallback.text.includes('--to-destination 10.244.0.10:8080'), 'no ready endpoint: the terminating one keeps its DNAT');
});

test('real tier: nginx.conf keeps every path under the run directory and states only what differs from the defaults', () => {
  const conf = nginxConf('/tmp/x', [
    { name: 'one', port: 8081, upstreams: ['10.96.0.10:80'] },
    { name: 'two', port: 8083, upstreams: ['10.96.0.10:80', '10.96.0.11:80'], serverParams: 'max_fails=1 fail_timeout=2s', nextUpstream: 'error timeout http_503' },
  ]);
  for (const line of conf.split('\n').filter((l) => /(_path|pid|error_log) /.test(l))) assert.match(line, /\/tmp\/x\//, line);
  assert.match(conf, /upstream one \{\n    server 10\.96\.0\.10:80;\n    keepalive 8;/);
  assert.match(conf, /server 10\.96\.0\.11:80 max_fails=1 fail_timeout=2s;/);
  assert.equal(conf.match(/proxy_next_upstream /g)?.length, 1, 'the one-server block keeps the default');
  assert.match(conf, new RegExp(`listen ${HOST_PATTERN}:8081;`));
  assert.deepEqual(messagesIn('... [warn] 1#1: *3 upstream server temporarily disabled while reading response header from upstream'), ['upstream server temporarily disabled']);
});

test('endpoints: a malformed address is a usage error naming the valid form', () => {
  assert.throws(() => parseEndpoints(['pod-0=nowhere']), (e: unknown) => e instanceof UsageError && /name=host:port/.test(e.message));
  assert.throws(() => parseEndpoints([`${HOST}:70000`]), UsageError);
});

const cfg: HealthConfig = { maxFails: 1, failTimeoutMs: 10_000 };

test('incident gateway: one failure marks even the only upstream unavailable (stock nginx never does) for fail_timeout, then it is tried again', () => {
  const peers = createPeers(['lb']);
  const lb = peers[0]!;
  assert.equal(getPeer(peers, new Set(), cfg, 1_000), 0);
  assert.equal(freePeer(lb, true, cfg, 1_000), true);
  assert.equal(isUnavailable(lb, cfg, 1_000), true);
  assert.equal(getPeer(peers, new Set(), cfg, 5_000), undefined, 'no live upstreams: the gateway answers 502');
  assert.equal(getPeer(peers, new Set(), cfg, 11_000), undefined, 'fail_timeout is inclusive (now - checked <= fail_timeout)');
  assert.equal(getPeer(peers, new Set(), cfg, 11_001), 0);
  freePeer(lb, false, cfg, 11_002);
  assert.equal(lb.fails, 0, 'a success after the re-check clears the failures');
});

test('incident gateway: with pod addresses, a failing pod is skipped and the other keeps serving', () => {
  const peers = createPeers(['pod-0', 'pod-1']);
  const picks = [0, 1, 2, 3].map(() => getPeer(peers, new Set(), cfg, 0));
  assert.deepEqual(picks, [0, 1, 0, 1], 'equal weights: plain round robin');
  freePeer(peers[0]!, true, cfg, 100);
  assert.deepEqual([0, 1, 2].map(() => getPeer(peers, new Set(), cfg, 200)), [1, 1, 1]);
  assert.equal(mayTryNext(peers, new Set([0])), true);
  assert.equal(mayTryNext(peers, new Set([0, 1])), false);
  assert.equal(getPeer(peers, new Set([1]), cfg, 200), undefined);
});

const entry = (s: number, status: number, pod: string | null, conn: string | null): TimelineEntry => ({ s, status, pod, conn, gatewayConn: 'g1', error: null });

test('timeline: runs, the old connection and the 502 burst', () => {
  const tl = [
    entry(-1, 200, 'pod-0', 'pod-0/c1'),
    entry(0.5, 200, 'pod-0', 'pod-0/c1'),
    entry(1.5, 200, 'pod-0', 'pod-0/c1'),
    entry(2.5, 503, 'pod-0', 'pod-0/c1'),
    entry(3.5, 502, null, null),
    entry(4.5, 502, null, null),
    entry(5.5, 200, 'pod-1', 'pod-1/c1'),
    entry(6.5, 502, null, null),
  ];
  assert.deepEqual(statusRuns(tl), [200, 503, 502, 200, 502]);
  const old = oldConnection(tl, 'pod-0');
  assert.equal(old.conn, 'pod-0/c1');
  assert.deepEqual(old.served.map((e) => e.s), [0.5, 1.5]);
  assert.equal(burstAfterFirst503(tl), 2);
  assert.equal(burstAfterFirst503(tl.slice(0, 3)), 0);
});

test('chart: one lane per answering connection plus the gateway, one mark per recorded request', () => {
  const rec = JSON.parse(readFileSync(new URL('../../repros/keepalive-502/recordings/broken.json', import.meta.url), 'utf8')) as Recording;
  const c = chartOf(rec);
  assert.deepEqual(c.lanes.map((l) => l.label), ['pod-0, connection c1', 'gateway itself', 'pod-1, connection c1']);
  assert.equal(c.points.length, rec.observations.timeline.length);
  assert.deepEqual(c.markers.map((m) => m.label), ['kubectl delete pod pod-0', 'preStop ends: ok.htm?down=true', 'grace period over: SIGKILL']);
  assert.ok(c.points.every((p) => p.x >= c.plot.left && p.x <= c.plot.right));
});
