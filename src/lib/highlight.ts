// Syntax highlighting for code the site reads from files (repro sources, commands, alert rules).
// One Shiki highlighter for the whole build, and one highlighted copy per distinct input, so a file
// shown on several pages is highlighted once.
import { createHighlighter, type Highlighter } from 'shiki';
import { CODE_THEMES } from './code-themes.ts';

export type Lang = 'ts' | 'sh' | 'yaml' | 'astro' | 'json' | 'python';

let highlighter: Promise<Highlighter> | undefined;
const cache = new Map<string, Promise<string>>();

export function highlight(code: string, lang: Lang): Promise<string> {
  const key = `${lang}\0${code}`;
  let html = cache.get(key);
  if (!html) {
    highlighter ??= createHighlighter({ themes: [CODE_THEMES.light, CODE_THEMES.dark], langs: ['ts', 'sh', 'yaml', 'astro', 'json', 'python'] });
    html = highlighter.then((h) => h.codeToHtml(code, { lang, themes: CODE_THEMES, defaultColor: false }));
    cache.set(key, html);
  }
  return html;
}
