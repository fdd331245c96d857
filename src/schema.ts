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
  components: z.array(z.enum(COMPONENT_IDS)).min(1),
  tags: z.array(kebab).min(1),
  alerts: z.array(alertName).min(1),
  /** Affected Kubernetes versions where known, e.g. "1.0 to 1.35 (all current releases)". */
  affectedVersions: z.string().min(2).optional(),
  /** The repro this page owns: a folder under repros/. */
  repro: kebab,
  sources: z.array(sourceSchema).min(1),
});

export type IncidentData = z.infer<typeof incidentSchema>;

export const alertSchema = z.strictObject({
  name: alertName,
  /** Where the rule comes from: the kubernetes-mixin, or this site's own rules. */
  origin: z.enum(['kubernetes-mixin', 'site']),
  severity: z.enum(['critical', 'warning', 'info']),
  summary: z.string().min(10).max(300),
  expr: z.string().min(3),
  for: z.string().regex(/^\d+[smh]$/, 'must be a Prometheus duration like 15m').optional(),
  sources: z.array(sourceSchema).min(1),
});

export type AlertData = z.infer<typeof alertSchema>;

/** The URL slug of an alert: kube-prometheus' runbook_url pattern uses the lower-case name. */
export function alertSlug(name: string): string {
  return name.toLowerCase();
}
