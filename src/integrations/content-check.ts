// Stops `astro build` / `astro dev` before anything is rendered when a content file is malformed,
// listing every problem with its file, field and what is allowed (src/lib/validate.ts).
import type { AstroIntegration } from 'astro';
import { fileURLToPath } from 'node:url';
import { formatProblems, validateContent } from '../lib/validate.ts';
import { reproSlugs } from '../../repros/lib/registry.ts';

export function contentCheck(): AstroIntegration {
  return {
    name: 'runbook-repros:content-check',
    hooks: {
      'astro:config:setup': ({ config, logger }) => {
        const problems = validateContent({ root: fileURLToPath(config.root), repros: reproSlugs() });
        if (problems.length > 0) {
          const err = new Error(formatProblems(problems));
          err.stack = err.message;
          throw err;
        }
        logger.info('content checked');
      },
    },
  };
}
