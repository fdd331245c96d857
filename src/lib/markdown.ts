// The Markdown processor's options for the whole site (astro.config.mjs: satteri, Astro's processor,
// which adds GFM and smart punctuation): the incident pages' directives (directives.ts) and the code
// fences' highlighting (highlight.ts, in place of Astro's own, turned off in astro.config.mjs).
//
// Astro keeps each entry's rendered Markdown between builds (its content cache) and renders it again
// when the entry's text or the site's configuration changes. It compares the configuration as data,
// and sees of a plugin only its name: so the names carry a digest of the code behind them (these
// modules, the themes, Shiki's version), and a change to that code renders every page again.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { incidentDirectives } from './directives.ts';
import { fenceHighlightPlugin } from './highlight.ts';

const RENDERING_CODE = ['directives.ts', 'highlight.ts', 'dual-theme.ts', 'code-themes.ts', 'markdown.ts'];

const digest = ((): string => {
  const h = createHash('sha256');
  for (const f of RENDERING_CODE) h.update(readFileSync(new URL(f, import.meta.url)));
  try {
    h.update((createRequire(import.meta.url)('shiki/package.json') as { version: string }).version);
  } catch {
    h.update('shiki: unknown version');
  }
  return h.digest('hex').slice(0, 12);
})();

export const markdownOptions = {
  features: { directive: true },
  mdastPlugins: [{ ...incidentDirectives, name: `${incidentDirectives.name}@${digest}` }],
  hastPlugins: [{ ...fenceHighlightPlugin, name: `${fenceHighlightPlugin.name}@${digest}` }],
};
