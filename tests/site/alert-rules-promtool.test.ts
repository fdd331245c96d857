// Every alert rule, tested with the real Prometheus rule engine (`promtool check rules` and
// `promtool test rules`), on series generated from each incident's model: the crash-loop back-off
// schedule, the node simulation of a stopped containerd, and the recorded keep-alive 502 burst. What
// each test expects is derived from the same model, stated in its terms (not in PromQL), and must
// agree with the incident pages' `alerts: { fires, silent }`.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { schedule } from '../../repros/crashloop-backoff/kubelet-backoff.ts';
import { INCIDENT } from '../../repros/crashloop-backoff/constants.ts';
import { CONTAINER, POD } from '../../repros/crashloop-backoff/kubectl-format.ts';
import { K8S_VERSIONS, simulate, type K8sVersion, type NodeScenario, type TimelinePoint } from '../../repros/containerd-stopped/node-simulation.ts';
import { REAL } from '../../repros/keepalive-502/constants.ts';
import { parseFrontmatter } from '../../src/lib/validate.ts';
import { prometheusRule, readAlerts } from '../../src/lib/prometheus-rule.ts';
import { GATEWAY_KINDS, incidentSchema, type GatewayKind, type IncidentData } from '../../src/schema.ts';
import { durationS, EVAL_S, evalTimes, firingAt, rulesOf, runPromtool, SCRAPE_S, scrapeTimes, seriesSelector, valuesString, type AlertExpectation, type CaseSummary, type Labels, type PromtoolCase, type Series, type Truth } from '../lib/promtool.ts';
import { realTier } from '../lib/real.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const ALERTS = readAlerts(ROOT);
const KSM = { job: 'kube-state-metrics' };
const forOf = (name: string): number => durationS(ALERTS.find((a) => a.name === name)?.for);

function incident(slug: string): IncidentData {
  const p = parseFrontmatter(readFileSync(join(ROOT, 'content', 'incidents', `${slug}.md`), 'utf8'));
  if (typeof p === 'string') throw new Error(`${slug}: ${p}`);
  return incidentSchema.parse(p.data);
}

/** The page's `alerts` must say what the rule engine did: each `fires` alert fired, each `silent` one never did. */
function assertMatchesPage(slug: string, summaries: readonly CaseSummary[], caseName: string): void {
  COVERED_INCIDENTS.add(slug);
  const d = incident(slug);
  const of = (name: string) => summaries.filter((s) => s.name === caseName && s.alertname === name);
  for (const name of d.alerts.fires) {
    assert.ok(of(name).length > 0, `${slug}: ${name} is listed as firing, but the test "${caseName}" does not check it`);
    assert.ok(of(name).some((s) => s.firing.length > 0), `${slug}: ${name} is listed as firing, but under the model it never fires in "${caseName}"`);
  }
  for (const name of d.alerts.silent) {
    assert.ok(of(name).length > 0, `${slug}: ${name} is listed as silent, but the test "${caseName}" does not check it`);
    for (const s of of(name)) {
      assert.deepEqual(s.firing, [], `${slug}: ${name} is listed as silent, but under the model it fires at minutes ${s.firing.join(', ')}`);
      assert.ok(s.silent.length > 0, `${slug}: ${name}: no evaluation was checked`);
    }
  }
}

/** Every case's summary, for the coverage test at the end of this file (node:test runs a file's tests in order). */
const ALL: CaseSummary[] = [];
const COVERED_INCIDENTS = new Set<string>();

function runCases(t: TestContext, gateway: GatewayKind, cases: readonly PromtoolCase[]): CaseSummary[] {
  const rule = prometheusRule(ALERTS, 'https://kb.example/', gateway);
  const { check, test: run, summaries } = runPromtool(rule, cases);
  assert.equal(check.status, 0, `promtool check rules failed:\n${check.output}`);
  assert.equal(run.status, 0, `promtool test rules failed:\n${run.output}`);
  const span = (ks: number[]) => (ks.length ? `minutes ${ks[0]}-${ks[ks.length - 1]} (${ks.length} evaluations)` : 'never');
  ALL.push(...summaries);
  for (const s of summaries) t.diagnostic(`${s.name}: ${s.alertname} fires at ${span(s.firing)}; checked silent at ${s.silent.length}, not checked ${s.skipped.length}`);
  return summaries;
}

