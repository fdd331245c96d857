// Site configuration. Two environment variables adapt the build to where it is hosted:
//   KB_BASE  the base path the site is served under, e.g. /sre/kb/ (default /)
//   KB_SITE  the public origin, used for the sitemap and canonical URLs (default http://localhost:4321)
// See README "Hosting under a base path".
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import { satteri } from '@astrojs/markdown-satteri';
import { markdownOptions } from './src/lib/directives.ts';
import sitemap from '@astrojs/sitemap';
import { contentCheck } from './src/integrations/content-check.ts';
import { pagefindIndex } from './src/integrations/pagefind.ts';
import { liveRuns } from './src/integrations/live.ts';
import { CODE_THEMES } from './src/lib/code-themes.ts';

const base = process.env.KB_BASE ?? '/';

export default defineConfig({
  site: process.env.KB_SITE ?? 'http://localhost:4321',
  base,
  trailingSlash: 'ignore',
  build: { format: 'directory' },
  srcDir: './src',
  publicDir: './src/public',
  server: { host: '127.0.0.1', port: 4321 },
  devToolbar: { enabled: false },
  markdown: {
    // Incident pages are Markdown with directives for what comes from code (src/lib/directives.ts).
    processor: satteri(markdownOptions),
    shikiConfig: {
      themes: CODE_THEMES,
      defaultColor: false,
      wrap: false,
      // Shiki has no PromQL grammar: PromQL fences show as plain text, without a warning per page.
      langAlias: { promql: 'text' },
    },
  },
  // MDX `optimize` turns the static parts of each page into HTML strings when the page is compiled,
  // so the build renders far fewer JSX nodes. The built pages are the same to an HTML parser as
  // without it (same elements, attributes and text); only how a quote in text and a pre's style
  // attribute are spelled differs.
  integrations: [contentCheck(), mdx({ optimize: true }), sitemap(), pagefindIndex(), liveRuns()],
});
