// Builds the Pagefind search index over the finished site (Pagefind reads the built HTML, so this
// runs after the build; `astro dev` has no search index).
import type { AstroIntegration } from 'astro';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as pagefind from 'pagefind';

/**
 * The built pages Pagefind can index: those with a data-pagefind-body element, as Pagefind indexes
 * only those once any page has one. They are the pages of the routes whose template has the attribute
 * (the incident and alert pages), so the templates are read, not the built pages. Handing Pagefind just
 * these (as a glob of their paths) builds the same index without parsing every other page (a repro
 * source page, a tag list). Undefined when no route has the attribute: Pagefind then indexes every page.
 */
function indexedPages(site: string, searchableRoutes: ReadonlySet<string>, assets: Map<string, URL[]>): string | undefined {
  const pages = [...assets].filter(([route]) => searchableRoutes.has(route)).flatMap(([, urls]) => urls.map((u) => fileURLToPath(u)));
  if (pages.length === 0) return undefined;
  // Glob metacharacters in a path are escaped, so each alternative matches exactly that file.
  return `{${pages.map((f) => relative(site, f).split('\\').join('/').replace(/[\\{}[\]*?,<>]/g, '\\$&')).join(',')}}`;
}

export function pagefindIndex(): AstroIntegration {
  let root: URL | undefined;
  const searchableRoutes = new Set<string>();
  return {
    name: 'runbook-repros:pagefind',
    hooks: {
      'astro:config:done': ({ config }) => {
        root = config.root;
      },
      'astro:routes:resolved': ({ routes }) => {
        searchableRoutes.clear();
        for (const r of routes) {
          // The site's own page templates (not redirects, endpoints or routes an integration injects).
          if (!r.isPrerendered || !root || r.type !== 'page' || r.origin !== 'project') continue;
          if (readFileSync(new URL(r.entrypoint, root), 'utf8').includes('data-pagefind-body')) searchableRoutes.add(r.pattern);
        }
      },
      'astro:build:done': async ({ dir, assets, logger }) => {
        const site = fileURLToPath(dir);
        const { index, errors } = await pagefind.createIndex({});
        if (!index) throw new Error(`pagefind: could not create an index: ${errors.join('; ')}`);
        const glob = indexedPages(site, searchableRoutes, assets);
        const added = await index.addDirectory({ path: site, ...(glob ? { glob } : {}) });
        if (added.errors.length > 0) throw new Error(`pagefind: ${added.errors.join('; ')}`);
        // The entry file is what the search page loads first; it has once been seen written empty on
        // a busy machine, which breaks search silently. Check it, and write the files again if so.
        const entryOk = (): boolean => {
          try {
            return typeof JSON.parse(readFileSync(`${site}pagefind/pagefind-entry.json`, 'utf8')).version === 'string';
          } catch {
            return false;
          }
        };
        for (let attempt = 1; ; attempt++) {
          const written = await index.writeFiles({ outputPath: `${site}pagefind` });
          if (written.errors.length > 0) throw new Error(`pagefind: ${written.errors.join('; ')}`);
          if (entryOk()) break;
          if (attempt === 3) throw new Error(`pagefind: ${site}pagefind/pagefind-entry.json is empty or not JSON after ${attempt} writes`);
          logger.warn(`pagefind-entry.json was written empty; writing the index again (attempt ${attempt + 1})`);
        }
        await pagefind.close();
        logger.info(`indexed ${added.page_count} pages for search`);
      },
    },
  };
}
