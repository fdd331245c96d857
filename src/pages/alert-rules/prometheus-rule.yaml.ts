// <base>alert-rules/prometheus-rule.yaml: the rule file, ready for `kubectl apply -f`.
import type { APIRoute } from 'astro';
import { alerts } from '../../lib/content.ts';
import { gatewayKind, prometheusRule, runbookBase, toYaml } from '../../lib/prometheus-rule.ts';

export const GET: APIRoute = async () => {
  const rule = prometheusRule((await alerts()).map((a) => a.data), runbookBase(), gatewayKind());
  return new Response(toYaml(rule), { headers: { 'Content-Type': 'application/yaml; charset=utf-8' } });
};
