// Repro source files as the site shows them: read from the repository at build time, so the code on
// a page is the code that runs. An incident's repro files share one page, each in a section anchored
// by its path; the incident page lists them and opens one inline on request, which keeps the incident
// page light.
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

const read = new Map<string, SourceFile>();
/** `astro dev` reads a file afresh for each page, so an edited repro shows without a restart. */
const KEEP = !import.meta.env?.DEV;

/** A file read once per build: the incident page and each source page ask for it, and every page's props share the one copy. */
export function readSource(path: string): SourceFile {
  let file = KEEP ? read.get(path) : undefined;
  if (!file) {
    const code = readFileSync(join(process.cwd(), path), 'utf8');
    const lang: Lang = path.endsWith('.astro') ? 'astro' : path.endsWith('.json') ? 'json' : path.endsWith('.yaml') ? 'yaml' : 'ts';
    file = { path, code, lines: code.replace(/\n$/, '').split('\n').length, lang };
    read.set(path, file);
  }
  return file;
}

/** The id of a file's section on its incident's source page: its repository path, e.g. repros/<slug>/kubelet.ts. */
export function sourceAnchor(path: string): string {
  return path;
}

/** The page that shows every source file of an incident's repro. */
export function sourcePageUrl(slug: string): string {
  return url(`incidents/${slug}/source/`);
}

/** One source file of an incident's repro: its section on the incident's source page. */
export function sourceUrl(slug: string, path: string): string {
  return `${sourcePageUrl(slug)}#${sourceAnchor(path)}`;
}