const series = (metric: string, labels: Labels, values: readonly (number | undefined)[]): Series => ({ metric, labels, values });

/** kube-state-metrics' pod series for one pod, from its phase and readiness at each scrape (undefined: no pod). */
function podSeries(namespace: string, pod: string, state: readonly ({ phase: 'Pending' | 'Running'; ready: boolean } | undefined)[]): Series[] {
  const base = { ...KSM, namespace, pod };
  return [
    ...(['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'] as const).map((phase) =>
      series('kube_pod_status_phase', { ...base, phase }, state.map((s) => (s ? (s.phase === phase ? 1 : 0) : undefined)))),
    series('kube_pod_status_ready', { ...base, condition: 'true' }, state.map((s) => (s ? (s.ready ? 1 : 0) : undefined))),
    series('kube_pod_status_ready', { ...base, condition: 'false' }, state.map((s) => (s ? (s.ready ? 0 : 1) : undefined))),
    series('kube_pod_owner', { ...base, owner_kind: 'ReplicaSet', owner_name: `${pod.split('-').slice(0, -1).join('-') || pod}`, owner_is_controller: 'true' }, state.map((s) => (s ? 1 : undefined))),
  ];
}

test('the expectation helpers: for-duration, staleness markers, label quoting', () => {
  const truth: Truth[] = [false, true, true, true, 'unsure', true];
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((k) => firingAt(truth, k, 2 * EVAL_S)), [false, false, false, true, 'unsure', 'unsure']);
  assert.equal(firingAt([true, false, true, true], 3, 2 * EVAL_S), false);
  assert.equal(valuesString([undefined, 1, 1, undefined, undefined, 0]), '_ 1 1 stale _ 0');
  assert.equal(seriesSelector({ metric: 'm', labels: { a: 'x"y', value: '' } }), 'm{a="x\\"y"}');
});

test('every rule passes promtool check rules, for every gateway kind', (t) => {
  if (!realTier(t, ['promtool'], false)) return;
  for (const kind of GATEWAY_KINDS) runCases(t, kind, []);
});

// ---------------------------------------------------------------------------------------------
// crashloop-backoff: the chaos schedule through the ported kubelet back-off
// ---------------------------------------------------------------------------------------------

test('crashloop-backoff: KubePodCrashLooping fires for the chaos schedule, KubePodNotReady stays silent', (t) => {
  if (!realTier(t, ['promtool'], false)) return;
  const s = schedule({ runs: [INCIDENT.killEvery], restarts: INCIDENT.restarts, version: INCIDENT.version });
  // kube-state-metrics exports the waiting reason while the kubelet holds the restart back.
  const waiting = (at: number): boolean => s.spans.some((sp) => sp.kind === 'backoff' && sp.from <= at && at < sp.to);
  const scrapes = scrapeTimes(s.windowEnd);
  const evals = evalTimes(s.windowEnd);
  const ns = 'default';
  const crashTruth: Truth[] = evals.map((e) => {
    // max_over_time(...[5m]): any sample in the window. Prometheus 2.x includes a sample exactly 5m
    // back, 3.x does not; where that decides, the evaluation is not checked.
    const closed = scrapes.some((x) => x >= e - 300 && x <= e && waiting(x));
    const open = scrapes.some((x) => x > e - 300 && x <= e && waiting(x));
    return closed === open ? closed : 'unsure';
  });
  const podState = scrapes.map((x) => ({ phase: 'Running' as const, ready: !waiting(x) }));
  const cases: PromtoolCase[] = [{
    name: 'crashloop-backoff chaos schedule',
    series: [
      series('kube_pod_container_status_waiting_reason', { ...KSM, namespace: ns, pod: POD, container: CONTAINER, reason: 'CrashLoopBackOff' }, scrapes.map((x) => (waiting(x) ? 1 : undefined))),
      ...podSeries(ns, POD, podState),
    ],
    alerts: [
      { alertname: 'KubePodCrashLooping', truth: crashTruth, forS: forOf('KubePodCrashLooping'), labels: { ...KSM, namespace: ns, pod: POD, container: CONTAINER, reason: 'CrashLoopBackOff' } },
      // Running and not ready only while waiting in back-off (the model has no readiness delay).
      { alertname: 'KubePodNotReady', truth: evals.map((e) => waiting(e)), forS: forOf('KubePodNotReady'), labels: { ...KSM, namespace: ns, pod: POD } },
    ],
  }];
  const summaries = runCases(t, 'ingress-nginx', cases);
  assertMatchesPage('crashloop-backoff', summaries, 'crashloop-backoff chaos schedule');
  const crash = summaries.find((x) => x.alertname === 'KubePodCrashLooping') as CaseSummary;
  // It fires once the back-off is seen in every 5-minute window for 15 minutes, and keeps firing.
  assert.ok(crash.firing.length >= 10, `KubePodCrashLooping fired at only ${crash.firing.length} evaluations`);
  assert.ok((crash.firing[0] as number) * EVAL_S > (s.restarts.find((r) => r.backoffSeconds > 0)?.exitedAt ?? 0) + forOf('KubePodCrashLooping') - 300);
});

