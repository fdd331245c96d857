import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { alertSchema, incidentSchema } from './schema.ts';

const incidents = defineCollection({
  loader: glob({ pattern: '*.mdx', base: './content/incidents' }),
  schema: incidentSchema,
});

const alerts = defineCollection({
  loader: glob({ pattern: '*.md', base: './content/alerts' }),
  schema: alertSchema,
});

export const collections = { incidents, alerts };
