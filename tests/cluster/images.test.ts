// The container images, checked without a container engine: each Containerfile's entry point and
// every script a manifest starts exist, they import nothing but Node's own modules and files the
// Containerfile copies (so the image needs no npm install), and each image's command really serves
// HTTP when run from a tree holding only what the Containerfile copies. The in-pod chaos killer
// really SIGKILLs its target once it has run long enough.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import * as crashloop from '../../repros/crashloop-backoff/cluster/manifests.ts';
import * as containerd from '../../repros/containerd-stopped/cluster/manifests.ts';
import { LISTEN_HOST_ENV } from '../../repros/lib/cluster/objects.ts';
import * as keepalive from '../../repros/keepalive-502/cluster/manifests.ts';
import { RUN } from '../../repros/containerd-stopped/constants.ts';
import { listenersOf, treeOf } from '../lib/procs.ts';
import { HOST } from '../../repros/lib/address.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const SLUGS = ['crashloop-backoff', 'containerd-stopped', 'keepalive-502'] as const;

interface Containerfile {
  from: string;
  /** Sources of COPY instructions, relative to the build context (the repository root). */
  copies: string[];
  cmd: string[];
}

function containerfile(slug: string): Containerfile {
  const text = readFileSync(join(ROOT, 'repros', slug, 'cluster', 'Containerfile'), 'utf8');
  const lines = text.split('\n').filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
  const from = lines.find((l) => l.startsWith('FROM '))?.slice(5).trim() ?? '';
  const copies = lines.filter((l) => l.startsWith('COPY ')).flatMap((l) => l.slice(5).trim().split(/\s+/).slice(0, -1));
  const cmdLine = lines.find((l) => l.startsWith('CMD '));
  assert.ok(cmdLine, `${slug}: no CMD`);
  const cmd = JSON.parse(cmdLine.slice(4)) as string[];
  return { from, copies, cmd };
}

