// The cluster recipes, checked without a cluster: every object validates against the Kubernetes
// schemas (kubernetes-models), `node manifests.ts` prints the same objects as YAML, and the probes,
// hooks and timings in the manifests are the values the pages state, taken from the same modules.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1';
import type { IContainer, IPodSpec } from 'kubernetes-models/v1';
import { APP_PORT, LISTEN_HOST_ENV, POD_LISTEN_HOST } from '../../repros/lib/cluster/objects.ts';
import * as crashloop from '../../repros/crashloop-backoff/cluster/manifests.ts';
import * as containerd from '../../repros/containerd-stopped/cluster/manifests.ts';
import * as keepalive from '../../repros/keepalive-502/cluster/manifests.ts';
import { INCIDENT } from '../../repros/crashloop-backoff/constants.ts';
import { CONTAINER } from '../../repros/crashloop-backoff/kubectl-format.ts';
import { PROBE_TIMEOUT_MS, RUN, SHORT_TOLERATION_S } from '../../repros/containerd-stopped/constants.ts';
import { OK_PAGE } from '../../repros/keepalive-502/graceful-shutdown.ts';
import { KEEPALIVE_TIMEOUT_MS, REAL } from '../../repros/keepalive-502/constants.ts';
import { HOST, HOST_PATTERN } from '../../repros/lib/address.ts';
import { runNode } from './run-node.ts';

const ROOT = join(import.meta.dirname, '..', '..');

interface Validatable {
  kind?: string;
  metadata?: { name?: string };
  validate(): void;
  toJSON(): unknown;
}

/** Every variant each manifests module can print. */
const VARIANTS: { slug: string; objects: Validatable[]; argv: string[] }[] = [
  { slug: 'crashloop-backoff', objects: crashloop.manifests(), argv: [] },
  ...containerd.PROBE_VARIANTS.flatMap((probe) =>
    containerd.TOLERATION_VARIANTS.map((tolerations) => ({
      slug: 'containerd-stopped',
      objects: containerd.manifests({ probe, tolerations }),
      argv: ['--probe', probe, '--tolerations', tolerations],
    })),
  ),
  { slug: 'keepalive-502', objects: keepalive.manifests(), argv: [] },
  { slug: 'keepalive-502', objects: keepalive.manifests({ fix: true }), argv: ['--fix'] },
  { slug: 'keepalive-502', objects: keepalive.manifests({ replicas: 1 }), argv: ['--replicas', '1'] },
];

function podSpec(o: Validatable): IPodSpec {
  const j = o.toJSON() as { kind: string; spec: IPodSpec & { template?: { spec: IPodSpec } } };
  if (j.kind === 'Pod') return j.spec;
  assert.ok(j.spec.template, `${j.kind} has no pod template`);
  return j.spec.template.spec;
}

function find(objects: readonly Validatable[], kind: string, name: string): Validatable {
  const o = objects.find((x) => (x.toJSON() as { kind: string }).kind === kind && x.metadata?.name === name);
  assert.ok(o, `no ${kind} ${name}`);
  return o;
}

function container(objects: readonly Validatable[], kind: string, name: string, c: string): IContainer {
  const found = podSpec(find(objects, kind, name)).containers.find((x) => x.name === c);
  assert.ok(found, `${kind} ${name} has no container ${c}`);
  return found;
}

/** The value after --name in a command line. */
function arg(cmd: readonly string[] | undefined, name: string): string | undefined {
  const i = (cmd ?? []).indexOf(`--${name}`);
  return i === -1 ? undefined : cmd?.[i + 1];
}

test('every manifest validates against the Kubernetes schemas', () => {
  for (const v of VARIANTS) {
    for (const o of v.objects) {
      assert.doesNotThrow(() => o.validate(), `${v.slug} ${v.argv.join(' ')}: ${(o.toJSON() as { kind: string }).kind} ${o.metadata?.name ?? ''}`);
    }
  }
});

