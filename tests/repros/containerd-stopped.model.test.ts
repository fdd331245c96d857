// The node lifecycle model: the claims from the node-controller scenario, the same claims over a
// sweep of loop phases (so no result is an artefact of one phase), and the ported pieces.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runScenario } from '../../repros/lib/runner.ts';
import { claims } from '../../repros/containerd-stopped/claims.ts';
import { SHORT_TOLERATION_S } from '../../repros/containerd-stopped/constants.ts';
import { ApiServer, defaultTolerations, TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE } from '../../repros/containerd-stopped/cluster.ts';
import { endpointConditions } from '../../repros/containerd-stopped/endpointslice.ts';
import { K8S_VERSIONS, NODE_SCENARIOS, phaseSweep, simulate } from '../../repros/containerd-stopped/node-simulation.ts';
import { getMatchingTolerations, getMinTolerationTime, toleratesTaint } from '../../repros/containerd-stopped/taint-eviction.ts';
import { daemonSetTolerations } from '../../repros/containerd-stopped/cluster.ts';
import { clusterEndpoints } from '../../repros/containerd-stopped/kube-proxy-topology.ts';
import { emptyTolerations, pointAt } from '../../repros/containerd-stopped/scenarios.ts';
import { NodeLifecycleController, DEFAULT_CONTROLLER_CONFIG } from '../../repros/containerd-stopped/node-lifecycle-controller.ts';
import { judge } from '../../repros/lib/claims.ts';
import { assertClaim, assertReport } from '../lib/claims.ts';

type ClaimId = keyof typeof claims;

test('node-controller scenario: every model claim holds', async () => {
  const report = await runScenario('containerd-stopped', 'node-controller');
  const ids = new Set(report.checks.map((c) => c.claim.id));
  for (const id of [
    'kubelet-stop-endpoint-1-31', 'kubelet-stop-endpoint-1-32', 'containerd-stop-never-marks-pods', 'containerd-stop-endpoint-until-eviction',
    'empty-key-toleration-matches-all', 'daemonset-pod-never-evicted', 'deleted-pod-stays-serving', 'deleted-pod-terminating-fallback',
  ]) {
    assert.ok(ids.has(id), `node-controller checks ${id}`);
  }
  assertReport(report);
});

test('the model claims hold for every phase of the kubelet and controller loops', () => {
  const phases = phaseSweep();
  assert.ok(phases.length >= 32);
  // Every run is checked with judge(); the extremes of each claim over the sweep are recorded.
  const seen = new Map<ClaimId, number[]>();
  const observe = (id: ClaimId, value: number): void => {
    assert.ok(judge(claims[id], value).pass, `${id}: ${judge(claims[id], value).detail}`);
    seen.set(id, [...(seen.get(id) ?? []), value]);
  };
  for (const p of phases) {
    for (const version of K8S_VERSIONS) {
      for (const scenario of NODE_SCENARIOS) {
        const r = simulate({ scenario, version, phases: p });
        if (scenario === 'kubelet-stopped') {
          observe(version === '1.31' ? 'kubelet-stop-endpoint-1-31' : 'kubelet-stop-endpoint-1-32', ((r.endpointNotReadyAtMs ?? Infinity) - (r.lastHeartbeatMs ?? 0)) / 1000);
          assert.equal(r.markPodsNotReadyCalls, 1);
        } else {
          observe('containerd-stop-never-marks-pods', r.markPodsNotReadyCalls);
          observe('containerd-stop-endpoint-until-eviction', (r.endpointNotReadyAtMs ?? Infinity) / 1000);
          assert.equal(r.endpointNotReadyAtMs, r.podDeletedAtMs, 'only the eviction takes the pod out');
        }
      }
    }
  }
  for (const [id, values] of seen) {
    assertClaim({ claim: claims[id], observed: Math.min(...values) });
    assertClaim({ claim: claims[id], observed: Math.max(...values) });
  }
});

