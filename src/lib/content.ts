// Loading and cross-checking content. Schema errors are reported by Astro (file, field, allowed
// values); the checks here cover what a schema cannot see: references between pages and the
// required section anchors.
import { getCollection, type CollectionEntry } from 'astro:content';
import { alertSlug } from '../schema.ts';
import { ALERT_SECTIONS, INCIDENT_SECTIONS } from '../taxonomy.ts';
import { reproFor } from './repros.ts';

export type Incident = CollectionEntry<'incidents'>;
export type Alert = CollectionEntry<'alerts'>;

export function incidentFile(e: Incident): string {
  return e.filePath ?? `content/incidents/${e.id}.mdx`;
}

export async function alerts(): Promise<Alert[]> {
  const all = await getCollection('alerts');
  for (const a of all) {
    if (a.id !== alertSlug(a.data.name)) {
      throw new Error(`${a.filePath}: field "name" is ${a.data.name}, so the file must be named ${alertSlug(a.data.name)}.md (alert URLs use the lower-case name)`);
    }
  }
  return all.sort((a, b) => a.data.name.localeCompare(b.data.name));
}

/** All incidents, newest first, with their references checked. */
export async function incidents(): Promise<Incident[]> {
  const all = await getCollection('incidents');
  const known = new Set((await alerts()).map((a) => a.data.name));
  for (const e of all) {
    const file = incidentFile(e);
    for (const name of e.data.alerts) {
      if (!known.has(name)) {
        throw new Error(`${file}: field "alerts" names ${name}, which has no alert page. Valid: ${[...known].join(', ')} (add content/alerts/${alertSlug(name)}.md to create one)`);
      }
    }
    const repro = reproFor(e.data.repro, file);
    if (repro.slug !== e.id) {
      throw new Error(`${file}: field "repro" is ${e.data.repro}, but an incident page must own the repro of the same name (${e.id})`);
    }
  }
  return all.sort((a, b) => b.data.date.getTime() - a.data.date.getTime() || a.id.localeCompare(b.id));
}

/** Fails when the body's ## headings are not exactly the required sections, in order. */
export function checkSections(file: string, headings: readonly { depth: number; slug: string }[], required: readonly string[]): void {
  const found = headings.filter((h) => h.depth === 2).map((h) => h.slug);
  if (found.join(' ') !== required.join(' ')) {
    const missing = required.filter((s) => !found.includes(s));
    const extra = found.filter((s) => !required.includes(s));
    const parts = [
      missing.length ? `missing ${missing.map((s) => `#${s}`).join(', ')}` : '',
      extra.length ? `unexpected ${extra.map((s) => `#${s}`).join(', ')}` : '',
      !missing.length && !extra.length ? `out of order (${found.join(', ')})` : '',
    ].filter(Boolean);
    throw new Error(`${file}: the ## sections must be exactly ${required.map((s) => `#${s}`).join(', ')} in this order: ${parts.join('; ')}`);
  }
}

export const checkIncidentSections = (file: string, h: readonly { depth: number; slug: string }[]): void =>
  checkSections(file, h, INCIDENT_SECTIONS);
export const checkAlertSections = (file: string, h: readonly { depth: number; slug: string }[]): void =>
  checkSections(file, h, ALERT_SECTIONS);

export function dateLabel(d: Date): string {
  return d.toISOString().slice(0, 10);
}
