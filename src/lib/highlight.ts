// Syntax highlighting for code the site reads from files (repro sources, commands, alert rules) and
// for the code fences of its Markdown. Shiki highlighters for the whole build (one per regex engine,
// below), and for files one highlighted copy per distinct input, so a file shown on several pages is
// highlighted once. Across builds, the highlighted HTML is kept in
// .cache/highlight/ under a hash of everything that shapes it (the code, the language, the themes and
// Shiki's version): a build after a change highlights only the files that changed, and a build in
// which nothing new needs highlighting never loads Shiki's grammars. KB_HIGHLIGHT_CACHE=0 turns
// the disk cache off; deleting the folder is always safe. Both themes are highlighted in one pass,
// each token's colours written as a class (dual-theme.ts).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createHighlighter, type Highlighter } from 'shiki';
import { createJavaScriptRegexEngine } from 'shiki/engine/javascript';
import { defineHastPlugin } from 'satteri';
import { CODE_THEMES } from './code-themes.ts';
import { dualTheme, themeOptions, type DualTheme } from './dual-theme.ts';

export type Lang = 'ts' | 'sh' | 'yaml' | 'astro' | 'json' | 'python';

/** The themes a highlighter loads: the one light-and-dark theme, or both (src/lib/dual-theme.ts). */
const themesOf = (d: DualTheme): NonNullable<Parameters<typeof createHighlighter>[0]['themes']> => (d.theme ? [d.theme] : [CODE_THEMES.light, CODE_THEMES.dark]);
const cache = new Map<string, Promise<string>>();
const MARKUP = 'token-classes-1';
// Shiki stops tokenizing a line after 500 ms by default and leaves the rest of it plain: on a busy
// machine (a build beside other work, niced) a long line was seen to come out half highlighted. Without
// the limit a page's markup does not depend on the machine's load.
const NO_TIME_LIMIT = 0;

const DISK = process.env.KB_HIGHLIGHT_CACHE === '0' ? undefined : join(process.cwd(), '.cache', 'highlight');
const SHIKI_VERSION = ((): string => {
  try {
    return (createRequire(import.meta.url)('shiki/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
})();

function fromDisk(key: string): string | undefined {
  if (!DISK) return undefined;
  try {
    return readFileSync(join(DISK, `${key}.html`), 'utf8');
  } catch {
    return undefined;
  }
}

function toDisk(key: string, html: string): void {
  if (!DISK) return;
  try {
    mkdirSync(DISK, { recursive: true });
    // Written under a temporary name and renamed, so a build beside this one never reads half a file.
    const tmp = join(DISK, `${key}.${process.pid}.tmp`);
    writeFileSync(tmp, html);
    renameSync(tmp, join(DISK, `${key}.html`));
  } catch {
    // A read-only checkout still builds; it highlights every time.
  }
}

// One highlighter per regex engine, shared by source files and Markdown fences. Shiki's Oniguruma
// (WebAssembly) and JavaScript engines give the same output for every grammar this site uses (checked
// on every fence and repro file), but not at the same speed: the JavaScript engine highlights the shell
// commands that runbooks are made of in about 60% of the time, and is slower for TypeScript and
// Astro. So shell goes to the JavaScript engine, every other language to Oniguruma.
const JS_ENGINE_LANGS = new Set(['sh', 'bash', 'shell', 'shellscript', 'zsh', 'console']);
/** Languages a fence may name that Shiki has no grammar for, shown as plain text without a warning. */
const FENCE_ALIASES: Record<string, string> = { promql: 'text' };

const highlighters = new Map<boolean, Promise<{ d: DualTheme; h: Highlighter }>>();

/** The highlighter for a language, with the language's grammar loaded, and the name to highlight it as ("plaintext" if Shiki has no grammar for it). */
async function highlighterFor(requested: string): Promise<{ d: DualTheme; h: Highlighter; lang: string }> {
  const lang = FENCE_ALIASES[requested] ?? requested;
  const js = JS_ENGINE_LANGS.has(lang);
  let made = highlighters.get(js);
  if (!made) {
    made = dualTheme().then(async (d) => ({ d, h: await createHighlighter({ themes: themesOf(d), langs: [], langAlias: FENCE_ALIASES, ...(js ? { engine: createJavaScriptRegexEngine() } : {}) }) }));
    highlighters.set(js, made);
  }
  const { d, h } = await made;
  if (lang === 'text' || lang === 'plaintext' || h.getLoadedLanguages().includes(lang)) return { d, h, lang: requested };
  try {
    await h.loadLanguage(lang as never);
    return { d, h, lang: requested };
  } catch {
    console.warn(`[highlight] no grammar for the language "${requested}"; shown as plain text`);
    return { d, h, lang: 'plaintext' };
  }
}

export function highlight(code: string, lang: Lang): Promise<string> {
  const key = `${lang}\0${code}`;
  let html = cache.get(key);
  if (!html) {
    // MARKUP names the shape of the markup (tokens' colours as classes, src/lib/dual-theme.ts).
    const hash = createHash('sha256').update(`${SHIKI_VERSION}\0${JSON.stringify(CODE_THEMES)}\0${MARKUP}\0${key}`).digest('hex');
    const kept = fromDisk(hash);
    if (kept !== undefined) html = Promise.resolve(kept);
    else {
      html = highlighterFor(lang).then(({ d, h, lang: use }) => {
        const out = h.codeToHtml(code, { lang: use, tokenizeTimeLimit: NO_TIME_LIMIT, ...themeOptions(d) });
        toDisk(hash, out);
        return out;
      });
    }
    cache.set(key, html);
  }
  return html;
}

// The code fences of the site's Markdown (incident and alert pages, cluster guides), highlighted when
// the Markdown is rendered, as Astro's own highlighter would (same markup: class astro-code, the
// language in data-language, overflow-x: auto). Nothing is kept between fences: each page's fences
// are its own work.
async function highlightFence(code: string, requested: string) {
  const { d, h, lang: use } = await highlighterFor(requested);
  const themed = themeOptions(d);
  // Astro's highlighter drops one trailing line break more than the fence's own (the same markup).
  const root = h.codeToHast(code.replace(/(?:\r\n|\r|\n)$/, ''), {
    lang: use,
    tokenizeTimeLimit: NO_TIME_LIMIT,
    ...themed,
    transformers: [
      ...themed.transformers,
      {
        pre(node) {
          node.properties.class = String(node.properties.class ?? '').replace(/shiki/g, 'astro-code');
          node.properties.dataLanguage = use;
          node.properties.style = `${String(node.properties.style ?? '')}; overflow-x: auto;`;
        },
      },
    ],
  });
  return root.children[0];
}

/** A Markdown processor (satteri) plugin: replaces each fenced code block with its highlighted markup. */
export const fenceHighlightPlugin = defineHastPlugin({
  name: 'kb-highlight-fences',
  element: {
    filter: ['pre'],
    visit(node, ctx) {
      const code = node.children.find((c) => c.type === 'element' && c.tagName === 'code');
      if (!code || code.type !== 'element') return undefined;
      const cls = code.properties?.className;
      const fromClass = Array.isArray(cls) ? (cls.find((c) => typeof c === 'string' && c.startsWith('language-')) as string | undefined)?.slice('language-'.length) : undefined;
      const lang = (code.data as { lang?: string } | undefined)?.lang ?? fromClass ?? 'plaintext';
      if (lang === 'math') return undefined;
      return highlightFence(ctx.textContent(code).replace(/\n$/, ''), lang) as never;
    },
  },
});
