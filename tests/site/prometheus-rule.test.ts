import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { parse } from 'yaml';
import { prometheusRule, readAlerts, runbookBase, runbookUrl } from '../../src/lib/prometheus-rule.ts';
import { alertExpr, alertSlug, GATEWAY_KINDS } from '../../src/schema.ts';
import { existsSync } from 'node:fs';

const ROOT = join(import.meta.dirname, '..', '..');
const alerts = readAlerts(ROOT);

test('the PrometheusRule validates against the prometheus-operator schema', () => {
  const rule = prometheusRule(alerts, 'https://kb.example/sre/kb/');
  assert.doesNotThrow(() => new PrometheusRule(rule as never).validate());
  const rules = rule.spec.groups.flatMap((g) => g.rules);
  assert.equal(rules.length, alerts.length);
});

test('each rule keeps its page expression and links to its page, lower-case and without a trailing slash', () => {
  const rules = prometheusRule(alerts, 'https://kb.example/sre/kb').spec.groups.flatMap((g) => g.rules) as {
    alert: string; expr: string; annotations: { runbook_url: string };
  }[];
  for (const a of alerts) {
    const r = rules.find((x) => x.alert === a.name);
    assert.ok(r, a.name);
    assert.equal(r.expr, alertExpr(a));
    assert.equal(r.annotations.runbook_url, `https://kb.example/sre/kb/alerts/${a.name.toLowerCase()}`);
    assert.ok(existsSync(join(ROOT, 'content', 'alerts', `${alertSlug(a.name)}.md`)));
  }
});

test('the runbook base URL comes from KB_RUNBOOK_BASE_URL, else KB_SITE and KB_BASE', () => {
  assert.equal(runbookBase({ KB_RUNBOOK_BASE_URL: 'https://a.example/kb' }), 'https://a.example/kb/');
  assert.equal(runbookBase({ KB_SITE: 'https://b.example/', KB_BASE: '/sre/kb' }), 'https://b.example/sre/kb/');
  assert.equal(runbookBase({}), 'http://localhost:4321/');
  assert.equal(runbookUrl('https://c.example/', 'KubeNodeNotReady'), 'https://c.example/alerts/kubenodenotready');
});

test('npm run alert-rules prints the rule with the given base URL, and refuses a bad one', () => {
  const cli = join(ROOT, 'src', 'alert-rules.ts');
  const ok = spawnSync(process.execPath, [cli, '--base-url', 'https://kb.example/x/'], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  const doc = parse(ok.stdout) as { kind: string; spec: { groups: { rules: { annotations: { runbook_url: string } }[] }[] } };
  assert.equal(doc.kind, 'PrometheusRule');
  for (const r of doc.spec.groups.flatMap((g) => g.rules)) assert.match(r.annotations.runbook_url, /^https:\/\/kb\.example\/x\/alerts\/[a-z0-9]+$/);
  const bad = spawnSync(process.execPath, [cli, '--base-url', 'kb.example'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--base-url needs an http\(s\) URL/);
  const unknown = spawnSync(process.execPath, [cli, '--url', 'x'], { encoding: 'utf8' });
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown argument "--url"\. Valid: --base-url .*--gateway <ingress-nginx\|envoy\|nginx-log-exporter>/);
  const badGateway = spawnSync(process.execPath, [cli, '--gateway', 'haproxy'], { encoding: 'utf8' });
  assert.equal(badGateway.status, 2);
  assert.match(badGateway.stderr, /--gateway must be one of ingress-nginx, envoy, nginx-log-exporter, got "haproxy"/);
});

test('the gateway rules read the configured gateway metric, and each has an absent() companion', () => {
  for (const kind of GATEWAY_KINDS) {
    const rules = prometheusRule(alerts, 'https://kb.example/', kind).spec.groups.flatMap((g) => g.rules) as { alert: string; expr: string }[];
    const rate = rules.find((r) => r.alert === 'GatewayHigh5xxRate');
    const absent = rules.find((r) => r.alert === 'GatewayRequestMetricsAbsent');
    assert.ok(rate && absent, kind);
    const metric = /^absent\((\w+)\)$/.exec(absent.expr)?.[1];
    assert.ok(metric, `${kind}: the companion is absent(<metric>), got ${absent.expr}`);
    assert.ok(rate.expr.includes(`${metric}{`) || rate.expr.includes(`${metric}[`), `${kind}: GatewayHigh5xxRate reads ${metric}`);
  }
  const env = spawnSync(process.execPath, [join(ROOT, 'src', 'alert-rules.ts')], { encoding: 'utf8', env: { ...process.env, KB_GATEWAY: 'envoy' } });
  assert.equal(env.status, 0, env.stderr);
  assert.match(env.stdout, /absent\(envoy_http_downstream_rq_xx\)/);
});