test('a manifest with a wrong type fails validation (the check has teeth)', () => {
  const json = JSON.parse(JSON.stringify(crashloop.manifests()[0].toJSON())) as { spec: { template: { spec: { containers: { livenessProbe: { periodSeconds: unknown } }[] } } } };
  const first = json.spec.template.spec.containers[0];
  assert.ok(first);
  first.livenessProbe.periodSeconds = 'ten';
  assert.throws(() => new Deployment(json as ConstructorParameters<typeof Deployment>[0]).validate(), /periodSeconds/);
});

test('node manifests.ts prints the same objects as multi-document YAML', async () => {
  // One non-default variant per incident (each start loads the schemas, about a second), in parallel.
  const picked = [VARIANTS[0], VARIANTS.find((v) => v.argv.includes('exec') && v.argv.includes('short')), VARIANTS.find((v) => v.argv.includes('--fix'))];
  const manifestsTs = (slug: string): string => join(ROOT, 'repros', slug, 'cluster', 'manifests.ts');
  const [bad, ...runs] = await Promise.all([
    runNode([manifestsTs('containerd-stopped'), '--probe', 'grpc']),
    ...picked.map((v) => {
      assert.ok(v);
      return runNode([manifestsTs(v.slug), ...v.argv]);
    }),
  ]);
  for (const [i, r] of runs.entries()) {
    const v = picked[i];
    assert.ok(v);
    assert.equal(r.code, 0, r.stderr);
    const docs = parseAllDocuments(r.stdout).map((d) => d.toJSON() as unknown);
    assert.deepEqual(docs, v.objects.map((o) => JSON.parse(JSON.stringify(o.toJSON())) as unknown), `${v.slug} ${v.argv.join(' ')}`);
  }
  assert.equal(bad?.code, 2);
  assert.match(bad?.stderr ?? '', /--probe does not accept "grpc"\. Valid: tcp, exec, http/);
});

test('every container that serves listens on the pod address and never pulls the locally built image', () => {
  for (const v of VARIANTS) {
    for (const o of v.objects.filter((x) => (x.toJSON() as { kind: string }).kind !== 'Service')) {
      for (const c of podSpec(o).containers) {
        if (c.ports !== undefined) assert.ok(c.env?.some((e) => e.name === LISTEN_HOST_ENV && e.value === POD_LISTEN_HOST), `${v.slug} ${c.name}: ${LISTEN_HOST_ENV}`);
        assert.equal(c.imagePullPolicy, 'Never', `${v.slug} ${c.name}`);
      }
    }
  }
});

test('crashloop-backoff: the chaos schedule and the probes are the page\'s', () => {
  const objects = crashloop.manifests();
  const deployment = find(objects, 'Deployment', crashloop.NAME);
  const spec = podSpec(deployment);
  assert.equal(spec.shareProcessNamespace, true, 'the chaos killer must see the app and the app must not be PID 1');
  assert.equal(spec.restartPolicy, 'Always');
  // The incident's pod spec after the investigation was reverted: default grace period, no preStop.
  assert.equal(spec.terminationGracePeriodSeconds, undefined);
  const app = container(objects, 'Deployment', crashloop.NAME, CONTAINER);
  assert.equal(app.lifecycle, undefined);
  for (const p of [app.livenessProbe, app.readinessProbe]) {
    assert.deepEqual(p?.httpGet, { path: crashloop.HEALTH_PATH, port: APP_PORT });
    assert.equal(p?.periodSeconds, 10);
    assert.equal(p?.timeoutSeconds, 1);
    assert.equal(p?.failureThreshold, 3);
  }
  const chaos = container(objects, 'Deployment', crashloop.NAME, 'chaos-killer');
  assert.equal(Number(arg(chaos.command, 'kill-every')), INCIDENT.killEvery);
  assert.equal(arg(chaos.command, 'target'), crashloop.APP_ENTRY);
  assert.deepEqual(app.command?.slice(0, 2), ['node', crashloop.APP_ENTRY]);
});

