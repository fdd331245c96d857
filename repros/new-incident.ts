// npm run new-incident -- <slug>
// Scaffolds a complete incident in the shape every repro has: the page with every section and its body
// module (what the page takes from code: values, interactive parts), and a repro
// with its constants, claims, checks (the one place a claim meets a measurement), scenarios loaded on
// first run, the site's surface (page.ts), its registry entry, and a test that fails until the repro
// checks something. Refuses to overwrite anything.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { registerRepros } from './lib/registry-file.ts';
import { REPO_ROOT as ROOT, REPROS_DIR } from './lib/paths.ts';
import { reproSlugs } from './lib/registry.ts';

function fail(msg: string): never {
  process.stderr.write(`error: ${msg}\n`);
  process.exit(2);
}

/** The slug from the command line, or exit 2 saying what is wrong with it. */
function slugFrom(argv: readonly string[]): string {
  const slug = argv[0];
  if (!slug || argv.length > 1) fail('usage: npm run new-incident -- <slug>   (kebab-case, e.g. dns-timeouts-after-upgrade)');
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(slug)) fail(`"${slug}" is not a valid slug: use lower-case letters, digits and single dashes, e.g. dns-timeouts-after-upgrade`);
  if (slug === 'lib') fail('"lib" is reserved for the shared repro library');
  if (reproSlugs().includes(slug) || existsSync(join(REPROS_DIR, slug))) fail(`repros/${slug}/ already exists; pick another slug`);
  return slug;
}

/**
 * The incident page. Its frontmatter fields and "##" sections are those src/schema.ts and
 * src/taxonomy.ts require (tests/unit/new-incident.test.ts validates the page it writes); the file
 * name is the slug of the repro it owns.
 */
function page(date: string): string {
  return `---
title: "TODO: what broke, in one line a reader would search for"
summary: "TODO: one paragraph of at least 80 characters: what happened, what users saw, why, and what fixed it."
date: ${date}
severity: SEV3
status: open
# Header fields the write-up does not give (they are then this knowledge base's filing): date, severity, status
filedHere: []
components: [kubelet]
tags: [todo]
alerts: { fires: [KubePodNotReady], silent: [] }
sources:
  - label: "TODO: the upstream code or issue this rests on"
    url: https://github.com/kubernetes/kubernetes
---

:::if-paged
**What you see first.** TODO: the alert or symptom that brings a reader here.

**Confirm it** with TODO: the commands that tell this incident apart.

**Safest mitigation.** TODO: what to do first, and how to roll it back.
:::

${['Summary', 'Impact', 'Timeline', 'Root cause', 'Detection', 'Mitigation', 'Action items', 'Lessons', 'Reproduce'].map((s) => `## ${s}\n\nTODO\n`).join('\n')}`;
}

/**
 * The page's body module: the values (:v[name]) and parts (::part{#name}) its Markdown names, taken
 * from the repro's code so a number on the page is the number the repro checks (src/lib/body.ts).
 */
function bodyModule(slug: string): string {
  return `// What content/incidents/${slug}.md takes from code (src/lib/body.ts): each value the page writes as
// :v[name] and each part it places with ::part{#name}. Take numbers from the repro (page.ts), e.g.
//   import { INCIDENT } from '../../../repros/${slug}/page.ts';
//   values: { preStop: INCIDENT.preStopS },   and on the page: "the preStop hook sleeps :v[preStop] s"
import type { Body } from '../../lib/body.ts';

export const body: Body = {
  values: {},
  parts: {},
};
`;
}