// ---------------------------------------------------------------------------------------------
// containerd-stopped: the node simulation (kubelet, node lifecycle controller, taint eviction)
// ---------------------------------------------------------------------------------------------

const NODE = 'node-a';
const NODE_NS = 'shop';
const NODE_POD = 'orders-7d9f-1';
/** Healthy minutes before the stop, so the series start with the node Ready. */
const LEAD_S = 300;
/** Long enough after the stop for a 15-minute `for` to elapse, with room to spare. */
const AFTER_S = 25 * 60;

/**
 * The simulation models the NoExecute taints (taint eviction). The NoSchedule taints follow the Ready
 * condition on the node lifecycle controller's node update handler (k/k node_lifecycle_controller.go,
 * doNoScheduleTaintingPass and nodeConditionToTaintKeyStatusMap: Ready False -> not-ready, Unknown ->
 * unreachable); they are derived here from the simulated condition.
 */
const NO_SCHEDULE_TAINT: Readonly<Record<'False' | 'Unknown', string>> = { False: 'not-ready:NoSchedule', Unknown: 'unreachable:NoSchedule' };
const taintsOf = (p: TimelinePoint): string[] => (p.nodeReady === 'True' ? p.taints : [...p.taints, NO_SCHEDULE_TAINT[p.nodeReady]]);

interface NodeCase {
  scenario: NodeScenario;
  version?: K8sVersion;
  /** Seconds after the stop when someone runs kubectl cordon, if anyone does. */
  cordonAtS?: number;
}

