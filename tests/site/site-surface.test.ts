// The site's surface of the repros: each repros/<slug>/page.ts (and each repro.ts, which the registry
// reads) must stay free of process, socket and real-tier code, transitively, following static imports
// (a dynamic import() is how repro.ts loads its scenarios on first run, so it is not followed). Pages
// and site components import repro code only through page.ts and the pure modules of repros/lib.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const ROOT = join(import.meta.dirname, '..', '..');
const REPROS = join(ROOT, 'repros');
const slugs = readdirSync(REPROS).filter((d) => d !== 'lib' && existsSync(join(REPROS, d, 'repro.ts')));

/** Modules a page.ts may not reach: processes, sockets, the real tier, the live panel, clusters. */
const FORBIDDEN_BUILTINS = /^(node:)?(child_process|net|http|https|dgram|worker_threads|cluster)$/;
const FORBIDDEN_PATHS = [
  /^repros\/[^/]+\/real\//,
  /^repros\/[^/]+\/cluster\//,
  /^repros\/lib\/(processes|child|runner|net)\.ts$/,
  /^repros\/lib\/(real|live|cri|cluster)\//,
];
/** The repros/lib modules pages and site components may import directly. */
const PURE_LIB = new Set(['repros/lib/address.ts', 'repros/lib/claims.ts', 'repros/lib/tiers.ts', 'repros/lib/repro.ts']);

/** Static import and re-export specifiers of a module's text (type-only imports excluded). */
export function staticImports(text: string): string[] {
  const out: string[] = [];
  const re = /^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
  for (const m of text.matchAll(re)) if (m[1]) out.push(m[1]);
  return out;
}

function resolveSpec(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.') && !spec.startsWith('/')) return undefined;
  // A query (Vite's ?raw) names the same file.
  const path = spec.replace(/\?.*$/, '');
  const p = path.startsWith('/') ? join(ROOT, path) : resolve(dirname(from), path);
  return existsSync(p) && statSync(p).isFile() ? p : undefined;
}

/** Every module reached from `entry` by static imports, with the chain that reached it. */
function reach(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>([[entry, [rel(entry)]]]);
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift() as string;
    if (!/\.(ts|mts|js)$/.test(file)) continue;
    for (const spec of staticImports(readFileSync(file, 'utf8'))) {
      const chain = [...(seen.get(file) ?? []), spec];
      if (!spec.startsWith('.') && !spec.startsWith('/')) {
        if (!seen.has(spec)) seen.set(spec, chain);
        continue;
      }
      const target = resolveSpec(file, spec);
      if (target && !seen.has(target)) {
        seen.set(target, [...(seen.get(file) ?? []), rel(target)]);
        queue.push(target);
      }
    }
  }
  return seen;
}

const rel = (p: string): string => relative(ROOT, p).split('\\').join('/');

function forbiddenReached(entry: string): string[] {
  const problems: string[] = [];
  for (const [mod, chain] of reach(entry)) {
    const name = mod.startsWith('/') ? rel(mod) : mod;
    if (FORBIDDEN_BUILTINS.test(name) || FORBIDDEN_PATHS.some((re) => re.test(name))) problems.push(chain.join(' -> '));
  }
  return problems;
}

test('the import scanner sees static imports and re-exports, not type-only or dynamic ones', () => {
  const text = [
    "import { a } from './a.ts';",
    "import type { B } from './b.ts';",
    "export * from './c.ts';",
    "export { d } from './d.ts';",
    "import './e.ts';",
    'import {\n  f,\n  g,\n} from \'./fg.ts\';',
    "const h = () => import('./h.ts');",
  ].join('\n');
  assert.deepEqual(staticImports(text), ['./a.ts', './c.ts', './d.ts', './e.ts', './fg.ts']);
});

