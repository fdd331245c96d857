// The site highlights code in one pass for both themes and writes each token's colour pair as a class
// (src/lib/dual-theme.ts), and its shell fences with Shiki's JavaScript regex engine
// (src/lib/highlight.ts). Both are there for speed and size only: with each class written back as
// its two variables, the markup must be what Shiki's own dual-theme highlighting gives, byte for
// byte, and for fences what Astro's highlighter adds to it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createHighlighter } from 'shiki';
import { CODE_THEMES } from '../../src/lib/code-themes.ts';
import { renderMarkdown } from '../lib/markdown.ts';
import { pageFiles } from '../lib/page-commands.ts';

process.env.KB_HIGHLIGHT_CACHE = '0';
const { highlight } = await import('../../src/lib/highlight.ts');
const { dualTheme, tokenClassCss } = await import('../../src/lib/dual-theme.ts');

const ROOT = join(import.meta.dirname, '..', '..');
const shiki = await createHighlighter({ themes: [CODE_THEMES.light, CODE_THEMES.dark], langs: ['ts', 'sh', 'yaml', 'astro', 'json', 'python', 'diff'], langAlias: { promql: 'text' } });
const dual = (code: string, lang: string): string => shiki.codeToHtml(code, { lang, themes: CODE_THEMES, defaultColor: false, tokenizeTimeLimit: 0 });
const { pairs } = await dualTheme();

/** The site's markup with each token class written back as Shiki's variables, before the token's own style. */
function expand(html: string): string {
  return html.replace(/<span class="t(\d+)"(?: style="([^"]*)")?>/g, (_m, n: string, style: string | undefined) => {
    const [light, dark] = pairs[Number(n) - 1] as [string, string];
    const decls = (style ?? '').split(';').filter(Boolean);
    const side = (prefix: string, colour: string): string[] => [`${prefix}:${colour}`, ...decls.filter((d) => d.startsWith(`${prefix}-`))];
    return `<span style="${[...side('--shiki-light', light), ...side('--shiki-dark', dark)].join(';')}">`;
  });
}

/** Every fenced block of the site's Markdown, with its language. */
function fences(): { lang: string; code: string; file: string }[] {
  const out: { lang: string; code: string; file: string }[] = [];
  for (const file of pageFiles(ROOT)) {
    for (const m of readFileSync(join(ROOT, file), 'utf8').matchAll(/^```(\w+)[^\n]*\n([\s\S]*?)^```/gm)) out.push({ lang: m[1] as string, code: m[2] as string, file });
  }
  return out;
}

test('the light and dark themes line up rule for rule, so they are highlighted in one pass', async () => {
  assert.ok((await dualTheme()).theme, `${CODE_THEMES.light} and ${CODE_THEMES.dark} no longer line up: highlighting falls back to two passes`);
});

test('src/styles/code-colors.css holds the token classes of these themes', () => {
  const css = readFileSync(join(ROOT, 'src', 'styles', 'code-colors.css'), 'utf8').replace(/\/\*[\s\S]*?\*\/\n/, '').trim();
  assert.equal(css, tokenClassCss(pairs), 'put these rules in src/styles/code-colors.css (below its comment)');
});

test('code read from files gets the markup of Shiki\'s dual-theme highlighting', async () => {
  // A file of each language the site shows, the longest of its kind (the most grammar rules touched).
  const files = ['repros/crashloop-backoff/kubelet-backoff.ts', 'src/components/crashloop-backoff/BackoffCalculator.astro', 'repros/keepalive-502/snippets/health-poll.py', 'package.json'];
  for (const f of files) {
    const code = readFileSync(join(ROOT, f), 'utf8');
    const lang = f.endsWith('.astro') ? 'astro' : f.endsWith('.json') ? 'json' : f.endsWith('.py') ? 'python' : 'ts';
    assert.equal(expand(await highlight(code, lang)), dual(code, lang), f);
  }
  for (const { code, file } of fences().filter((x) => x.lang === 'sh').slice(0, 6)) assert.equal(expand(await highlight(code, 'sh')), dual(code, 'sh'), `${file}: a sh fence`);
});

test('every code fence gets Astro\'s highlighter markup: Shiki\'s dual-theme output, class astro-code, its language, overflow-x', async () => {
  // With a diff, whose added and deleted lines are the theme rules with a background of their own.
  const all = [...fences(), { lang: 'diff', code: '--- a/pod.yaml\n+++ b/pod.yaml\n@@ -1,2 +1,2 @@\n-  terminationGracePeriodSeconds: 60\n+  terminationGracePeriodSeconds: 1\n', file: '(a diff)' }];
  assert.ok(all.length >= 10, `found ${all.length} fences`);
  for (const { lang, code, file } of all) {
    const rendered = await renderMarkdown(`\`\`\`${lang}\n${code}\`\`\`\n`, join(ROOT, 'content', 'alerts', 'x.md'));
    const expected = dual(code.replace(/\n$/, '').replace(/(?:\r\n|\r|\n)$/, ''), lang)
      .replace(/^<pre class="([^"]*)" style="([^"]*)" tabindex="0"/, (_m, cls: string, style: string) => `<pre class="${cls.replace(/shiki/g, 'astro-code')}" style="${style}; overflow-x: auto;" tabindex="0" data-language="${lang}"`);
    // The Markdown processor writes ">" in text as "&gt;", Shiki as ">": the same HTML.
    assert.equal(expand(rendered.trim().replaceAll('&gt;', '>')), expected, `${file}: a ${lang} fence`);
  }
});
