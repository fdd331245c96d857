// Syntax highlighting for code the site reads from files (repro sources, commands, alert rules).
// One Shiki highlighter for the whole build, and one highlighted copy per distinct input, so a file
// shown on several pages is highlighted once. Across builds, the highlighted HTML is kept in
// .cache/highlight/ under a hash of everything that shapes it (the code, the language, the themes and
// Shiki's version): a build after a change highlights only the files that changed, and a build in
// which nothing new needs highlighting never loads Shiki's grammars. KB_HIGHLIGHT_CACHE=0 turns
// the disk cache off; deleting the folder is always safe.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createHighlighter, type Highlighter } from 'shiki';
import { CODE_THEMES } from './code-themes.ts';

export type Lang = 'ts' | 'sh' | 'yaml' | 'astro' | 'json' | 'python';

let highlighter: Promise<Highlighter> | undefined;
const cache = new Map<string, Promise<string>>();

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

export function highlight(code: string, lang: Lang): Promise<string> {
  const key = `${lang}\0${code}`;
  let html = cache.get(key);
  if (!html) {
    const hash = createHash('sha256').update(`${SHIKI_VERSION}\0${JSON.stringify(CODE_THEMES)}\0${key}`).digest('hex');
    const kept = fromDisk(hash);
    if (kept !== undefined) html = Promise.resolve(kept);
    else {
      highlighter ??= createHighlighter({ themes: [CODE_THEMES.light, CODE_THEMES.dark], langs: ['ts', 'sh', 'yaml', 'astro', 'json', 'python'] });
      html = highlighter.then((h) => {
        const out = h.codeToHtml(code, { lang, themes: CODE_THEMES, defaultColor: false });
        toDisk(hash, out);
        return out;
      });
    }
    cache.set(key, html);
  }
  return html;
}
