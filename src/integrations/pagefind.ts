// Builds the Pagefind search index over the finished site (Pagefind reads the built HTML, so this
// runs after the build; `astro dev` has no search index).
import type { AstroIntegration } from 'astro';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as pagefind from 'pagefind';

export function pagefindIndex(): AstroIntegration {
  return {
    name: 'runbook-repros:pagefind',
    hooks: {
      'astro:build:done': async ({ dir, logger }) => {
        const site = fileURLToPath(dir);
        const { index, errors } = await pagefind.createIndex({});
        if (!index) throw new Error(`pagefind: could not create an index: ${errors.join('; ')}`);
        const added = await index.addDirectory({ path: site });
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
