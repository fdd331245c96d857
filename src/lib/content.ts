// Loading content for the pages. Everything is validated before the build starts
// (src/integrations/content-check.ts), so pages can trust what they read.
import { getCollection, type CollectionEntry } from 'astro:content';

export type Incident = CollectionEntry<'incidents'>;
export type Alert = CollectionEntry<'alerts'>;

export function incidentFile(e: Incident): string {
  return e.filePath ?? `content/incidents/${e.id}.md`;
}

export async function alerts(): Promise<Alert[]> {
  const all = await getCollection('alerts');
  return all.sort((a, b) => a.data.name.localeCompare(b.data.name));
}

/** All incidents, newest first. */
export async function incidents(): Promise<Incident[]> {
  const all = await getCollection('incidents');
  return all.sort((a, b) => b.data.date.getTime() - a.data.date.getTime() || a.id.localeCompare(b.id));
}

export function dateLabel(d: Date): string {
  return d.toISOString().slice(0, 10);
}
