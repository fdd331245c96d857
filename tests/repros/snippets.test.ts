// The scripts the incident pages show from repros/<slug>/snippets/ run as the pages say: the health
// poller against a local server (one kept-alive connection, a new one after `Connection: close`), the
// pipe resizer on a FIFO this test creates. Nothing leaves 127.0.0.1 or the test's temp directory.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { HOST } from '../../repros/lib/address.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const HEALTH_POLL = join(ROOT, 'repros/keepalive-502/snippets/health-poll.py');
const FIFO_RESIZE = join(ROOT, 'repros/containerd-stopped/snippets/fifo-resize.py');

function run(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000); // generous on a busy machine; the script needs about 2 s
    child.on('error', reject);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

test('health-poll.py keeps one connection, and opens a new one after Connection: close', async (t) => {
  let conns = 0;
  let requests = 0;
  const server = createServer((req, res) => {
    requests += 1;
    const id = (req.socket as unknown as { connId?: number }).connId;
    res.setHeader('x-pod', 'pod-0');
    res.setHeader('x-pod-conn', `pod-0/c${id}`);
    if (requests === 2) res.setHeader('connection', 'close');
    res.end('ok\n');
  });
  server.on('connection', (sock) => { conns += 1; (sock as unknown as { connId: number }).connId = conns; });
  await new Promise<void>((r) => server.listen(0, HOST, r));
  t.after(() => { server.closeAllConnections(); server.close(); });
  const { port } = server.address() as AddressInfo;

  const r = await run(HEALTH_POLL, [], { GATEWAY: `http://${HOST}:${port}`, POLLS: '3' });
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => l.split(' ').slice(1).join(' '));
  assert.deepEqual(lines, ['200 pod-0 pod-0/c1', '200 pod-0 pod-0/c1', '200 pod-0 pod-0/c2']);
});

test('health-poll.py without GATEWAY names the problem and exits 2', async () => {
  const r = await run(HEALTH_POLL, [], { GATEWAY: '' });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /set GATEWAY/);
});

test('fifo-resize.py raises a FIFO\'s capacity and reads nothing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fifo-resize-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const fifo = join(dir, 'app-stdout');
  const mk = spawnSync('mkfifo', [fifo]);
  assert.equal(mk.status, 0, String(mk.stderr));
  const r = await run(FIFO_RESIZE, [fifo, String(128 * 1024)], {});
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), `${fifo}: 65536 -> 131072 bytes`);
  const usage = await run(FIFO_RESIZE, [], {});
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /usage: fifo-resize\.py PATH \[BYTES\]/);
});
