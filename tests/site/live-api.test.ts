// The live-run API's guards (repros/lib/live/api.ts) and the server around it
// (repros/lib/live/server.ts), in process, on a tiny stand-in site: Host, method, Origin,
// Sec-Fetch-Site, token, Content-Type, body size and shape, and validation by the registry and the
// CLI's flag specs; then a run streams to the end, a second run of the same incident is busy, and Stop,
// a closed stream, the time limit and the server stopping each end a run and leave no process and
// no socket behind (tests/lib/procs.ts, as tests/repros/cleanup.test.ts reads them), as does Ctrl-C
// or a SIGKILL of the server itself.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { validateRun, type LiveEvent } from '../../repros/lib/live/api.ts';
import { startServer, type LiveServer } from '../../repros/lib/live/server.ts';
import { loadRepro } from '../../repros/lib/registry.ts';
import { HAVE_PROC, listenersOf, stillListening, stillRunning, treeOf } from '../lib/procs.ts';
import { HOST, HOST_PATTERN } from '../../repros/lib/address.ts';
import { waitFor } from '../../repros/lib/clock.ts';

const SERVER = join(import.meta.dirname, '..', '..', 'repros', 'lib', 'live', 'server.ts');
const PAGE = '<!doctype html><html><head><title>x</title></head><body><section data-live="keepalive-502"></section></body></html>';
let dist = '';
let srv: LiveServer;

