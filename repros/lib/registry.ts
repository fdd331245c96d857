// Finds repros: every folder under repros/ (except lib) with a repro.ts that exports `repro`.
import { readdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { UsageError, type Repro } from './repro.ts';

export const REPROS_DIR = dirname(dirname(fileURLToPath(import.meta.url)));

export function reproSlugs(): string[] {
  return readdirSync(REPROS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'lib' && existsSync(join(REPROS_DIR, d.name, 'repro.ts')))
    .map((d) => d.name)
    .sort();
}

export async function loadRepro(slug: string): Promise<Repro> {
  const slugs = reproSlugs();
  if (!slugs.includes(slug)) {
    throw new UsageError(`unknown repro "${slug}". Valid: ${slugs.join(', ') || '(none)'}, or "list".`);
  }
  const mod = (await import(pathToFileURL(join(REPROS_DIR, slug, 'repro.ts')).href)) as { repro?: Repro };
  if (!mod.repro || mod.repro.slug !== slug) {
    throw new Error(`repros/${slug}/repro.ts must export "repro" with slug "${slug}"`);
  }
  return mod.repro;
}

export async function loadAllRepros(): Promise<Repro[]> {
  return Promise.all(reproSlugs().map(loadRepro));
}
