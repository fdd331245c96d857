// Clients that are not this repro's code, against the running `up` topology: Node's built-in fetch
// (undici, whose keep-alive pool reuses one connection for sequential requests) plays the incident's
// client, and curl, fetching two URLs over one connection, arrives while the gateway has its only
// upstream marked down.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { sleep } from '../../repros/lib/clock.ts';
import { runScenario } from '../../repros/lib/runner.ts';
import { claims } from '../../repros/keepalive-502/claims.ts';
import { statusRuns, type TimelineEntry } from '../../repros/keepalive-502/timeline.ts';
import { REAL, scaledTimings } from '../../repros/keepalive-502/constants.ts';
import { assertClaim } from '../lib/claims.ts';

const SCALE = 0.2;
const CURL = '/usr/bin/curl';
const run = promisify(execFile);

test('fetch and curl against `up`: the same 503 then 502s, for every client and every path', { timeout: 90_000 }, async () => {
  const t = scaledTimings(SCALE);
  const ac = new AbortController();
  const lines: string[] = [];
  let wake: () => void = () => undefined;
  const up = runScenario('keepalive-502', 'up', {
    scale: SCALE,
    signal: ac.signal,
    log: (l) => {
      lines.push(l);
      wake();
    },
  });
  const line = (re: RegExp): Promise<string> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`up never printed ${re}: ${lines.join('\n')}`)), 30_000);
      const check = (): void => {
        const m = lines.map((l) => re.exec(l)).find((x) => x);
        if (m?.[1]) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      };
      wake = check;
      check();
      up.catch(reject);
    });

  try {
    const gateway = (await line(/^gateway URL: (\S+?)\/?$/)).replace(/\/$/, '');
    const deletion = (await line(/^pod-deletion URL: (\S+?)\/?$/)).replace(/\/$/, '');
    const seen: TimelineEntry[] = [];
    let deletedAt = 0;
    const get = async (): Promise<TimelineEntry> => {
      const res = await fetch(`${gateway}/ok.htm`);
      await res.text();
      const e: TimelineEntry = {
        s: deletedAt === 0 ? -1 : (performance.now() - deletedAt) / 1000 / SCALE,
        status: res.status,
        pod: res.headers.get('x-pod'),
        conn: res.headers.get('x-pod-conn'),
        gatewayConn: res.headers.get('x-gateway-conn'),
        error: null,
      };
      seen.push(e);
      return e;
    };
    for (let i = 0; i < REAL.warmupRequests; i++) {
      await get();
      await sleep(t.clientIntervalMs);
    }
    const victim = seen.at(-1)?.pod;
    assert.ok(victim);
    const del = await fetch(`${deletion}/pods/${victim}/terminate`, { method: 'POST' });
    assert.equal(del.status, 202, await del.text());
    deletedAt = performance.now();

    let curl: Promise<{ stdout: string }> | undefined;
    const deadline = performance.now() + t.graceMs + 20_000;
    for (;;) {
      const e = await get();
      if (e.status === 502 && !curl) {
        // A second client, on its own new connection, with two paths: both land in the 502 window.
        curl = run(CURL, ['-sS', '-o', '/dev/null', '-o', '/dev/null', '-w', '%{http_code} %{num_connects}\n', `${gateway}/ok.htm`, `${gateway}/api/orders`]);
      }
      if (e.status === 200 && e.pod !== victim && seen.some((x) => x.status === 502)) break;
      assert.ok(performance.now() < deadline, `no recovery seen: ${JSON.stringify(seen)}`);
      await sleep(t.clientIntervalMs);
    }

    const after = seen.filter((e) => e.s >= 0);
    assertClaim({ claim: claims['broken-503-then-502'], observed: statusRuns(after) });
    assert.equal(new Set(seen.map((e) => e.gatewayConn)).size, 1, 'fetch kept one keep-alive connection to the gateway throughout');
    assert.ok(curl, 'fetch saw a 502, so curl ran');
    const out = (await curl).stdout.trim().split('\n').map((l) => l.split(' ').map(Number));
    assertClaim({ claim: claims['every-client-502'], observed: out.map(([status]) => status) });
    assert.deepEqual(out.map(([, connects]) => connects), [1, 0], 'curl opened one connection and reused it for the second URL');
  } finally {
    ac.abort();
    await up.catch(() => undefined);
  }
});