for (const slug of slugs) {
  test(`${slug}: page.ts exists and imports no process, socket or real-tier module`, () => {
    const page = join(REPROS, slug, 'page.ts');
    assert.ok(existsSync(page), `repros/${slug}/page.ts is missing: it is the module pages and site components import`);
    assert.deepEqual(forbiddenReached(page), [], `repros/${slug}/page.ts reaches modules the site must not load`);
  });

  test(`${slug}: repro.ts loads its scenarios lazily (no process code on its static imports)`, () => {
    assert.deepEqual(forbiddenReached(join(REPROS, slug, 'repro.ts')), [], `repros/${slug}/repro.ts reaches process code statically`);
  });
}

/** The static imports of an .astro file (its frontmatter and <script> blocks) or a module. */
function siteImports(file: string): string[] {
  return staticImports(readFileSync(file, 'utf8'));
}

/** Each incident's components and body module (src/components/<slug>/): what its page loads. */
function siteFiles(): string[] {
  const out: string[] = [];
  for (const slug of slugs) {
    const dir = join(ROOT, 'src', 'components', slug);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir, { recursive: true, encoding: 'utf8' })) if (/\.(astro|ts)$/.test(f)) out.push(join(dir, f));
  }
  return out;
}

test('incident pages and their components import repro code only through page.ts and pure repros/lib modules', () => {
  const problems: string[] = [];
  for (const file of siteFiles()) {
    for (const spec of siteImports(file)) {
      const target = resolveSpec(file, spec);
      if (!target) continue;
      const name = rel(target);
      if (!name.startsWith('repros/')) continue;
      if (/^repros\/[^/]+\/page\.ts$/.test(name) || PURE_LIB.has(name)) continue;
      // Recorded runs are data, not code (keepalive-502's recordings drive its chart).
      if (/^repros\/[^/]+\/recordings\/[^/]+\.json$/.test(name)) continue;
      // A file imported as text (?raw) is shown, not run: the snippets on the pages.
      if (/\?raw$/.test(spec)) continue;
      problems.push(`${rel(file)} imports ${name}`);
    }
  }
  assert.deepEqual(problems, [], 'import from repros/<slug>/page.ts instead');
});

test('the registry the CLI, the site and the tests read lists every repro folder, and loads no process code', async () => {
  const { reproSlugs } = await import('../../repros/lib/registry.ts');
  assert.deepEqual(reproSlugs(), [...slugs].sort(), 'a folder under repros/ with a repro.ts must be listed in repros/lib/registry.ts');
  assert.deepEqual(forbiddenReached(join(REPROS, 'lib', 'registry.ts')), []);
  assert.deepEqual(forbiddenReached(join(ROOT, 'src', 'lib', 'repros.ts')), []);
});

test('the search index\'s pages are marked in route templates, where the Pagefind integration looks for them', () => {
  // src/integrations/pagefind.ts hands Pagefind the pages of the routes whose template (src/pages/)
  // holds data-pagefind-body; marked in a component or layout instead, those pages would drop out of search.
  const marked = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(astro|ts)$/.test(f) && !f.startsWith('integrations'))
    .filter((f) => readFileSync(join(ROOT, 'src', f), 'utf8').includes('data-pagefind-body'));
  assert.deepEqual(marked.filter((f) => !f.startsWith('pages/')), [], 'data-pagefind-body belongs in a page template under src/pages/');
  assert.ok(marked.length >= 2, `the incident and alert page templates are searchable (found: ${marked.join(', ')})`);
});

test('an incident\'s parts keep their styles in its parts.css, which only its own page loads', () => {
  // The incident pages share one template that loads every incident's body module, so a <style> in a
  // part's component would land on every incident page (src/lib/body.ts, Body.styles).
  const styled: string[] = [];
  for (const slug of slugs) {
    const dir = join(ROOT, 'src', 'components', slug);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
      if (f.endsWith('.astro') && /<style[\s>]/.test(readFileSync(join(dir, f), 'utf8'))) styled.push(`src/components/${slug}/${f}`);
    }
  }
  assert.deepEqual(styled, [], 'move the <style> into the incident\'s parts.css (every selector under the part\'s own class)');
});
