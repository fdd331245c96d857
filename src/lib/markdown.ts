// The Markdown processor's options for the whole site (astro.config.mjs: satteri, Astro's processor,
// which adds GFM and smart punctuation): the incident pages' directives (directives.ts) and the code
// fences' highlighting (highlight.ts, in place of Astro's own, turned off in astro.config.mjs).
import { incidentDirectives } from './directives.ts';
import { fenceHighlightPlugin } from './highlight.ts';

export const markdownOptions = { features: { directive: true }, mdastPlugins: [incidentDirectives], hastPlugins: [fenceHighlightPlugin] };
