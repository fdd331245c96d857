// The PrometheusRule for every alert page on this site, built from the alert pages' own frontmatter
// (one copy of each expression), with runbook_url pointing at the page. Used by the served file
// <base>alert-rules/prometheus-rule.yaml, the page <base>alert-rules/, `npm run alert-rules` and the tests.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { alertExpr, alertSchema, alertSlug, DEFAULT_GATEWAY, GATEWAY_KINDS, type AlertData, type GatewayKind } from '../schema.ts';
import { parseFrontmatter } from './validate.ts';

export interface RuleObject {
  apiVersion: 'monitoring.coreos.com/v1';
  kind: 'PrometheusRule';
  metadata: { name: string; labels: Record<string, string> };
  spec: { groups: { name: string; rules: Record<string, unknown>[] }[] };
}

/** The runbook base URL: KB_RUNBOOK_BASE_URL, else the site's origin and base path. */
export function runbookBase(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.KB_RUNBOOK_BASE_URL;
  const base = explicit ?? `${(env.KB_SITE ?? 'http://localhost:4321').replace(/\/$/, '')}${(env.KB_BASE ?? '/').replace(/\/?$/, '/')}`;
  return base.replace(/\/?$/, '/');
}

/** The gateway kind the gateway rules read: KB_GATEWAY, else ingress-nginx. Throws naming the valid kinds. */
export function gatewayKind(env: NodeJS.ProcessEnv = process.env): GatewayKind {
  return parseGateway(env.KB_GATEWAY ?? DEFAULT_GATEWAY, 'KB_GATEWAY');
}

export function parseGateway(value: string, what = '--gateway'): GatewayKind {
  if ((GATEWAY_KINDS as readonly string[]).includes(value)) return value as GatewayKind;
  throw new Error(`${what} must be one of ${GATEWAY_KINDS.join(', ')}, got "${value}"`);
}

export function runbookUrl(baseUrl: string, alertName: string): string {
  // kube-prometheus' pattern: lower-case alert name, no trailing slash; the site answers both forms.
  return `${baseUrl.replace(/\/?$/, '/')}alerts/${alertSlug(alertName)}`;
}

export function prometheusRule(alerts: readonly AlertData[], baseUrl: string, gateway: GatewayKind = DEFAULT_GATEWAY): RuleObject {
  const group = (name: string, list: readonly AlertData[]) => ({
    name,
    rules: list.map((a) => ({
      alert: a.name,
      expr: alertExpr(a, gateway),
      ...(a.for ? { for: a.for } : {}),
      labels: { severity: a.severity },
      annotations: { summary: a.summary, runbook_url: runbookUrl(baseUrl, a.name) },
    })),
  });
  const sorted = [...alerts].sort((a, b) => a.name.localeCompare(b.name));
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'runbook-repros', labels: { 'app.kubernetes.io/part-of': 'runbook-repros', 'runbook-repros/gateway': gateway } },
    spec: {
      groups: [
        group('runbook-repros.site', sorted.filter((a) => a.origin === 'site')),
        group('runbook-repros.kubernetes-mixin', sorted.filter((a) => a.origin === 'kubernetes-mixin')),
      ].filter((g) => g.rules.length > 0),
    },
  };
}

export function toYaml(rule: RuleObject): string {
  return stringify(rule, { lineWidth: 0 });
}

/** Reads content/alerts/*.md frontmatter outside Astro (CLI and tests). */
export function readAlerts(root: string): AlertData[] {
  const dir = join(root, 'content', 'alerts');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    .map((f) => {
      const p = parseFrontmatter(readFileSync(join(dir, f), 'utf8'));
      if (typeof p === 'string') throw new Error(`content/alerts/${f} ${p}`);
      return alertSchema.parse(p.data);
    });
}
