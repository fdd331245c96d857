// Checks every content file before the site is built, so a malformed page stops the build with one
// message per problem, each naming the file, the field and what would be valid. Pure Node (no Astro
// runtime), so the tests call it directly and the build calls it from an integration.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import GithubSlugger from 'github-slugger';
import yaml from 'js-yaml';
import type { z } from 'astro/zod';
import { alertSchema, alertSlug, incidentSchema } from '../schema.ts';
import { bodyModulePath, EMPTY_BODY } from './body.ts';
import { ALERT_SECTIONS, INCIDENT_SECTIONS } from '../taxonomy.ts';

export interface Problem {
  file: string;
  message: string;
}

interface Parsed {
  data: unknown;
  body: string;
}

export function parseFrontmatter(text: string): Parsed | string {
  const m = text.match(/^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/);
  if (!m) return 'has no frontmatter: it must start with a line "---", the YAML fields, and another "---"';
  try {
    return { data: yaml.load(m[1] ?? ''), body: m[2] ?? '' };
  } catch (err) {
    return `has frontmatter that is not valid YAML: ${(err as Error).message.split('\n')[0]}`;
  }
}

/** "## Root cause" -> "root-cause", the way the site's heading ids are made (github-slugger). */
export function sectionSlugs(body: string): string[] {
  const slugger = new GithubSlugger();
  const out: string[] = [];
  let fence = false;
  for (const line of body.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fence = !fence;
    if (fence) continue;
    const m = line.match(/^##\s+(.+?)\s*#*\s*$/);
    if (m?.[1]) out.push(slugger.slug(m[1]));
  }
  return out;
}

function sectionProblems(body: string, required: readonly string[]): string | undefined {
  const found = sectionSlugs(body);
  if (found.join(' ') === required.join(' ')) return undefined;
  const missing = required.filter((s) => !found.includes(s));
  const extra = found.filter((s) => !required.includes(s));
  const what = [
    missing.length ? `missing ${missing.map((s) => `#${s}`).join(', ')}` : '',
    extra.length ? `unexpected ${extra.map((s) => `#${s}`).join(', ')}` : '',
    !missing.length && !extra.length ? `out of order (found ${found.map((s) => `#${s}`).join(', ')})` : '',
  ].filter(Boolean);
  return `the "##" sections must be exactly ${required.map((s) => `#${s}`).join(', ')}, in this order: ${what.join('; ')}`;
}

function schemaProblems(file: string, data: unknown, schema: z.ZodType): Problem[] {
  const r = schema.safeParse(data);
  if (r.success) return [];
  return r.error.issues.map((i) => {
    const field = i.path.length ? i.path.map(String).join('.') : '(frontmatter)';
    let message = i.message;
    if (i.code === 'unrecognized_keys') message = `unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')}; allowed fields: ${Object.keys((schema as z.ZodObject).shape).join(', ')}`;
    return { file, message: `field "${field}": ${message}` };
  });
}

function readEntries(dir: string, ext: RegExp): { file: string; text: string; id: string }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => ext.test(f))
    .sort()
    .map((f) => ({ file: join(dir, f), text: readFileSync(join(dir, f), 'utf8'), id: f.replace(ext, '') }));
}

export interface ValidateOptions {
  root: string;
  /** Repro slugs that exist (repros/lib/registry.ts); each incident page owns the repro of its file name. */
  repros: readonly string[];
}

/**
 * The checks every content file gets: frontmatter present and valid YAML, fields per the schema, the
 * "##" sections. Returns the data when the frontmatter is valid, for the cross-file checks.
 */
function checkFile<T>(file: string, text: string, schema: z.ZodType<T>, sections: readonly string[], problems: Problem[]): T | undefined {
  const p = parseFrontmatter(text);
  if (typeof p === 'string') {
    problems.push({ file, message: p });
    return undefined;
  }
  const fieldProblems = schemaProblems(file, p.data, schema);
  problems.push(...fieldProblems);
  const s = sectionProblems(p.body, sections);
  if (s) problems.push({ file, message: s });
  return fieldProblems.length === 0 ? (p.data as T) : undefined;
}

export function validateContent({ root, repros }: ValidateOptions): Problem[] {
  const problems: Problem[] = [];
  const rel = (f: string): string => relative(root, f);
  const alertNames = new Set<string>();

  for (const e of readEntries(join(root, 'content', 'alerts'), /\.md$/)) {
    const file = rel(e.file);
    const d = checkFile(file, e.text, alertSchema, ALERT_SECTIONS, problems);
    if (!d) continue;
    alertNames.add(d.name);
    if (e.id !== alertSlug(d.name)) problems.push({ file, message: `field "name" is ${d.name}, so the file must be named ${alertSlug(d.name)}.md (alert URLs use the lower-case name)` });
  }

  for (const e of readEntries(join(root, 'content', 'incidents'), /\.mdx$/)) {
    problems.push({ file: rel(e.file), message: `incident pages are Markdown: rename it to content/incidents/${e.id}.md and move its imports and exports to src/components/${e.id}/body.ts; write each {expression} as :v[name] (a value of the body module), each <ClaimRef> as :claim{#id}, <IfPaged> as :::if-paged ... :::, each component as ::part{#name} (a part of the body module), and move a component's <style> to src/components/${e.id}/parts.css (src/lib/directives.ts, src/lib/body.ts)` });
  }

  for (const e of readEntries(join(root, 'content', 'incidents'), /\.md$/)) {
    const file = rel(e.file);
    if (!existsSync(join(root, bodyModulePath(e.id)))) {
      problems.push({ file, message: `has no body module: ${bodyModulePath(e.id)} holds the values and parts the page names (:v[name], ::part{#name}); for a page that names none: ${EMPTY_BODY}` });
    }
    const d = checkFile(file, e.text, incidentSchema, INCIDENT_SECTIONS, problems);
    if (!d) continue;
    for (const [list, names] of Object.entries(d.alerts)) {
      for (const a of names) {
        if (alertNames.has(a)) continue;
        problems.push({ file, message: `field "alerts.${list}": ${a} has no alert page. Known alerts: ${[...alertNames].sort().join(', ')} (add content/alerts/${alertSlug(a)}.md to create one)` });
      }
    }
    if (!repros.includes(e.id)) {
      problems.push({ file, message: `has no repro: an incident page owns the repro of its file name, repros/${e.id}/repro.ts listed in repros/lib/registry.ts (npm run new-incident -- ${e.id} creates both). Repros: ${repros.join(', ') || '(none)'}` });
    }
  }
  return problems;
}

export function formatProblems(problems: readonly Problem[]): string {
  return `${problems.length} problem${problems.length === 1 ? '' : 's'} in content:\n` + problems.map((p) => `  ${p.file}: ${p.message}`).join('\n');
}
