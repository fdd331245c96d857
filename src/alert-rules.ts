// npm run alert-rules -- [--base-url <url>]
// Prints the PrometheusRule for every alert page, with runbook_url under the given base URL
// (default: KB_RUNBOOK_BASE_URL, else KB_SITE + KB_BASE, else http://localhost:4321/).
import { join } from 'node:path';
import { prometheusRule, readAlerts, runbookBase, toYaml } from './lib/prometheus-rule.ts';

const args = process.argv.slice(2);
let base = runbookBase();
for (let i = 0; i < args.length; i++) {
  const a = args[i] as string;
  const value = a.startsWith('--base-url=') ? a.slice('--base-url='.length) : a === '--base-url' ? args[++i] : undefined;
  if (a !== '--base-url' && !a.startsWith('--base-url=')) {
    process.stderr.write(`error: unknown argument "${a}". Valid: --base-url <http(s) URL of the site, e.g. https://kb.example/sre/kb/>\n`);
    process.exit(2);
  }
  if (!value || !/^https?:\/\/[^/]+/.test(value)) {
    process.stderr.write(`error: --base-url needs an http(s) URL such as https://kb.example/sre/kb/, got "${value ?? ''}"\n`);
    process.exit(2);
  }
  base = value;
}
process.stdout.write(toYaml(prometheusRule(readAlerts(join(import.meta.dirname, '..')), base)));
