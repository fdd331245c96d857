// The run scripts without a cluster: each says up front what it needs, and exits 2 naming exactly the
// tools that are missing (PATH reduced to a directory without them, or with stand-ins for some) or
// when the container engine does not answer; and a kind context that points anywhere but this
// machine is refused. PATH holds only stand-ins, so nothing here can reach a real cluster.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';

const ROOT = resolve(import.meta.dirname, '..', '..');
const SLUGS = ['crashloop-backoff', 'containerd-stopped', 'keepalive-502'] as const;
const dir = mkdtempSync(join(tmpdir(), 'cluster-path-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A PATH directory holding stand-ins that fail if ever run (they must not be, beyond `docker info`). */
function pathWith(name: string, tools: readonly string[]): string {
  const bin = join(dir, name);
  mkdirSync(bin, { recursive: true });
  for (const t of tools) {
    writeFileSync(join(bin, t), '#!/bin/sh\necho "stand-in $0 $*: not a real tool" >&2\nexit 1\n');
    chmodSync(join(bin, t), 0o755);
  }
  return bin;
}

function runScript(slug: string, args: readonly string[], path: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [join(ROOT, 'repros', slug, 'cluster', 'run.ts'), ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { HOME: process.env.HOME ?? dir, PATH: path },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('close', (code) => resolveRun({ code, stdout, stderr }));
  });
}

test('with no tools on PATH every run script explains what it needs and exits 2 naming all three', async () => {
  const empty = pathWith('empty', []);
  const runs = await Promise.all(SLUGS.map((s) => runScript(s, [], empty)));
  for (const [i, r] of runs.entries()) {
    const slug = SLUGS[i] as string;
    assert.equal(r.code, 2, `${slug}: ${r.stderr}`);
    assert.match(r.stderr, /local kind cluster that it creates on this machine/, `${slug}: explains up front`);
    assert.match(r.stderr, /Cannot run: missing: kind, kubectl, docker or podman/, slug);
    assert.match(r.stderr, /kind\.sigs\.k8s\.io/, `${slug}: how to install kind`);
    assert.match(r.stderr, /kubernetes\.io\/docs\/tasks\/tools/, `${slug}: how to install kubectl`);
    assert.equal(r.stdout, '', `${slug}: nothing on stdout`);
  }
});

test('with kind and kubectl present only the container engine is named; an engine that does not answer is named too', async () => {
  const [noEngine, deadEngine] = await Promise.all([
    runScript('keepalive-502', [], pathWith('no-engine', ['kind', 'kubectl'])),
    runScript('containerd-stopped', [], pathWith('dead-engine', ['kind', 'kubectl', 'docker'])),
  ]);
  assert.equal(noEngine.code, 2, noEngine.stderr);
  assert.match(noEngine.stderr, /missing: docker or podman\n/);
  assert.doesNotMatch(noEngine.stderr, /missing: kind/);
  assert.equal(deadEngine.code, 2, deadEngine.stderr);
  assert.match(deadEngine.stderr, /docker is installed but does not answer/);
});

test('--help prints the flags and exits 0; a bad flag exits 2 before anything else', async () => {
  const empty = pathWith('empty', []);
  const [help, bad, badValue] = await Promise.all([
    runScript('containerd-stopped', ['--help'], empty),
    runScript('crashloop-backoff', ['--restart', '3'], empty),
    runScript('keepalive-502', ['--scenario', 'direct'], empty),
  ]);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /--probe <tcp\|exec\|http>/);
  assert.match(help.stdout, /--keep/);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown flag --restart/);
  assert.equal(badValue.code, 2);
  assert.match(badValue.stderr, /--scenario does not accept "direct". Valid: broken, fixed, single-replica/);
});

test('a kind context that does not point at this machine is refused before any other kubectl call', async () => {
  const bin = pathWith('foreign-context', []);
  const calls = join(dir, 'calls.log');
  const stub = (name: string, body: string): void => {
    writeFileSync(join(bin, name), `#!/bin/sh\necho "${name} $*" >> ${calls}\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  stub('docker', 'exit 0');
  // kind says the cluster exists (kept by an earlier run); its kubeconfig entry points elsewhere.
  stub('kind', 'if [ "$1 $2" = "get clusters" ]; then echo runbook-repros-keepalive-502; fi; exit 0');
  stub('kubectl', 'case "$*" in "config view"*) echo "https://203.0.113.7:6443";; *) echo "unexpected kubectl call" >&2; exit 1;; esac');
  const r = await runScript('keepalive-502', [], bin);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /points at "https:\/\/203\.0\.113\.7:6443", not at a kind cluster on this machine; refusing to use it/);
  const log = readFileSync(calls, 'utf8').trim().split('\n');
  const kubectl = log.filter((l) => l.startsWith('kubectl '));
  assert.equal(kubectl.length, 1, log.join('\n'));
  assert.match(kubectl[0] ?? '', /^kubectl config view/);
  assert.ok(!log.some((l) => l.startsWith('docker build') || l.startsWith('kind create')), log.join('\n'));
});
