// npm run new-incident -- <slug>
// Scaffolds a complete incident: the page with every section, a repro with an empty claims file, and
// a failing test that says what to fill in. Refuses to overwrite anything.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { reproSlugs, REPROS_DIR } from './lib/registry.ts';
import { INCIDENT_SECTIONS } from '../src/taxonomy.ts';

const ROOT = dirname(REPROS_DIR);
const slug = process.argv[2];

function fail(msg: string): never {
  process.stderr.write(`error: ${msg}\n`);
  process.exit(2);
}

if (!slug || process.argv.length > 3) fail('usage: npm run new-incident -- <slug>   (kebab-case, e.g. dns-timeouts-after-upgrade)');
if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(slug)) fail(`"${slug}" is not a valid slug: use lower-case letters, digits and single dashes, e.g. dns-timeouts-after-upgrade`);
if (slug === 'lib') fail('"lib" is reserved for the shared repro library');
if (reproSlugs().includes(slug) || existsSync(join(REPROS_DIR, slug))) fail(`repros/${slug}/ already exists; pick another slug`);

const titles: Record<string, string> = {
  summary: 'Summary',
  impact: 'Impact',
  timeline: 'Timeline',
  'root-cause': 'Root cause',
  detection: 'Detection',
  mitigation: 'Mitigation',
  'action-items': 'Action items',
  lessons: 'Lessons',
  reproduce: 'Reproduce',
};

const files: Record<string, string> = {
  [`content/incidents/${slug}.mdx`]: `---
title: "TODO: what broke, in one line a reader would search for"
summary: "TODO: one paragraph of at least 80 characters: what happened, what users saw, why, and what fixed it."
date: ${new Date().toISOString().slice(0, 10)}
severity: SEV3
status: open
# Header fields the write-up does not give (they are then this knowledge base's filing): date, severity, status
filedHere: []
components: [kubelet]
tags: [todo]
alerts: { fires: [KubePodNotReady], silent: [] }
repro: ${slug}
sources:
  - label: "TODO: the upstream code or issue this rests on"
    url: https://github.com/kubernetes/kubernetes
---

${INCIDENT_SECTIONS.map((s) => `## ${titles[s] ?? s}\n\nTODO\n`).join('\n')}`,
  [`repros/${slug}/claims.ts`]: `// The behaviour the page documents. Each claim: the sentence a reader sees, the expected value
// (with unit and tolerance for measurements) and the upstream source it rests on.
import { defineClaims } from '../lib/claims.ts';

export const claims = defineClaims('${slug}', {});
`,
  [`repros/${slug}/page.ts`]: `// What the site may import from this repro: claims, constants, model functions, the source file
// list. Pure: no process, socket or real-tier code (tests/site/site-surface.test.ts checks).
export { claims } from './claims.ts';

/** Files shown on the incident page, relative to the repo root. */
export const SOURCE_FILES: readonly string[] = ['repros/${slug}/repro.ts'];
`,
  [`repros/${slug}/repro.ts`]: `// Describes the repro. Put the scenarios' process code in scenarios.ts and load it on first run:
// run: lazy(() => import('./scenarios.ts'), (m) => m.run), so the site never loads it.
import type { Repro } from '../lib/repro.ts';
import { claims } from './claims.ts';
import { SOURCE_FILES } from './page.ts';

export const repro: Repro = {
  slug: '${slug}',
  title: 'TODO',
  description: 'TODO: one line for npm run repro -- list',
  defaultScenario: 'default',
  scenarios: {
    default: {
      description: 'TODO: what this scenario shows',
      async run(ctx) {
        ctx.log('TODO: start the real processes through ctx.procs and measure');
        return { observations: {}, checks: [] };
      },
    },
  },
  claims,
  sourceFiles: SOURCE_FILES,
};
`,
  [`tests/repros/${slug}.scenarios.test.ts`]: `import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runScenario } from '../../repros/lib/runner.ts';
import { assertReport } from '../lib/claims.ts';

test('${slug}: the default scenario verifies its claims', async () => {
  const report = await runScenario('${slug}', 'default', { scale: 0.01 });
  assert.ok(report.checks.length > 0, 'TODO: add claims to repros/${slug}/claims.ts and return a check for each from the scenario');
  assertReport(report);
});
`,
};

for (const f of Object.keys(files)) if (existsSync(join(ROOT, f))) fail(`${f} already exists; nothing was written`);
for (const [f, text] of Object.entries(files)) {
  mkdirSync(dirname(join(ROOT, f)), { recursive: true });
  writeFileSync(join(ROOT, f), text);
  console.log(`created ${f}`);
}
// The registry (repros/lib/registry.ts) lists every repro: one import and one entry.
const REGISTRY = join(REPROS_DIR, 'lib', 'registry.ts');
const ident = slug.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase()).replace(/^(\d)/, '_$1');
const registry = readFileSync(REGISTRY, 'utf8')
  .replace('// new-incident: imports above this line', `import { repro as ${ident} } from '../${slug}/repro.ts';\n// new-incident: imports above this line`)
  .replace('  // new-incident: repros above this line', `  ${ident},\n  // new-incident: repros above this line`);
writeFileSync(REGISTRY, registry);
console.log('added it to repros/lib/registry.ts');
console.log(`\nNext: write the page, add claims, make the scenario measure them, then run npm test.`);
