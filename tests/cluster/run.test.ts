// The run scripts without a cluster: each says up front what it needs, and exits 2 naming exactly the
// tools that are missing (PATH reduced to a directory without them, or with stand-ins for some) or
// when the container engine does not answer; and a kind context that points anywhere but this
// machine is refused. With stand-ins that answer, a fixture experiment runs through runOnKind and
// reports in the local repro's shape, on the cluster tier. PATH holds only stand-ins, so nothing
// here can reach a real cluster.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { HOST } from '../../repros/lib/address.ts';
import { runNode, type NodeRun } from './run-node.ts';

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

/** A PATH directory for tools that log each call to \`calls\` and then run the shell body given. */
function stubs(name: string): { bin: string; calls: string; stub(tool: string, body: string): void } {
  const bin = pathWith(name, []);
  const calls = join(dir, `${name}.log`);
  const stub = (tool: string, body: string): void => {
    writeFileSync(join(bin, tool), `#!/bin/sh\necho "${tool} $*" >> ${calls}\n${body}\n`);
    chmodSync(join(bin, tool), 0o755);
  };
  return { bin, calls, stub };
}

function runScript(slug: string, args: readonly string[], path: string): Promise<NodeRun> {
  return runNode([join(ROOT, 'repros', slug, 'cluster', 'run.ts'), ...args], { cwd: ROOT, env: { HOME: process.env.HOME ?? dir, PATH: path } });
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
  const { bin, calls, stub } = stubs('foreign-context');
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

/** A run script for a fixture experiment: one claim, observed as the --observed flag says. */
const FIXTURE_RUN = `
import { defineClaims } from ${JSON.stringify(join(ROOT, 'repros', 'lib', 'claims.ts'))};
import { runOnKind } from ${JSON.stringify(join(ROOT, 'repros', 'lib', 'cluster', 'run-on-kind.ts'))};
const claims = defineClaims('fixture', {
  'two-restarts': { statement: 'It restarts twice.', expected: { kind: 'equals', value: 2 }, sources: [{ label: 'fixture' }], tiers: ['cluster'] },
});
await runOnKind({
  slug: 'fixture',
  scenario: (flags) => \`observed-\${String(flags.observed)}\`,
  about: 'A fixture experiment.',
  workers: 1,
  flags: [{ name: 'observed', type: 'number', description: 'what the run observes' }],
  run: async (cluster, flags) => {
    await cluster.kubectl(['get', 'pods']);
    return { observations: { restarts: flags.observed }, checks: [{ claim: claims['two-restarts'], observed: flags.observed }] };
  },
});
`;

test('a run on stub tools reports in the local --json shape on the cluster tier, and deletes the cluster unless --keep', async () => {
  const { bin, calls, stub } = stubs('fixture-run');
  stub('docker', 'exit 0');
  stub('kind', 'case "$1 $2" in "create cluster") cat > /dev/null;; esac; exit 0');
  stub('kubectl', [
    'case "$*" in',
    `  "config view"*) echo "https://${HOST}:6443";;`,
    '  *" version -o json") echo \'{"serverVersion":{"gitVersion":"v1.32.2"}}\';;',
    '  *" get pods") ;;',
    '  *) echo "unexpected kubectl call" >&2; exit 1;;',
    'esac',
  ].join('\n'));
  const script = join(dir, 'fixture-run.ts');
  writeFileSync(script, FIXTURE_RUN);
  const env = { HOME: process.env.HOME ?? dir, PATH: bin };
  const pass = await runNode([script, '--observed', '2', '--json'], { cwd: ROOT, env });
  assert.equal(pass.code, 0, pass.stderr);
  const report = JSON.parse(pass.stdout) as Record<string, unknown> & { results: Record<string, unknown>[] };
  // The shape `npm run repro -- <slug> --json` prints on the real tier (repros/lib/report.ts).
  assert.deepEqual(Object.keys(report), ['slug', 'scenario', 'scale', 'tier', 'versions', 'startedAt', 'durationMs', 'observations', 'results']);
  assert.equal(report.scenario, 'observed-2');
  assert.equal(report.tier, 'cluster');
  assert.deepEqual(report.versions, { kubernetes: 'v1.32.2' });
  assert.deepEqual(report.observations, { restarts: 2 });
  assert.deepEqual(report.results.map((r) => [r.id, r.pass, r.tier, r.versions]), [['two-restarts', true, 'cluster', { kubernetes: 'v1.32.2' }]]);
  let log = readFileSync(calls, 'utf8');
  assert.match(log, /^kind create cluster --name runbook-repros-fixture --config - --wait 120s$/m);
  assert.match(log, /^docker build -f \S+\/repros\/fixture\/cluster\/Containerfile -t localhost\/runbook-repros\/fixture:dev /m);
  assert.match(log, /^kind load image-archive \S+ --name runbook-repros-fixture$/m);
  assert.match(log, /^kind delete cluster --name runbook-repros-fixture$/m);

  writeFileSync(calls, '');
  const fail = await runNode([script, '--observed', '3', '--keep'], { cwd: ROOT, env });
  assert.equal(fail.code, 1, fail.stderr);
  assert.equal(fail.stdout, '');
  assert.match(fail.stderr, /claims checked by fixture observed-3 \(cluster tier: kubernetes v1\.32\.2, scale 1, [\d.]+ s\):\n {2}FAIL {2}#1 two-restarts: expected 2, observed 3\n0 passed, 1 failed/);
  assert.match(fail.stderr, /Kept the cluster: kubectl --context kind-runbook-repros-fixture get pods/);
  log = readFileSync(calls, 'utf8');
  assert.doesNotMatch(log, /kind delete/);
});