function nodeCase(name: string, c: NodeCase): { pc: PromtoolCase; sim: ReturnType<typeof simulate> } {
  const sim = simulate({ scenario: c.scenario, version: c.version ?? '1.32', durationMs: AFTER_S * 1000 });
  // Before the stop the node is as the simulation starts it: healthy.
  const first = sim.points[0];
  if (!first || first.nodeReady !== 'True') throw new Error(`simulation of ${c.scenario} does not start with a Ready node`);
  const initial: TimelinePoint = { ...first, t: -Infinity };
  const at = (x: number): TimelinePoint => {
    const tm = (x - LEAD_S) * 1000;
    let p = initial;
    for (const q of sim.points) if (q.t <= tm) p = q;
    return p;
  };
  const cordoned = (x: number): boolean => c.cordonAtS !== undefined && x - LEAD_S >= c.cordonAtS;
  const total = LEAD_S + AFTER_S;
  const scrapes = scrapeTimes(total);
  const evals = evalTimes(total);
  const states = scrapes.map(at);
  const taintKeys = [...new Set([...sim.points.flatMap((p) => p.taints), ...Object.values(NO_SCHEDULE_TAINT)])];
  const nodeLabels = { ...KSM, node: NODE };
  const pc: PromtoolCase = {
    name,
    series: [
      ...(['true', 'false', 'unknown'] as const).map((status) =>
        series('kube_node_status_condition', { ...nodeLabels, condition: 'Ready', status }, states.map((p) => (p.nodeReady.toLowerCase() === status ? 1 : 0)))),
      series('kube_node_spec_unschedulable', nodeLabels, scrapes.map((x) => (cordoned(x) ? 1 : 0))),
      ...taintKeys.map((tk) => {
        const [key, effect] = tk.split(':') as [string, string];
        return series('kube_node_spec_taint', { ...nodeLabels, key: `node.kubernetes.io/${key}`, value: '', effect }, states.map((p) => (taintsOf(p).includes(tk) ? 1 : undefined)));
      }),
      // The pod object stays while its deletion waits for a kubelet that cannot kill containers, so
      // kube-state-metrics keeps reporting it: phase Running, Ready as the model says.
      ...podSeries(NODE_NS, NODE_POD, states.map((p) => ({ phase: 'Running', ready: p.podReady }))),
    ],
    alerts: [
      { alertname: 'KubeNodeNotReady', truth: evals.map((e) => at(e).nodeReady !== 'True' && !cordoned(e)), forS: forOf('KubeNodeNotReady'), labels: { ...nodeLabels, condition: 'Ready', status: 'true' } },
      { alertname: 'KubeNodeUnreachable', truth: evals.map((e) => taintsOf(at(e)).includes(NO_SCHEDULE_TAINT.Unknown)), forS: forOf('KubeNodeUnreachable'), labels: { ...nodeLabels, key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' } },
      { alertname: 'KubePodNotReady', truth: evals.map((e) => !at(e).podReady), forS: forOf('KubePodNotReady'), labels: { ...KSM, namespace: NODE_NS, pod: NODE_POD } },
    ],
  };
  return { pc, sim };
}

for (const version of K8S_VERSIONS) {
  test(`containerd-stopped (${version}): KubeNodeNotReady fires, KubePodNotReady and KubeNodeUnreachable stay silent; a cordon silences KubeNodeNotReady; a stopped kubelet fires all three`, (t) => {
    if (!realTier(t, ['promtool'], false)) return;
    const stopped = nodeCase('containerd stopped', { scenario: 'containerd-stopped', version });
    assert.ok(stopped.sim.nodeNotReadyAtMs !== undefined, 'the model turns the node NotReady');
    const cordonAtS = Math.ceil((stopped.sim.nodeNotReadyAtMs as number) / 1000) + 60;
    const cordoned = nodeCase('containerd stopped, node cordoned a minute after NotReady', { scenario: 'containerd-stopped', version, cordonAtS });
    const kubelet = nodeCase('kubelet stopped', { scenario: 'kubelet-stopped', version });
    const summaries = runCases(t, 'ingress-nginx', [stopped.pc, cordoned.pc, kubelet.pc]);
    assertMatchesPage('containerd-stopped', summaries, 'containerd stopped');
    const get = (c: string, a: string) => summaries.find((x) => x.name === c && x.alertname === a) as CaseSummary;
    // KubeNodeNotReady: pending from the first evaluation that sees Ready=False, firing 15 minutes later.
    const first = get('containerd stopped', 'KubeNodeNotReady').firing[0] as number;
    const notReadyS = LEAD_S + (stopped.sim.nodeNotReadyAtMs as number) / 1000;
    assert.equal(first, Math.ceil(notReadyS / EVAL_S) + forOf('KubeNodeNotReady') / EVAL_S);
    assert.deepEqual(get('containerd stopped, node cordoned a minute after NotReady', 'KubeNodeNotReady').firing, []);
    for (const a of ['KubeNodeNotReady', 'KubeNodeUnreachable', 'KubePodNotReady']) {
      assert.ok(get('kubelet stopped', a).firing.length > 0, `with the kubelet stopped, ${a} fires`);
    }
  });
}

test('promtool fails the same cordon case with the older KubeNodeNotReady expression, which ignored cordons', (t) => {
  if (!realTier(t, ['promtool'], false)) return;
  const stopped = nodeCase('probe', { scenario: 'containerd-stopped' });
  const cordonAtS = Math.ceil((stopped.sim.nodeNotReadyAtMs as number) / 1000) + 60;
  const { pc } = nodeCase('cordoned, older expression', { scenario: 'containerd-stopped', cordonAtS });
  const older = ALERTS.map((a) => (a.name === 'KubeNodeNotReady' ? { ...a, expr: 'kube_node_status_condition{job="kube-state-metrics",condition="Ready",status="true"} == 0' } : a));
  const { check, test: run } = runPromtool(prometheusRule(older, 'https://kb.example/'), [pc]);
  assert.equal(check.status, 0, check.output);
  assert.notEqual(run.status, 0, 'the older expression fires on a cordoned node, so the test must fail');
  assert.match(run.output, /alertname: KubeNodeNotReady/);
});

// ---------------------------------------------------------------------------------------------
// keepalive-502: the recorded run of the broken setup (client -> gateway -> balancer -> pods)
// ---------------------------------------------------------------------------------------------

interface Recorded { observations: { exitedAtS: number; timeline: { s: number; status: number }[] } }
const BROKEN = JSON.parse(readFileSync(join(ROOT, 'repros', 'keepalive-502', 'recordings', 'broken.json'), 'utf8')) as Recorded;
const GW_LEAD_S = 600;
const GW_AFTER_S = 20 * 60;

/** The gateway's responses: the recording, with the client's steady 200s before and after it. */
function gatewayResponses(): { at: number; status: number }[] {
  const rec = BROKEN.observations.timeline;
  const firstS = rec[0]?.s ?? 0;
  const lastS = rec[rec.length - 1]?.s ?? 0;
  const out: { at: number; status: number }[] = [];
  for (let s = firstS - REAL.clientIntervalS; s > -GW_LEAD_S; s -= REAL.clientIntervalS) out.push({ at: GW_LEAD_S + s, status: 200 });
  out.reverse();
  for (const r of rec) out.push({ at: GW_LEAD_S + r.s, status: r.status });
  for (let s = lastS + REAL.clientIntervalS; s < GW_AFTER_S; s += REAL.clientIntervalS) out.push({ at: GW_LEAD_S + s, status: 200 });
  return out;
}

/** The configured gateway's counter, one series per status (or status class), all present from the start. */
function gatewaySeries(kind: GatewayKind, responses: readonly { at: number; status: number }[], scrapes: readonly number[]): { series: Series[]; labels: Labels } {
  const statuses = [...new Set(responses.map((r) => r.status))].sort();
  const count = (pred: (s: number) => boolean) => scrapes.map((x) => responses.filter((r) => r.at <= x && pred(r.status)).length);
  switch (kind) {
    case 'ingress-nginx': {
      const labels = { namespace: 'shop', ingress: 'orders' };
      return { labels, series: statuses.map((st) => series('nginx_ingress_controller_requests', { ...labels, service: 'orders', method: 'GET', status: String(st) }, count((s) => s === st))) };
    }
    case 'envoy': {
      const labels = { envoy_http_conn_manager_prefix: 'ingress_http' };
      const classes = [...new Set(statuses.map((s) => Math.floor(s / 100)))];
      return { labels, series: classes.map((c) => series('envoy_http_downstream_rq_xx', { ...labels, envoy_response_code_class: String(c) }, count((s) => Math.floor(s / 100) === c))) };
    }
    case 'nginx-log-exporter': {
      const labels = { instance: 'gateway:4040' };
      return { labels, series: statuses.map((st) => series('nginx_http_response_count_total', { ...labels, method: 'GET', status: String(st) }, count((s) => s === st))) };
    }
  }
}

/** The keep-alive incident's pods: pod-0 deleted at the recording's zero, its replacement Ready after `replacementReadyS`. */
function deploymentSeries(scrapes: readonly number[], replacementReadyS: number): { series: Series[]; available: (x: number) => number } {
  const ns = 'shop';
  const exited = GW_LEAD_S + BROKEN.observations.exitedAtS;
  const deleted = GW_LEAD_S;
  const pod0 = scrapes.map((x) => (x < exited ? { phase: 'Running' as const, ready: x < deleted } : undefined));
  const pod1 = scrapes.map(() => ({ phase: 'Running' as const, ready: true }));
  const pod2 = scrapes.map((x) => (x < deleted ? undefined : x < deleted + replacementReadyS ? { phase: 'Pending' as const, ready: false } : { phase: 'Running' as const, ready: true }));
  // A ReplicaSet does not count a pod being deleted as available.
  const available = (x: number): number => (x < deleted ? 2 : 1 + (x >= deleted + replacementReadyS ? 1 : 0));
  const dep = { ...KSM, namespace: ns, deployment: 'orders' };
  return {
    available,
    series: [
      ...podSeries(ns, 'orders-5d8c-0', pod0),
      ...podSeries(ns, 'orders-5d8c-1', pod1),
      ...podSeries(ns, 'orders-5d8c-2', pod2),
      series('kube_deployment_spec_replicas', dep, scrapes.map(() => 2)),
      series('kube_deployment_status_replicas_available', dep, scrapes.map(available)),
      series('kube_deployment_status_replicas_updated', dep, scrapes.map(() => 2)),
    ],
  };
}

/**
 * The replacement pod's start-up time is not in the write-up; assumed: Ready within the deleted pod's
 * grace period. Any value under 15 minutes gives the same result; the second case shows the alerts
 * do fire when it never comes up.
 */
const REPLACEMENT_READY_S = REAL.graceS;

test('keepalive-502: GatewayHigh5xxRate fires for the recorded 502 burst on every gateway kind; the pod and Deployment alerts stay silent; the absent() companion fires without the metric', (t) => {
  if (!realTier(t, ['promtool'], false)) return;
  const total = GW_LEAD_S + GW_AFTER_S;
  const scrapes = scrapeTimes(total);
  const evals = evalTimes(total);
  const responses = gatewayResponses();
  const at = (x: number) => responses.filter((r) => r.at <= x);
  const fiveXX = (x: number) => at(x).filter((r) => r.status >= 500).length;
  // The ratio over the 5-minute window, from the counters at its ends; checked only where it is
  // clearly above or below 1% (rate() extrapolates, and Prometheus 2 and 3 bound the window differently).
  const rateTruth: Truth[] = evals.map((e) => {
    const total5 = at(e).length - at(e - 300).length;
    const ratio = total5 > 0 ? (fiveXX(e) - fiveXX(e - 300)) / total5 : 0;
    return ratio > 0.02 ? true : ratio < 0.005 ? false : 'unsure';
  });
  const pods = (readyS: number) => deploymentSeries(scrapes, readyS);
  const pod = (name: string) => ({ ...KSM, namespace: 'shop', pod: name });
  const podTruth = (readyS: number) => ({
    'orders-5d8c-0': evals.map((e) => e >= GW_LEAD_S && e < GW_LEAD_S + BROKEN.observations.exitedAtS),
    'orders-5d8c-2': evals.map((e) => e >= GW_LEAD_S && e < GW_LEAD_S + readyS),
  });
  const podAlerts = (readyS: number): AlertExpectation[] => [
    ...Object.entries(podTruth(readyS)).map(([name, truth]) => ({ alertname: 'KubePodNotReady', truth, forS: forOf('KubePodNotReady'), labels: pod(name) })),
    { alertname: 'KubeDeploymentReplicasMismatch', truth: evals.map((e) => pods(readyS).available(e) < 2), forS: forOf('KubeDeploymentReplicasMismatch'), labels: { ...KSM, namespace: 'shop', deployment: 'orders' } },
  ];
  const never = total + 1;
  for (const kind of GATEWAY_KINDS) {
    const gw = gatewaySeries(kind, responses, scrapes);
    const absentRule = rulesOf(prometheusRule(ALERTS, 'https://kb.example/', kind)).find((r) => r.alert === 'GatewayRequestMetricsAbsent');
    assert.ok(absentRule, 'GatewayRequestMetricsAbsent exists');
    const cases: PromtoolCase[] = [
      {
        name: `keepalive-502 broken (${kind})`,
        series: [...gw.series, ...pods(REPLACEMENT_READY_S).series],
        alerts: [
          { alertname: 'GatewayHigh5xxRate', truth: rateTruth, forS: forOf('GatewayHigh5xxRate'), labels: gw.labels },
          { alertname: 'GatewayRequestMetricsAbsent', truth: evals.map(() => false), forS: forOf('GatewayRequestMetricsAbsent'), labels: {} },
          ...podAlerts(REPLACEMENT_READY_S),
        ],
      },
      {
        name: `gateway metric missing (${kind})`,
        series: [series('up', { job: 'gateway', instance: 'gateway:9113' }, scrapes.map(() => 1))],
        alerts: [
          { alertname: 'GatewayHigh5xxRate', truth: evals.map(() => false), forS: forOf('GatewayHigh5xxRate'), labels: gw.labels },
          { alertname: 'GatewayRequestMetricsAbsent', truth: evals.map(() => true), forS: forOf('GatewayRequestMetricsAbsent'), labels: {} },
        ],
      },
      {
        name: `replacement pod never ready (${kind})`,
        series: [...gw.series, ...pods(never).series],
        alerts: podAlerts(never),
      },
    ];
    const summaries = runCases(t, kind, cases);
    assertMatchesPage('keepalive-502', summaries, `keepalive-502 broken (${kind})`);
    const get = (c: string, a: string) => summaries.filter((x) => x.name === c && x.alertname === a);
    assert.ok((get(`gateway metric missing (${kind})`, 'GatewayRequestMetricsAbsent')[0]?.firing.length ?? 0) > 0, `${kind}: the absent() companion fires`);
    assert.deepEqual(get(`gateway metric missing (${kind})`, 'GatewayHigh5xxRate')[0]?.firing, [], `${kind}: without the metric the 5xx rule is silent`);
    for (const a of ['KubePodNotReady', 'KubeDeploymentReplicasMismatch']) {
      assert.ok(get(`replacement pod never ready (${kind})`, a).some((s) => s.firing.length > 0), `${kind}: ${a} fires when the replacement never becomes ready`);
    }
    // The burst fires the rule after its `for`, and the rule clears once the burst leaves the window.
    const rate = get(`keepalive-502 broken (${kind})`, 'GatewayHigh5xxRate')[0] as CaseSummary;
    assert.ok(rate.silent.some((k) => k * EVAL_S > GW_LEAD_S + 300 + forOf('GatewayHigh5xxRate')), `${kind}: the rule clears after the burst`);
  }
  assert.ok(SCRAPE_S > 0);
});

test('every alert rule is seen firing and seen silent by some case, and every incident has its case', (t) => {
  if (!realTier(t, ['promtool'], false)) return;
  for (const r of rulesOf(prometheusRule(ALERTS, 'https://kb.example/'))) {
    assert.ok(ALL.some((x) => x.alertname === r.alert && x.firing.length > 0), `${r.alert}: no promtool case in which it fires; add one built from an incident's model`);
    assert.ok(ALL.some((x) => x.alertname === r.alert && x.silent.length > 0), `${r.alert}: no promtool case in which it is checked silent`);
  }
  for (const f of readdirSync(join(ROOT, 'content', 'incidents')).filter((x) => x.endsWith('.md'))) {
    const slug = f.replace(/\.md$/, '');
    assert.ok(COVERED_INCIDENTS.has(slug), `content/incidents/${f}: no promtool case checks its alerts (fires and silent); add one to tests/site/alert-rules-promtool.test.ts built from repros/${slug}`);
  }
});