test('containerd stop: the kubelet posts Ready=False 25-40 s later and never lets the node go Unknown while it runs', () => {
  for (const p of phaseSweep()) {
    const r = simulate({ scenario: 'containerd-stopped', version: '1.32', phases: p });
    assert.ok(r.nodeNotReadyAtMs !== undefined && r.nodeNotReadyAtMs >= 25_000 && r.nodeNotReadyAtMs <= 40_000, `Ready=False at ${r.nodeNotReadyAtMs}`);
    assert.equal(r.nodeUnknownAtMs, undefined);
    assert.ok(r.points.every((p2) => p2.podReady), 'the pod stays Ready the whole time');
  }
});

test('containerd then kubelet: Ready False -> Unknown swaps the taint but keeps the original eviction time', () => {
  const r = simulate({ scenario: 'containerd-then-kubelet-stopped', version: '1.31' });
  assert.ok(r.nodeUnknownAtMs !== undefined && r.nodeUnknownAtMs > 90_000);
  const last = r.points.at(-1);
  assert.deepEqual(last?.taints, ['unreachable:NoExecute']);
  assert.equal(r.podDeletedAtMs, simulate({ scenario: 'containerd-stopped', version: '1.31' }).podDeletedAtMs);
});

test('the controller acts on the OBSERVED condition: MarkPodsNotReady only on True -> not True', () => {
  let now = 0;
  const api = new ApiServer();
  api.now = () => now;
  const cond = (status: 'True' | 'False', t: number) => ({ type: 'Ready' as const, status, reason: '', message: '', lastHeartbeatTime: t, lastTransitionTime: t });
  api.nodes.set('n', { name: 'n', uid: 'u', creationTimestamp: 0, spec: { taints: [] }, status: { conditions: [cond('True', 0)] } });
  api.pods.push({ namespace: 'd', name: 'p', spec: { nodeName: 'n', tolerations: defaultTolerations() }, status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: 0 }] } });
  const nc = new NodeLifecycleController(api, DEFAULT_CONTROLLER_CONFIG);
  nc.monitorNodeHealth();
  now = 10_000;
  (api.nodes.get('n') as { status: { conditions: unknown[] } }).status.conditions = [cond('False', 10_000)];
  const [r] = nc.monitorNodeHealth();
  assert.equal(r?.observed.status, 'False');
  assert.equal(r?.current?.status, 'False');
  assert.equal(nc.markPodsNotReadyCalls, 0, 'kubelet-posted False is never acted on');
  const pod = api.pods[0];
  assert.ok(pod && endpointConditions(pod).ready, 'so the endpoint stays ready');
});

test('taint eviction: default tolerations give 300 s; an untolerated taint evicts at once', () => {
  const tol = defaultTolerations();
  const [all, used] = getMatchingTolerations([{ key: TAINT_NODE_NOT_READY, effect: 'NoExecute' }], tol);
  assert.equal(all, true);
  assert.equal(getMinTolerationTime(used), 300_000);
  assert.equal(getMatchingTolerations([{ key: 'x', effect: 'NoExecute' }], tol)[0], false);
  assert.equal(getMinTolerationTime([{ key: TAINT_NODE_UNREACHABLE, operator: 'Exists', effect: 'NoExecute' }]), -1, 'no tolerationSeconds: forever');
});

test('a pod with its own short not-ready toleration leaves the endpoints that much sooner', () => {
  const r = simulate({ scenario: 'containerd-stopped', version: '1.32', tolerationSeconds: SHORT_TOLERATION_S });
  const taintedAt = r.events.find((e) => e.text.startsWith('taint node.kubernetes.io/not-ready'))?.at ?? NaN;
  assert.equal(r.endpointNotReadyAtMs, taintedAt + SHORT_TOLERATION_S * 1000);
  assert.equal(r.markPodsNotReadyCalls, 0, 'still by eviction, not by MarkPodsNotReady');
});