/** Every `node <script>` a manifest runs: containers and hooks (not `node -e`). */
function scriptsInManifests(): string[] {
  const objects = [...crashloop.manifests(), ...containerd.PROBE_VARIANTS.flatMap((probe) => containerd.manifests({ probe })), ...keepalive.manifests({ fix: true })];
  const text = JSON.stringify(objects.map((o) => o.toJSON()));
  return [...new Set([...text.matchAll(/"node","(repros\/[^"]+\.ts)"/g)].map((m) => m[1] as string))];
}

/** The files a module imports at run time (type-only imports are erased), resolved; bare specifiers as given. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/^\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)]
    .filter((m) => m[1] === undefined)
    .map((m) => m[2] as string);
  return specs.map((s) => (s.startsWith('.') ? resolve(dirname(file), s) : s));
}

/** The run-time import closure of an entry point: its files, and any non-relative specifiers. */
function closure(entry: string): { files: string[]; bare: string[] } {
  const files = new Set<string>();
  const bare = new Set<string>();
  const todo = [resolve(ROOT, entry)];
  while (todo.length > 0) {
    const f = todo.pop() as string;
    if (files.has(f)) continue;
    files.add(f);
    for (const s of importsOf(f)) {
      if (s.startsWith('/')) todo.push(s);
      else bare.add(s);
    }
  }
  return { files: [...files], bare: [...bare] };
}

function copied(copies: readonly string[], file: string): boolean {
  const rel = relative(ROOT, file);
  return copies.some((c) => (c.endsWith('/') ? rel.startsWith(c) : rel === c));
}

test('each Containerfile builds on Node 22 and its entry point and every script the manifests run exist', () => {
  for (const slug of SLUGS) {
    const cf = containerfile(slug);
    assert.match(cf.from, /(^|\/)node:22(-|$)/, `${slug}: FROM ${cf.from} (Node 22.18+ runs .ts files directly)`);
    assert.equal(cf.cmd[0], 'node', `${slug}: CMD runs node`);
    assert.ok(existsSync(join(ROOT, cf.cmd[1] ?? '')), `${slug}: CMD entry point ${cf.cmd[1] ?? ''} exists`);
    assert.ok(copied(cf.copies, join(ROOT, cf.cmd[1] ?? '')), `${slug}: the entry point is copied into the image`);
  }
  for (const slug of SLUGS) {
    // BuildKit reads <Containerfile>.dockerignore: the root context is cut down to what COPY needs.
    const ignore = readFileSync(join(ROOT, 'repros', slug, 'cluster', 'Containerfile.dockerignore'), 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    assert.deepEqual(ignore[0], '*', `${slug}: the ignore file excludes everything first`);
    assert.deepEqual(ignore.slice(1).map((l) => l.replace(/^!/, '')).sort(), containerfile(slug).copies.map((c) => c.replace(/\/$/, '')).sort(), `${slug}: and lets in what COPY copies`);
  }
  const scripts = scriptsInManifests();
  assert.ok(scripts.length >= 5, scripts.join(' '));
  for (const s of scripts) assert.ok(existsSync(join(ROOT, s)), `${s} exists`);
});

test('the images need no npm install: entry points import only node: modules and copied files', () => {
  const entries = new Map<string, string[]>(SLUGS.map((slug) => [slug, [containerfile(slug).cmd[1] as string]]));
  for (const s of scriptsInManifests()) entries.get(s.split('/')[1] as string)?.push(s);
  for (const [slug, scripts] of entries) {
    const cf = containerfile(slug);
    for (const entry of scripts) {
      const c = closure(entry);
      assert.deepEqual(c.bare.filter((b) => !b.startsWith('node:')), [], `${entry} imports packages the image does not install`);
      for (const f of c.files) {
        assert.ok(existsSync(f), `${entry} imports ${relative(ROOT, f)}, which does not exist`);
        assert.ok(copied(cf.copies, f), `${entry} imports ${relative(ROOT, f)}, which ${slug}'s Containerfile does not copy`);
      }
    }
  }
  // The manifests' app commands agree with the images' default commands.
  assert.deepEqual(containerfile('crashloop-backoff').cmd, crashloop.manifests()[0].spec?.template.spec?.containers[0]?.command);
  assert.deepEqual(containerfile('containerd-stopped').cmd, containerd.manifests()[0].spec?.template.spec?.containers[0]?.command);
  assert.equal(Number(containerfile('containerd-stopped').cmd[containerfile('containerd-stopped').cmd.indexOf('--line-bytes') + 1]), RUN.lineBytes);
});

// A tree with only what the Containerfiles copy, as the image's /app.
let image = '';
const started: ChildProcess[] = [];
before(() => {
  image = mkdtempSync(join(tmpdir(), 'cluster-image-'));
  const copies = new Set(SLUGS.flatMap((s) => containerfile(s).copies));
  for (const c of copies) cpSync(join(ROOT, c), join(image, c), { recursive: true });
});
after(() => {
  for (const p of started) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  rmSync(image, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, HOST, () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? resolvePort(a.port) : reject(new Error('no port'))));
    });
  });
}

