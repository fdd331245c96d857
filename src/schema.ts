// Frontmatter schemas, pure zod, so the same definitions serve the Astro content collections
// (src/content.config.ts), the content checks and the tests.
import { z } from 'astro/zod';
import { COMPONENT_IDS, SEVERITIES, STATUSES } from './taxonomy.ts';

const kebab = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be kebab-case: lower-case letters, digits and single dashes');
const alertName = z.string().regex(/^[A-Z][A-Za-z0-9]+$/, 'must be a Prometheus alert name in PascalCase, e.g. KubePodCrashLooping');

export const sourceSchema = z.strictObject({
  label: z.string().min(3),
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
});

export const incidentSchema = z.strictObject({
  title: z.string().min(10).max(120),
  summary: z
    .string()
    .min(80, 'must be one paragraph of at least 80 characters')
    .max(900, 'must be one paragraph of at most 900 characters')
    .refine((s) => !/\n\s*\n/.test(s), 'must be a single paragraph (no blank lines)'),
  date: z.coerce.date({ error: 'must be a date, YYYY-MM-DD' }),
  severity: z.enum(SEVERITIES),
  status: z.enum(STATUSES),
  /**
   * Header fields the incident's write-up does not give: the knowledge base files the incident with
   * them (a date to sort by, a severity to filter by), and the page marks them as its own filing so
   * no reader takes them for the incident's.
   */
  filedHere: z.array(z.enum(['date', 'severity', 'status'])).default([]),
  components: z.array(z.enum(COMPONENT_IDS)).min(1),
  tags: z.array(kebab).min(1),
  /**
   * The alerts this incident concerns, split by what the rules do under the incident's model (checked
   * by promtool in tests/site/alert-rules-promtool.test.ts): those that fire, and those a reader might
   * expect but that stay silent (say why on the page).
   */
  alerts: z
    .strictObject({
      fires: z.array(alertName),
      silent: z.array(alertName).default([]),
    })
    .refine((a) => a.fires.length + a.silent.length > 0, 'must name at least one alert, under "fires" or "silent"')
    .refine((a) => !a.fires.some((n) => a.silent.includes(n)), 'an alert cannot both fire and stay silent'),
  /** Affected Kubernetes versions where known, e.g. "1.0 to 1.35 (all current releases)". */
  affectedVersions: z.string().min(2).optional(),
  sources: z.array(sourceSchema).min(1),
});

export type IncidentData = z.infer<typeof incidentSchema>;

/** Every alert an incident names, firing ones first. */
export function incidentAlerts(d: Pick<IncidentData, 'alerts'>): string[] {
  return [...d.alerts.fires, ...d.alerts.silent];
}

/**
 * The gateways whose request metrics the site's own gateway rules can read, chosen by configuration
 * (`npm run alert-rules -- --gateway <kind>`, or KB_GATEWAY when the site is built).
 */
export const GATEWAY_KINDS = ['ingress-nginx', 'envoy', 'nginx-log-exporter'] as const;
export type GatewayKind = (typeof GATEWAY_KINDS)[number];
export const DEFAULT_GATEWAY: GatewayKind = 'ingress-nginx';

/** The metric each gateway kind exports, for the alert pages. */
export const GATEWAY_LABELS: Readonly<Record<GatewayKind, string>> = {
  'ingress-nginx': 'ingress-nginx controller (nginx_ingress_controller_requests)',
  envoy: 'Envoy-based gateways: Envoy Gateway, Contour, Emissary, Istio ingress (envoy_http_downstream_rq_xx)',
  'nginx-log-exporter': 'plain nginx with prometheus-nginxlog-exporter, namespace "nginx" (nginx_http_response_count_total)',
};

const promDuration = z.string().regex(/^\d+[smh]$/, 'must be a Prometheus duration like 15m');

export const alertSchema = z.strictObject({
  name: alertName,
  /** Where the rule comes from: the kubernetes-mixin, or this site's own rules. */
  origin: z.enum(['kubernetes-mixin', 'site']),
  severity: z.enum(['critical', 'warning', 'info']),
  summary: z.string().min(10).max(300),
  /**
   * The PromQL expression; for a rule on gateway metrics, one per gateway kind (all of them), and the
   * configuration picks one.
   */
  expr: z.union([
    z.string().min(3),
    z.strictObject(Object.fromEntries(GATEWAY_KINDS.map((k) => [k, z.string().min(3)])) as Record<GatewayKind, z.ZodString>),
  ], { error: `must be a PromQL expression, or a map with one expression per gateway kind: ${GATEWAY_KINDS.join(', ')}` }),
  for: promDuration.optional(),
  sources: z.array(sourceSchema).min(1),
});

export type AlertData = z.infer<typeof alertSchema>;

/** The expression a rule uses for the configured gateway (the same for every kind unless the page gives a map). */
export function alertExpr(a: Pick<AlertData, 'expr'>, gateway: GatewayKind = DEFAULT_GATEWAY): string {
  return typeof a.expr === 'string' ? a.expr : a.expr[gateway];
}

/** The URL slug of an alert: kube-prometheus' runbook_url pattern uses the lower-case name. */
export function alertSlug(name: string): string {
  return name.toLowerCase();
}
