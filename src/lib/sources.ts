// Repro source files as the site shows them: read from the repository at build time, so the code on
// a page is the code that runs. Each file has its own page; the incident page lists them and opens
// one inline on request, which keeps the incident page light.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lang } from './highlight.ts';
import { url } from './url.ts';

export interface SourceFile {
  path: string;
  code: string;
  lines: number;
  lang: Lang;
}

export function readSource(path: string): SourceFile {
  const code = readFileSync(join(process.cwd(), path), 'utf8');
  const lang: Lang = path.endsWith('.astro') ? 'astro' : path.endsWith('.json') ? 'json' : path.endsWith('.yaml') ? 'yaml' : 'ts';
  return { path, code, lines: code.replace(/\n$/, '').split('\n').length, lang };
}

/** The page of one source file of an incident's repro. */
export function sourceUrl(slug: string, path: string): string {
  return url(`incidents/${slug}/source/${path}/`);
}