function start(cmd: readonly string[], env: Record<string, string> = {}): ChildProcess & { out: string[] } {
  const [, script, ...args] = cmd;
  const child = spawn(process.execPath, [join(image, script ?? ''), ...args], { cwd: image, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const out: string[] = [];
  child.stdout?.setEncoding('utf8').on('data', (c: string) => out.push(c));
  child.stderr?.resume();
  started.push(child);
  return Object.assign(child, { out });
}

function get(port: number, path: string, host = HOST): Promise<{ status: number; body: string } | undefined> {
  return new Promise((resolveGet) => {
    const req = request({ host, port, path, agent: false, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolveGet({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolveGet(undefined));
    req.end();
  });
}

/** Retries until the server answers (a Node start takes a moment on a busy machine). */
async function answerOn(host: string, port: number, path: string): Promise<{ status: number; body: string }> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const r = await get(port, path, host);
    if (r) return r;
    assert.ok(Date.now() < deadline, `no answer on ${host}:${port}${path}`);
    await new Promise((r2) => setTimeout(r2, 50));
  }
}

const answer = (port: number, path: string): Promise<{ status: number; body: string }> => answerOn(HOST, port, path);

const withPort = (cmd: readonly string[], port: number): string[] => cmd.map((a, i) => (cmd[i - 1] === '--port' ? String(port) : a));

test('each image command serves HTTP from a tree with only the copied files', async () => {
  const [p1, p2, p3] = await Promise.all([freePort(), freePort(), freePort()]);
  const apps = [
    { slug: 'crashloop-backoff', port: p1 as number, path: crashloop.HEALTH_PATH, expect: /^ok/ },
    { slug: 'containerd-stopped', port: p2 as number, path: '/orders', expect: /"logger":"sync"/ },
    { slug: 'keepalive-502', port: p3 as number, path: '/ok.htm', expect: /^ok/ },
  ];
  const procs = apps.map((a) => start(withPort(containerfile(a.slug).cmd, a.port)));
  const answers = await Promise.all(apps.map((a) => answer(a.port, a.path)));
  for (const [i, a] of apps.entries()) {
    assert.equal(answers[i]?.status, 200, a.slug);
    assert.match(answers[i]?.body ?? '', a.expect, a.slug);
  }
  // The containerd-stopped app wrote its access-log line to stdout (the pipe to the shim in a pod).
  assert.match(procs[1]?.out.join('') ?? '', /"path":"\/orders"/);
  for (const p of procs) p.kill('SIGKILL');
});

test('the in-pod chaos killer SIGKILLs the app once it has run --kill-every seconds', async () => {
  const port = await freePort();
  const app = start(withPort(containerfile('crashloop-backoff').cmd, port));
  await answer(port, crashloop.HEALTH_PATH);
  // The target is the app's absolute path in this temporary tree, so no other process matches.
  const target = join(image, crashloop.APP_ENTRY);
  const killer = start(['node', crashloop.CHAOS_ENTRY, '--target', target, '--kill-every', '1']);
  // Stopped however the test ends: left running, it would kill the next test's app (same path).
  try {
    const exit = await new Promise<NodeJS.Signals | null>((r) => app.once('exit', (_code, signal) => r(signal)));
    assert.equal(exit, 'SIGKILL');
    const deadline = Date.now() + 5000;
    while (!killer.out.join('').includes('"ev":"killed"') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    // Two more scans: a SIGKILLed instance still torn down by the kernel is not reported twice.
    await new Promise((r) => setTimeout(r, 500));
    const killed = killer.out.join('').split('\n').filter((l) => l.includes('"ev":"killed"')).map((l) => JSON.parse(l) as { pid: number; ranSeconds: number });
    assert.equal(killed.length, 1);
    assert.equal(killed[0]?.pid, app.pid);
    assert.ok((killed[0]?.ranSeconds ?? 0) >= 1, `ran ${killed[0]?.ranSeconds ?? 0} s before the kill`);
  } finally {
    killer.kill('SIGTERM');
  }
});

test(`the apps listen on the address in ${LISTEN_HOST_ENV} (0.0.0.0 in a pod)`, async () => {
  // Checked with another loopback address, so the test itself never listens beyond 127.0.0.0/8.
  const port = await freePort();
  const app = start(withPort(containerfile('crashloop-backoff').cmd, port), { [LISTEN_HOST_ENV]: '127.0.0.2' });
  try {
    await answerOn('127.0.0.2', port, crashloop.HEALTH_PATH);
    const listening = listenersOf(treeOf(app.pid as number)).map((l) => `${l.address}:${l.port}`);
    assert.deepEqual(listening, [`127.0.0.2:${port}`], 'the app listens on 127.0.0.2 and nowhere else');
  } finally {
    app.kill('SIGKILL');
  }
});
