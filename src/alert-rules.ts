// npm run alert-rules -- [--base-url <url>] [--gateway <kind>]
// Prints the PrometheusRule for every alert page, with runbook_url under the given base URL
// (default: KB_RUNBOOK_BASE_URL, else KB_SITE + KB_BASE, else http://localhost:4321/), and the gateway
// rules reading the metrics of the given gateway kind (default: KB_GATEWAY, else ingress-nginx).
import { join } from 'node:path';
import { gatewayKind, parseGateway, prometheusRule, readAlerts, runbookBase, toYaml } from './lib/prometheus-rule.ts';
import { GATEWAY_KINDS, type GatewayKind } from './schema.ts';

function fail(message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(2);
}

const USAGE = `Valid: --base-url <http(s) URL of the site, e.g. https://kb.example/sre/kb/>, --gateway <${GATEWAY_KINDS.join('|')}>`;
const args = process.argv.slice(2);
let base = runbookBase();
let gateway: GatewayKind;
try {
  gateway = gatewayKind();
} catch (err) {
  fail((err as Error).message);
}
for (let i = 0; i < args.length; i++) {
  const a = args[i] as string;
  const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
  if (flag !== '--base-url' && flag !== '--gateway') fail(`unknown argument "${a}". ${USAGE}`);
  const value = inline ?? args[++i];
  if (flag === '--base-url') {
    if (!value || !/^https?:\/\/[^/]+/.test(value)) fail(`--base-url needs an http(s) URL such as https://kb.example/sre/kb/, got "${value ?? ''}"`);
    base = value;
  } else {
    try {
      gateway = parseGateway(value ?? '');
    } catch (err) {
      fail((err as Error).message);
    }
  }
}
process.stdout.write(toYaml(prometheusRule(readAlerts(join(import.meta.dirname, '..')), base, gateway)));