test('containerd-stopped: the probe variants, the logger and the tolerations are the page\'s', () => {
  const kinds = { tcp: 'tcpSocket', exec: 'exec', http: 'httpGet' } as const;
  for (const probe of containerd.PROBE_VARIANTS) {
    const objects = containerd.manifests({ probe });
    const app = container(objects, 'Deployment', containerd.NAME, 'app');
    const p = app.readinessProbe;
    assert.ok(p, `${probe}: readiness probe`);
    assert.deepEqual(Object.keys(p).filter((k) => ['tcpSocket', 'exec', 'httpGet', 'grpc'].includes(k)), [kinds[probe]], probe);
    assert.equal((p.timeoutSeconds ?? 0) * 1000, PROBE_TIMEOUT_MS, `${probe}: timeoutSeconds`);
    if (probe === 'http') assert.deepEqual(p.httpGet, { path: containerd.HEALTH_PATH, port: APP_PORT });
    if (probe === 'exec') assert.match(p.exec?.command?.join(' ') ?? '', new RegExp(`${HOST_PATTERN}:${APP_PORT}${containerd.HEALTH_PATH}.*timeout\\(${PROBE_TIMEOUT_MS}\\)`));
    assert.equal(arg(app.command, 'logger'), 'sync');
    assert.equal(Number(arg(app.command, 'line-bytes')), RUN.lineBytes);
    assert.equal(podSpec(find(objects, 'Deployment', containerd.NAME)).tolerations, undefined, 'default: the admission plugin adds 300 s');
  }
  const short = podSpec(find(containerd.manifests({ tolerations: 'short' }), 'Deployment', containerd.NAME)).tolerations ?? [];
  assert.deepEqual(short.map((t) => [t.key, t.effect, t.tolerationSeconds]), [
    ['node.kubernetes.io/not-ready', 'NoExecute', SHORT_TOLERATION_S],
    ['node.kubernetes.io/unreachable', 'NoExecute', SHORT_TOLERATION_S],
  ]);
});

test('keepalive-502: the preStop hook, grace period, gateway and client timings are the page\'s', () => {
  for (const fix of [false, true]) {
    const objects = keepalive.manifests({ fix });
    const spec = podSpec(find(objects, 'Deployment', keepalive.APP));
    assert.equal(spec.terminationGracePeriodSeconds, REAL.graceS);
    const app = container(objects, 'Deployment', keepalive.APP, keepalive.APP);
    const hook = app.lifecycle?.preStop?.exec?.command?.join(' ') ?? '';
    assert.match(hook, new RegExp(`^sh -c sleep ${REAL.preStopS} && `));
    assert.ok(hook.includes(`http://${HOST}:${APP_PORT}${OK_PAGE}?down=true`), hook);
    assert.equal(app.command?.includes('--fix'), fix);
    assert.equal(Number(arg(app.command, 'keepalive-ms')), KEEPALIVE_TIMEOUT_MS);
    assert.equal(app.readinessProbe, undefined, 'probe connections would count as new connections to the terminating pod');
  }
  const objects = keepalive.manifests();
  const svc = find(objects, 'Service', keepalive.APP).toJSON() as { spec: { type: string; ports: { nodePort: number; targetPort: number }[] } };
  assert.equal(svc.spec.type, 'NodePort');
  assert.equal(svc.spec.ports[0]?.nodePort, keepalive.NODE_PORT);
  const gateway = container(objects, 'Deployment', keepalive.GATEWAY, keepalive.GATEWAY);
  assert.equal(arg(gateway.command, 'upstreams'), `lb=$(HOST_IP):${keepalive.NODE_PORT}`, 'one upstream: the load balancer address');
  assert.equal(Number(arg(gateway.command, 'fail-timeout-ms')), REAL.failTimeoutS * 1000);
  assert.equal(Number(arg(gateway.command, 'keepalive-ms')), KEEPALIVE_TIMEOUT_MS);
  const client = container(objects, 'Pod', keepalive.CLIENT, keepalive.CLIENT);
  assert.equal(Number(arg(client.command, 'interval-ms')), REAL.clientIntervalS * 1000);
  assert.equal(arg(client.command, 'target'), `http://${keepalive.GATEWAY}${OK_PAGE}`);
  const single = find(keepalive.manifests({ replicas: 1 }), 'Deployment', keepalive.APP).toJSON() as { spec: { replicas: number } };
  assert.equal(single.spec.replicas, 1);
});
