// Site configuration. Two environment variables adapt the build to where it is hosted:
//   KB_BASE  the base path the site is served under, e.g. /sre/kb/ (default /)
//   KB_SITE  the public origin, used for the sitemap and canonical URLs (default http://localhost:4321)
// See README "Hosting under a base path".
import { defineConfig } from 'astro/config';
import { satteri } from '@astrojs/markdown-satteri';
import { markdownOptions } from './src/lib/markdown.ts';
import sitemap from '@astrojs/sitemap';
import { contentCheck } from './src/integrations/content-check.ts';
import { pagefindIndex } from './src/integrations/pagefind.ts';
import { liveRuns } from './src/integrations/live.ts';

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
    // Incident pages are Markdown with directives for what comes from code (src/lib/directives.ts);
    // code fences are highlighted by src/lib/highlight.ts (same markup as Astro's highlighter).
    processor: satteri(markdownOptions),
    syntaxHighlight: false,
  },
  integrations: [contentCheck(), sitemap(), pagefindIndex(), liveRuns()],
});
