import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { alertSchema, incidentSchema } from './schema.ts';

const incidents = defineCollection({
  loader: glob({ pattern: '*.md', base: './content/incidents' }),
  schema: incidentSchema,
});

const alerts = defineCollection({
  loader: glob({ pattern: '*.md', base: './content/alerts' }),
  schema: alertSchema,
});

/** repros/<slug>/cluster/README.md: how to reproduce an incident on a real cluster, shown on its page. */
const clusterGuides = defineCollection({
  loader: glob({ pattern: '*/cluster/README.md', base: './repros', generateId: ({ entry }) => entry.split('/')[0] ?? entry }),
});

export const collections = { incidents, alerts, clusterGuides };
