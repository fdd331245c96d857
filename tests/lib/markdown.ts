// Markdown rendered as the site renders it (astro.config.mjs: Astro's GFM and smart punctuation, and
// the incident directives of src/lib/directives.ts), for tests that check a page without a build.
import { pathToFileURL } from 'node:url';
import { markdownToHtml } from 'satteri';
import { markdownOptions } from '../../src/lib/markdown.ts';

/** `file` is the page's path (absolute): the directives are allowed on incident pages only. */
export async function renderMarkdown(text: string, file: string): Promise<string> {
  return (await markdownToHtml(text, { ...markdownOptions, features: { gfm: true, smartPunctuation: true, ...markdownOptions.features }, fileURL: pathToFileURL(file) })).html;
}