/** The repro's modules and its test, by path from the repository root. */
function reproFiles(slug: string): Record<string, string> {
  return {
    [`repros/${slug}/constants.ts`]: `// The incident's numbers, each written once: durations in real seconds (a run multiplies them by
// ctx.scale), sizes, counts. Claims, scenarios, checks and the page import them from here.
export const INCIDENT = {
  // TODO: e.g. /** preStop hook of the incident's pods, seconds. */ preStopS: 15,
} as const;
`,
    [`repros/${slug}/claims.ts`]: `// The behaviour the page documents. Each claim: the sentence a reader sees, the expected value
// (with unit and tolerance for measurements, from constants.ts) and the upstream source it rests on.
import { defineClaims } from '../lib/claims.ts';

export const claims = defineClaims('${slug}', {});
`,
    [`repros/${slug}/checks.ts`]: `// The one place a ${slug} claim id meets a measurement: every way the repro runs (stand-ins, real
// components, a cluster) turns what it measured into claim checks here.
import type { ClaimCheck } from '../lib/claims.ts';

/** What a run measured that the claims speak to. */
export interface Measurements {
  // TODO: one field per measured value, e.g. requestsBeforeHang: number;
}

export function checksOf(_m: Measurements): ClaimCheck[] {
  return [
    // TODO: one entry per claim (import { claims } from './claims.ts'), e.g.
    // { claim: claims['requests-before-hang'], observed: m.requestsBeforeHang },
  ];
}
`,
    [`repros/${slug}/scenarios.ts`]: `// The scenarios' process code, loaded on first run (repro.ts): start the real processes through
// ctx.procs, measure, and judge the measurements through checks.ts.
import type { RunContext, ScenarioResult } from '../lib/repro.ts';
import { checksOf, type Measurements } from './checks.ts';

export async function runDefault(ctx: RunContext): Promise<ScenarioResult> {
  ctx.log('TODO: start the real processes through ctx.procs and measure');
  const m: Measurements = {};
  return { observations: { ...m }, checks: checksOf(m) };
}
`,
    [`repros/${slug}/page.ts`]: `// ${slug} as the site sees it: the one module incident pages and site components import. Pure
// data and functions (no process, socket or real-tier code; tests/site/site-surface.test.ts checks).
export { claims } from './claims.ts';
export { INCIDENT } from './constants.ts';

/** Files shown on the incident page, relative to the repo root. */
export const SOURCE_FILES: readonly string[] = ['repros/${slug}/scenarios.ts', 'repros/${slug}/checks.ts'];
`,
    [`repros/${slug}/repro.ts`]: `// ${slug}: TODO, what breaks, in a line or two.
// This module describes the repro; its scenarios load on first run (lazy), so the registry and the
// site read it without loading process code.
import { lazy, type Repro } from '../lib/repro.ts';
import { claims } from './claims.ts';
import { SOURCE_FILES } from './page.ts';

const scenarios = () => import('./scenarios.ts');

export const repro: Repro = {
  slug: '${slug}',
  title: 'TODO',
  description: 'TODO: one line for npm run repro -- list',
  defaultScenario: 'default',
  scenarios: {
    default: {
      description: 'TODO: what this scenario shows',
      run: lazy(scenarios, (m) => m.runDefault),
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
  assert.ok(report.checks.length > 0, 'TODO: add claims to repros/${slug}/claims.ts and return a check for each from checks.ts');
  assertReport(report);
});
`,
  };
}

const slug = slugFrom(process.argv.slice(2));
const files = {
  [`content/incidents/${slug}.md`]: page(new Date().toISOString().slice(0, 10)),
  [`src/components/${slug}/body.ts`]: bodyModule(slug),
  ...reproFiles(slug),
};
for (const f of Object.keys(files)) if (existsSync(join(ROOT, f))) fail(`${f} already exists; nothing was written`);
for (const [f, text] of Object.entries(files)) {
  mkdirSync(dirname(join(ROOT, f)), { recursive: true });
  writeFileSync(join(ROOT, f), text);
  console.log(`created ${f}`);
}
registerRepros(REPROS_DIR, [slug]);
console.log('added it to repros/lib/registry.ts');
console.log(`\nNext: write the page, put the numbers in constants.ts, add claims, make the scenario measure them and checks.ts judge them, then run npm test.`);
