// The reference the build is measured against (issue 16): a default Starlight site, built with the
// same Astro from the same incident Markdown. Each incident becomes one Markdown document (its
// title and summary as frontmatter, its body without the directives that our page template fills in,
// text, tables and code blocks kept); synthetic documents are copies under new slugs, as for our site.
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { OWN_CACHE_DIR, sandboxDir } from './sandbox.ts';

export const STARLIGHT_VERSION = '0.42.4';

/** Starlight's version if it is installed beside the project (package.json devDependencies), else undefined. */
export function starlightInstalled(root: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(root, 'node_modules', '@astrojs', 'starlight', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return undefined;
  }
}

/** An incident file's frontmatter (YAML text) and body. */
export function splitIncident(page: string): { frontmatter: string; body: string } {
  const m = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(page);
  if (!m) throw new Error('incident file without frontmatter');
  return { frontmatter: m[1] as string, body: m[2] as string };
}

/** An incident page as a plain Markdown document: frontmatter title and description, body without directives. */
export function toPlainMarkdown(page: string): string {
  const { frontmatter, body } = splitIncident(page);
  const fm = yaml.load(frontmatter) as { title: string; summary?: string };
  return `---\n${yaml.dump({ title: fm.title, description: fm.summary ?? fm.title }, { lineWidth: -1 })}---\n${plainBody(body)}`;
}

/**
 * An incident body without its directives (src/lib/directives.ts): the paged box's fences, parts and
 * block values taken out (the box's content stays), a claim reference dropped (its linked text stays),
 * a value as its name. Text, tables and code blocks are kept.
 */
export function plainBody(body: string): string {
  const out: string[] = [];
  let fence: string | undefined;
  for (const line of body.split('\n')) {
    const f = /^\s*(```+|~~~+)/.exec(line);
    if (fence) {
      if (f && f[1]?.startsWith(fence)) fence = undefined;
      out.push(line);
      continue;
    }
    if (f) {
      fence = f[1];
      out.push(line);
      continue;
    }
    if (/^\s*(:::if-paged|:::)\s*$/.test(line) || /^\s*::(part|v)[[{]/.test(line)) continue;
    out.push(
      line
        .replace(/\s*:claim\{#[\w-]+\}/g, '')
        .replace(/:claim\[([^\]]*)\]\{#[\w-]+\}/g, '$1')
        .replace(/:v\[([\w-]+)\]/g, '$1'),
    );
  }
  return out.join('\n');
}

/**
 * A default Starlight site in a new bench folder (sandbox.ts): Starlight's own starter configuration (a
 * title, no sidebar settings, so the sidebar lists every document) with the real incidents plus
 * `added` copies. Returns the folder.
 */
export function starlightSandbox(root: string, added: number): string {
  const dir = sandboxDir(root, 'kb-bench-starlight-');
  const docs = join(dir, 'src', 'content', 'docs');
  mkdirSync(join(docs, 'incidents'), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'kb-bench-starlight', private: true, type: 'module' }, null, 2));
  writeFileSync(
    join(dir, 'astro.config.mjs'),
    // Starlight's middleware imports @astrojs/starlight/locals, which imports astro:middleware: Astro
    // 7.3's prerender environment leaves that package external (to be loaded by Node, which cannot
    // resolve astro: imports) unless it is named here; without this the build fails on /404.
    `import { defineConfig } from 'astro/config';\nimport starlight from '@astrojs/starlight';\nexport default defineConfig({\n  ${OWN_CACHE_DIR}\n  integrations: [starlight({ title: 'Incidents' })],\n  vite: { environments: { prerender: { resolve: { noExternal: ['@astrojs/starlight'] } } } },\n});\n`,
  );
  writeFileSync(
    join(dir, 'src', 'content.config.ts'),
    `import { defineCollection } from 'astro:content';\nimport { docsLoader } from '@astrojs/starlight/loaders';\nimport { docsSchema } from '@astrojs/starlight/schema';\nexport const collections = { docs: defineCollection({ loader: docsLoader(), schema: docsSchema() }) };\n`,
  );
  writeFileSync(join(docs, 'index.md'), `---\ntitle: Incidents\ndescription: Kubernetes incident postmortems.\n---\nIncident postmortems.\n`);
  const incDir = join(root, 'content', 'incidents');
  const real = readdirSync(incDir).filter((f) => f.endsWith('.md')).sort();
  const plain = new Map(real.map((f) => [f.replace(/\.md$/, ''), toPlainMarkdown(readFileSync(join(incDir, f), 'utf8'))]));
  for (const [slug, md] of plain) writeFileSync(join(docs, 'incidents', `${slug}.md`), md);
  for (let i = 0; i < added; i++) {
    const slug = (real[i % real.length] as string).replace(/\.md$/, '');
    const md = (plain.get(slug) as string).replace(/^title: (.*)$/m, (_l, t: string) => `title: ${JSON.stringify(`${yaml.load(t) as string} (synthetic ${i})`)}`);
    writeFileSync(join(docs, 'incidents', `bench-${String(i).padStart(4, '0')}-${slug}.md`), md);
  }
  if (!existsSync(join(dir, 'node_modules', '@astrojs', 'starlight'))) throw new Error('@astrojs/starlight is not installed (npm ci installs it)');
  return dir;
}