before(async () => {
  dist = mkdtempSync(join(tmpdir(), 'kb-live-'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><html><head></head><body>home</body></html>');
  writeFileSync(join(dist, '404.html'), '<!doctype html><html><head></head><body>not found</body></html>');
  mkdirSync(join(dist, 'incidents', 'keepalive-502'), { recursive: true });
  writeFileSync(join(dist, 'incidents', 'keepalive-502', 'index.html'), PAGE);
  srv = await startServer({ dist, port: 0, base: '/' });
});

after(async () => {
  await srv.close();
  rmSync(dist, { recursive: true, force: true });
});

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function call(s: LiveServer, opts: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: HOST, port: s.port, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const own = (s: LiveServer, extra: Record<string, string> = {}): Record<string, string> => ({
  host: `${HOST}:${s.port}`,
  origin: `http://${HOST}:${s.port}`,
  'content-type': 'application/json',
  'x-kb-live-token': s.api.token,
  ...extra,
});

const post = (s: LiveServer, action: string, body: unknown, headers: Record<string, string> = own(s)): Promise<Answer> =>
  call(s, { method: 'POST', path: `/_live/${action}`, headers, body: typeof body === 'string' ? body : JSON.stringify(body) });

const errorOf = (a: Answer): string => (JSON.parse(a.body) as { error: string }).error;
const events = (a: Answer): LiveEvent[] => a.body.trim().split('\n').map((l) => JSON.parse(l) as LiveEvent);

/** The test process alone again: no CLI child or repro process, and no socket but the servers'. */
/**
 * Waits until the test's process tree is back to this process alone, no socket but the servers' own
 * listens, and each server has noticed its runs ended (its bookkeeping follows the child's exit event,
 * a moment after the process has gone from /proc).
 */
async function nothingLeft(servers: LiveServer[]): Promise<void> {
  const ports = new Set(servers.map((s) => s.port));
  const left = (): string => {
    const tree = HAVE_PROC ? treeOf(process.pid) : [];
    const extra = HAVE_PROC ? listenersOf(tree).filter((l) => !ports.has(l.port)) : [];
    const runs = servers.flatMap((s) => s.api.active.slugs);
    const procs = tree.filter((p) => p.pid !== process.pid).map((p) => `process ${p.pid}`).concat(extra.map((l) => `socket ${l.port}`), runs.map((r) => `run ${r}`));
    return procs.join(', ');
  };
  await waitFor('nothing left of the runs', () => (left() === '' && servers.every((s) => s.api.active.processes === 0) ? true : undefined), {
    timeoutMs: 15_000,
    intervalMs: 100,
    detail: () => `left behind: ${left() || 'processes counted by a server'}`,
  });
}

test(`a foreign Host is refused for pages and the API alike (DNS rebinding); localhost and ${HOST} on our port pass`, async () => {
  for (const host of ['evil.example', `evil.example:${srv.port}`, `${HOST}:${srv.port + 1}`, HOST]) {
    const page = await call(srv, { path: '/incidents/keepalive-502/', headers: { host } });
    assert.equal(page.status, 403, host);
    assert.match(errorOf(page), /is not this server's address/);
    assert.doesNotMatch(page.body, new RegExp(srv.api.token));
    assert.equal((await post(srv, 'run', {}, own(srv, { host }))).status, 403);
  }
  for (const host of [`${HOST}:${srv.port}`, `localhost:${srv.port}`]) {
    assert.equal((await call(srv, { path: '/', headers: { host } })).status, 200, host);
  }
});

test('the token is in pages that carry a panel, never cached, and absent elsewhere', async () => {
  const page = await call(srv, { path: '/incidents/keepalive-502/' });
  assert.equal(page.status, 200);
  assert.ok(page.body.includes(`<meta name="kb-live" content="${srv.api.token}" data-api="/_live/"></head>`));
  assert.equal(page.headers['cache-control'], 'no-store');
  assert.ok(srv.api.token.length >= 32);
  const home = await call(srv, { path: '/' });
  assert.doesNotMatch(home.body, /kb-live/);
  // Astro preview's habits: /x serves x/index.html, an unknown path gets 404.html, no escape from dist.
  assert.equal((await call(srv, { path: '/incidents/keepalive-502' })).status, 200);
  assert.equal((await call(srv, { path: '/nope/' })).status, 404);
  assert.equal((await call(srv, { path: '/../../etc/passwd' })).status, 404);
  assert.equal((await call(srv, { path: '/%2e%2e/%2e%2e/etc/passwd' })).status, 404);
});

test('the API refuses other methods, other origins, cross-site fetches, a missing or wrong token and non-JSON', async () => {
  const port = srv.port;
  const cases: [string, Answer, number, RegExp][] = [
    ['GET', await call(srv, { path: '/_live/run', headers: own(srv) }), 405, /POST only/],
    ['OPTIONS (a CORS preflight)', await call(srv, { method: 'OPTIONS', path: '/_live/run', headers: own(srv) }), 405, /POST only/],
    ['no Origin', await post(srv, 'run', {}, own(srv, { origin: '' })), 403, /Origin "" is not this site/],
    ['another site', await post(srv, 'run', {}, own(srv, { origin: 'http://evil.example' })), 403, /Origin "http:\/\/evil\.example" is not this site/],
    ['another port', await post(srv, 'run', {}, own(srv, { origin: `http://${HOST}:${port + 1}` })), 403, /is not this site/],
    ['https', await post(srv, 'run', {}, own(srv, { origin: `https://${HOST}:${port}` })), 403, /is not this site/],
    [`Origin localhost, Host ${HOST}`, await post(srv, 'run', {}, own(srv, { origin: `http://localhost:${port}` })), 403, /is not this site/],
    ['cross-site fetch', await post(srv, 'run', {}, own(srv, { 'sec-fetch-site': 'cross-site' })), 403, /Sec-Fetch-Site "cross-site"/],
    ['no token', await post(srv, 'run', {}, own(srv, { 'x-kb-live-token': '' })), 403, /missing or wrong token/],
    ['wrong token', await post(srv, 'run', {}, own(srv, { 'x-kb-live-token': srv.api.token.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')) })), 403, /missing or wrong token/],
    ['text/plain (a form post)', await post(srv, 'run', {}, own(srv, { 'content-type': 'text/plain' })), 415, /application\/json/],
    ['too big', await post(srv, 'run', 'x'.repeat(2000)), 413, /over 1024 bytes/],
    ['not JSON', await post(srv, 'run', '{'), 400, /not JSON/],
    ['unknown action', await post(srv, 'exec', {}), 404, /unknown action "exec"\. Valid: run, stop/],
  ];
  for (const [what, a, status, message] of cases) {
    assert.equal(a.status, status, `${what}: ${a.body}`);
    assert.match(errorOf(a), message, what);
  }
  // The same site by name: Host and Origin both localhost on our port pass the guards (and reach validation).
  const byName = await post(srv, 'run', {}, own(srv, { host: `localhost:${port}`, origin: `http://localhost:${port}` }));
  assert.equal(byName.status, 400);
  assert.match(errorOf(byName), /unknown incident/);
  assert.deepEqual(srv.api.active, { slugs: [], processes: 0 });
});

test('only incidents and scenarios of the registry, with scale and tier checked by the CLI\'s flag specs', async () => {
  const ka = await loadRepro('keepalive-502');
  const noReal = Object.keys(ka.scenarios).find((n) => !ka.scenarios[n]?.real);
  const cases: [unknown, RegExp][] = [
    [[], /must be a JSON object/],
    [{ slug: 'keepalive-502', scenario: 'broken', scale: 1, flags: { port: 1 } }, /unknown field flags\. Valid: slug, scenario, tier, scale/],
    [{ slug: '../etc', scenario: 'broken', scale: 1 }, /unknown incident "\.\.\/etc"\. Valid: .*keepalive-502/],
    [{ slug: 'keepalive-502', scenario: 'constructor', scale: 1 }, /has no scenario "constructor"\. Valid: broken/],
    [{ slug: 'keepalive-502', scenario: 'pod', scale: 1 }, /has no scenario "pod"/],
    [{ slug: 'keepalive-502', scenario: 'broken --port 80', scale: 1 }, /has no scenario/],
    [{ slug: 'keepalive-502', scenario: 'broken', scale: '0.1; rm -rf /' }, /scale must be a number/],
    [{ slug: 'keepalive-502', scenario: 'broken', scale: 0 }, /scale must be at least 0\.0001, got 0/],
    [{ slug: 'keepalive-502', scenario: 'broken', scale: 11 }, /scale must be at most 10/],
    [{ slug: 'keepalive-502', scenario: 'broken', scale: 1, tier: 'cluster' }, /tier does not accept "cluster"\. Valid: stand-in, real/],
    [{ slug: 'keepalive-502', scenario: 'broken', scale: 1, tier: 1 }, /tier must be a string/],
  ];
  if (noReal) cases.push([{ slug: 'keepalive-502', scenario: noReal, scale: 1, tier: 'real' }, new RegExp(`"${noReal}" has no real tier`)]);
  for (const [body, message] of cases) {
    const a = await post(srv, 'run', body);
    assert.equal(a.status, 400, JSON.stringify(body));
    assert.match(errorOf(a), message, JSON.stringify(body));
  }
  const ok = await validateRun({ slug: 'keepalive-502', scenario: 'broken', scale: 0.2 });
  assert.deepEqual(ok.run, { slug: 'keepalive-502', scenario: 'broken', tier: 'stand-in', scale: 0.2 });
});

test('a run streams its narration, then its report with each claim\'s statement and documented expectation', async () => {
  const a = await post(srv, 'run', { slug: 'crashloop-backoff', scenario: 'model', scale: 1 });
  assert.equal(a.status, 200, a.body);
  assert.match(a.headers['content-type'] ?? '', /application\/x-ndjson/);
  const ev = events(a);
  assert.equal(ev[0]?.type, 'start');
  assert.ok(ev.some((e) => e.type === 'log'));
  const report = ev.find((e) => e.type === 'report');
  assert.ok(report?.type === 'report');
  assert.ok(report.report.results.length > 0);
  for (const r of report.report.results) {
    assert.equal(r.pass, true, r.id);
    assert.ok(r.statement.length > 20 && r.expected.length > 0, r.id);
  }
  assert.deepEqual(ev.at(-1), { type: 'end', code: 0, reason: 'finished' });
  await nothingLeft([srv]);
});

/** A run that lasts until stopped: the chaos test in real time (two processes, about 40 minutes). */
const CHAOS = { slug: 'crashloop-backoff', scenario: 'chaos', scale: 1, up: '1/1     Running' };
/** keepalive-502 up: five processes and their sockets, until stopped. */
const TOPOLOGY = { slug: 'keepalive-502', scenario: 'up', scale: 0.2, up: 'gateway URL' };

/** Starts a long run and resolves `up` once its narration shows it is up. */
function startLong(s: LiveServer, run = CHAOS): { up: Promise<void>; done: Promise<LiveEvent[]>; abort(): void } {
  let upResolve: () => void = () => undefined;
  const up = new Promise<void>((r) => (upResolve = r));
  let req: ReturnType<typeof httpRequest> | undefined;
  const done = new Promise<LiveEvent[]>((resolve, reject) => {
    req = httpRequest({ host: HOST, port: s.port, method: 'POST', path: '/_live/run', headers: own(s) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
        if (body.includes(run.up)) upResolve();
      });
      res.on('end', () => resolve(body.trim().split('\n').map((l) => JSON.parse(l) as LiveEvent)));
      res.on('error', () => resolve([]));
    });
    req.on('error', (e) => (req?.destroyed ? resolve([]) : reject(e)));
    req.end(JSON.stringify({ slug: run.slug, scenario: run.scenario, scale: run.scale }));
  });
  return { up, done, abort: () => req?.destroy() };
}

test('one run per incident: a second is busy, another incident may run; Stop ends the run and leaves nothing behind', async () => {
  const long = startLong(srv);
  await long.up;
  assert.equal(HAVE_PROC ? treeOf(process.pid).length > 2 : true, true, 'the run has processes');
  const second = await post(srv, 'run', { slug: 'crashloop-backoff', scenario: 'model', scale: 1 });
  assert.equal(second.status, 409);
  assert.match(errorOf(second), /^busy: crashloop-backoff is already running chaos/);
  const other = await post(srv, 'run', { slug: 'containerd-stopped', scenario: 'node-controller', scale: 1 });
  assert.equal(other.status, 200);
  assert.equal(events(other).at(-1)?.type, 'end');
  assert.equal((await post(srv, 'stop', { slug: 'keepalive-502' })).status, 404);
  const stop = await post(srv, 'stop', { slug: 'crashloop-backoff' });
  assert.equal(stop.status, 200, stop.body);
  const ev = await long.done;
  assert.equal(ev.at(-1)?.type, 'end');
  assert.equal((ev.at(-1) as { reason: string }).reason, 'stopped');
  await nothingLeft([srv]);
  assert.deepEqual(srv.api.active, { slugs: [], processes: 0 });
});

test('closing the stream (the page went away) ends the run', async () => {
  const long = startLong(srv);
  await long.up;
  long.abort();
  await nothingLeft([srv]);
  assert.deepEqual(srv.api.active, { slugs: [], processes: 0 });
});

test('a run ends at the time limit, and a stopping server ends its runs', async () => {
  const limited = await startServer({ dist, port: 0, base: '/', maxRunMs: 1500 });
  try {
    const long = startLong(limited);
    const ev = await long.done;
    assert.equal((ev.at(-1) as { reason: string }).reason, 'time-limit');
    assert.equal((ev[0] as { limitS: number }).limitS, 2);
    await nothingLeft([srv, limited]);
    const again = startLong(limited);
    await Promise.race([again.up, again.done]);
  } finally {
    await limited.close();
  }
  await nothingLeft([srv]);
});

// The server itself interrupted mid-run (Ctrl-C, or SIGKILL, which runs no handler): every process of
// the run exits and every socket it listened on closes. After a SIGKILL the CLI child notices that its
// stdin pipe closed or its parent changed (repros/lib/live/orphan-guard.ts) and stops its processes.
for (const signal of ['SIGINT', 'SIGKILL'] as const) {
  test(`${signal} to the server mid-run leaves no process and no socket behind`, { skip: !HAVE_PROC && 'needs /proc' }, async () => {
    const server = spawn(process.execPath, [SERVER, '--port', '0', '--dist', dist], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        server.stdout.on('data', (b: Buffer) => {
          out += b.toString();
          const m = new RegExp(`on (http://${HOST_PATTERN}:\\d+/)`).exec(out);
          if (m) resolve(m[1] as string);
        });
        server.once('exit', (c) => reject(new Error(`server exited ${c}: ${out}`)));
      });
      const port = Number(new URL(url).port);
      const page = await (await fetch(`${url}incidents/keepalive-502/`)).text();
      const token = /name="kb-live" content="([^"]+)"/.exec(page)?.[1] ?? '';
      const fake = { port, api: { token } } as unknown as LiveServer;
      const long = startLong(fake, TOPOLOGY);
      await long.up;
      const procs = treeOf(server.pid as number);
      const socks = listenersOf(procs);
      assert.ok(procs.length >= 4, `the server, the CLI and the topology: ${procs.length}`);
      assert.ok(socks.length >= 3);
      const exited = new Promise((r) => server.once('exit', r));
      server.kill(signal);
      await exited;
      const deadline = performance.now() + 15_000;
      for (;;) {
        const left = stillRunning(procs);
        const open = stillListening(socks);
        if (left.length === 0 && open.length === 0) break;
        if (performance.now() > deadline) assert.fail(`after ${signal}: processes ${left.map((p) => p.pid).join(', ')}, sockets ${open.map((l) => l.port).join(', ')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      await long.done;
    } finally {
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
    }
  });
}