test('ToleratesTaint: empty key with Exists matches every taint, empty effect every effect, Equal compares values', () => {
  const nr = { key: TAINT_NODE_NOT_READY, effect: 'NoExecute' as const };
  assert.equal(toleratesTaint({ operator: 'Exists' }, nr), true);
  assert.equal(toleratesTaint({ operator: 'Exists' }, { key: 'x', value: 'y', effect: 'NoSchedule' }), true);
  assert.equal(toleratesTaint({ key: TAINT_NODE_NOT_READY, operator: 'Exists' }, { ...nr, effect: 'NoSchedule' }), true, 'no effect: any effect');
  assert.equal(toleratesTaint({ key: TAINT_NODE_NOT_READY, operator: 'Exists', effect: 'NoSchedule' }, nr), false, 'a given effect must match');
  assert.equal(toleratesTaint({ key: 'x', operator: 'Equal', value: 'a', effect: 'NoExecute' }, { key: 'x', value: 'b', effect: 'NoExecute' }), false);
  assert.equal(toleratesTaint({ key: 'x', value: 'a' }, { key: 'x', value: 'a', effect: 'NoExecute' }), true, 'no operator means Equal');
  assert.equal(toleratesTaint({ key: TAINT_NODE_UNREACHABLE, operator: 'Exists', effect: 'NoExecute' }, nr), false, 'another key');
  assert.deepEqual(emptyTolerations(), { emptyKeyExists: true, emptyEffect: true });
  // A catch-all toleration without tolerationSeconds: never evicted.
  const [all, used] = getMatchingTolerations([nr, { key: TAINT_NODE_UNREACHABLE, effect: 'NoExecute' }], [{ operator: 'Exists' }]);
  assert.equal(all, true);
  assert.equal(getMinTolerationTime(used), -1);
});

test('DaemonSet pods: forever tolerations; never evicted on any phase, but marked NotReady when the kubelet stops', () => {
  const [all, used] = getMatchingTolerations([{ key: TAINT_NODE_NOT_READY, effect: 'NoExecute' }], daemonSetTolerations());
  assert.equal(all, true);
  assert.equal(getMinTolerationTime(used), -1, 'no tolerationSeconds');
  for (const p of phaseSweep(5_000)) {
    for (const scenario of ['containerd-stopped', 'containerd-then-kubelet-stopped'] as const) {
      const r = simulate({ scenario, version: '1.32', phases: p, durationMs: 900_000 });
      assert.equal(r.daemonPodDeletedAtMs, undefined, `${scenario}: DaemonSet pod never deleted`);
      assert.ok(r.points.every((x) => x.daemonEndpoint === 'ready'), `${scenario}: DaemonSet endpoint ready throughout`);
      assert.ok(r.podDeletedAtMs !== undefined, `${scenario}: the Deployment pod next to it is evicted`);
    }
  }
  const k = simulate({ scenario: 'kubelet-stopped', version: '1.32', durationMs: 900_000 });
  assert.equal(k.daemonPodDeletedAtMs, undefined, 'kubelet stopped: not evicted either');
  assert.equal(k.daemonEndpointNotReadyAtMs, k.endpointNotReadyAtMs, 'but MarkPodsNotReady takes it out of the ready endpoints with the other pod');
});

test('kubectl delete pod while the runtime is down: terminating but serving; kube-proxy falls back to it only when nothing is ready', () => {
  const r = simulate({ scenario: 'containerd-stopped', version: '1.32', deletePodAtMs: 60_000 });
  const before = pointAt(r.points, 59_900);
  assert.equal(before.endpoint, 'ready');
  assert.equal(before.newConnections, 'yes');
  const after = pointAt(r.points, 60_000);
  assert.deepEqual(after.conditions, { ready: false, serving: true, terminating: true });
  assert.equal(after.podReady, true, 'the kubelet cannot update the pod');
  assert.equal(after.newConnections, 'if no other is ready');
  assert.ok(r.points.filter((x) => x.t >= 60_000).every((x) => x.endpoint === 'terminating, serving'), 'for the rest of the run');
  assert.equal(r.podDeletedAtMs, 60_000, 'the taint manager does not delete it again');
  const ep = (name: string, ready: boolean, serving: boolean, terminating: boolean) => ({ name, ready, serving, terminating });
  assert.deepEqual(clusterEndpoints([ep('a', false, true, true)]).map((e) => e.name), ['a']);
  assert.deepEqual(clusterEndpoints([ep('a', false, true, true), ep('b', true, true, false)]).map((e) => e.name), ['b']);
  assert.deepEqual(clusterEndpoints([ep('a', false, false, true)]).map((e) => e.name), [], 'terminating and not serving: never');
  assert.deepEqual(clusterEndpoints([ep('a', false, false, false), ep('c', false, true, true)]).map((e) => e.name), ['c']);
});
