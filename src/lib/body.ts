// An incident page's body: its Markdown (content/incidents/<slug>.md), rendered once by the Markdown
// processor with placeholders where a directive stood (src/lib/directives.ts), and filled in here
// when the page is rendered, from the incident's body module (src/components/<slug>/body.ts):
//
//   import { html, part, type Body } from '../../lib/body.ts';
//   import Timeline from './Timeline.astro';
//   export const body: Body = {
//     values: { maxWait: words(MAX_CRASHLOOP_BACKOFF), restarts: html`<ul>${rows}</ul>` },
//     parts: { timeline: part(Timeline, { restarts: 12 }) },
//     styles,   // import styles from './parts.css?inline': the parts' CSS, in this page's head only
//   };
//
// A value is text (escaped) unless it was made with html`...`. The page's claims are its repro's.
// A name the page uses that the module lacks stops the build, with the names that exist.
import type { AstroComponentFactory } from 'astro/runtime/server/index.js';
import type { Claim, Claims } from '../../repros/lib/claims.ts';
import { verdictFor } from './claim-results.ts';
import { PLACEHOLDER } from './directives.ts';
import { escapeHtml } from './text.ts';

/** Where an incident's body module is, from the repository root. */
export const bodyModulePath = (slug: string): string => `src/components/${slug}/body.ts`;

/** The body module of a page that names no value or part. */
export const EMPTY_BODY = "import type { Body } from '../../lib/body.ts'; export const body: Body = { values: {} };";

/** Markup that goes into the page as it is. Make it with the html`...` tag, which escapes what it interpolates. */
export class Html {
  readonly html: string;
  constructor(markup: string) {
    this.html = markup;
  }
  toString(): string {
    return this.html;
  }
}

export type Value = string | number | Html;

/** An Astro component (src/astro-components.d.ts types an .astro import as one). */
type Component = AstroComponentFactory;

export interface Part {
  component: Component;
  props: Record<string, unknown>;
}

export interface Body {
  values: Record<string, Value>;
  parts?: Record<string, Part>;
  /**
   * The parts' CSS, which the page puts in its head: `import styles from './parts.css?inline'`. A
   * part's component has no <style> of its own: the incident pages share one template, which would
   * give every incident page the styles of every incident's parts.
   */
  styles?: string;
}

const piece = (v: unknown): string => (v instanceof Html ? v.html : Array.isArray(v) ? v.map(piece).join('') : v === undefined || v === null || v === false ? '' : escapeHtml(String(v)));

/** A template literal as markup: the literal parts as written, each interpolation escaped unless it is Html (arrays are joined). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  return new Html(strings.reduce((out, s, i) => out + s + (i < values.length ? piece(values[i]) : ''), ''));
}

/** A part of the page: an Astro component and the props it is rendered with. */
export function part(component: Component, props: Record<string, unknown>): Part {
  return { component, props };
}

/**
 * "(claim 3 ✓)" linking to the claim's row in the claims table, with the last verdict and its date as
 * the tooltip ("verified 2026-11-29"). With `inner` (markup), the text and the number form one link.
 */
export function claimRef(claim: Claim, inner?: string): string {
  const v = verdictFor(claim.slug, claim.id);
  const mark = v === undefined ? '' : v.pass ? ' ✓' : ' ✗';
  const title = v === undefined ? 'not yet verified' : `${v.pass ? 'verified' : 'failed'} ${v.at.slice(0, 10)}`;
  const href = `#claim-${claim.id}`;
  return inner === undefined
    ? `<a href="${href}" class="claim-ref" title="${title}">(claim ${claim.n}${mark})</a>`
    : `<a href="${href}" title="${title}">${inner} <span class="claim-ref">(claim ${claim.n}${mark})</span></a>`;
}

const PAGED_OPEN = '<section class="if-paged" aria-labelledby="if-you-are-paged" data-pagefind-weight="2"><h2 id="if-you-are-paged">If you are paged</h2>';

/** The rendered body as markup and the parts between, in page order. */
export type Segment = string | Part;

const tag = (name: string): RegExp => new RegExp(`<${name}(?: id="([^"]*)")?>([\\s\\S]*?)</${name}>`, 'g');
const VALUE = tag(PLACEHOLDER.value);
const CLAIM = tag(PLACEHOLDER.claim);
const PART = tag(PLACEHOLDER.part);

function known(names: Iterable<string>): string {
  const list = [...names].sort();
  return list.length ? list.join(', ') : '(none)';
}

/**
 * Fills the placeholders of a rendered incident body. `file` names the page in errors. Throws for a
 * value, claim or part the page names and the module or repro does not have, and for a value or part
 * the module has and the page never uses (a dead number is a number nobody checks).
 */
export function fillBody(rendered: string, body: Body, claims: Claims<string>, file: string): Segment[] {
  const problems = new Set<string>();
  const usedValues = new Set<string>();
  const usedParts = new Set<string>();
  const parts = body.parts ?? {};
  const module = bodyModulePath(file.replace(/^.*\/|\.md$/g, ''));
  let out = rendered
    .replace(CLAIM, (_m, id: string, inner: string) => {
      const c = Object.hasOwn(claims, id) ? claims[id] : undefined;
      if (!c) {
        problems.add(`:claim{#${id}}: the repro has no claim "${id}". Claims: ${known(Object.keys(claims))}`);
        return '';
      }
      return claimRef(c, inner === '' ? undefined : inner);
    })
    .replace(VALUE, (_m, _id, name: string) => {
      if (!Object.hasOwn(body.values, name)) {
        problems.add(`:v[${name}]: ${module} has no value "${name}". Values: ${known(Object.keys(body.values))}`);
        return '';
      }
      usedValues.add(name);
      return piece(body.values[name]);
    })
    .replace(`<${PLACEHOLDER.paged}>`, PAGED_OPEN)
    .replace(`</${PLACEHOLDER.paged}>`, '</section>');
  const segments: Segment[] = [];
  let last = 0;
  for (const m of out.matchAll(PART)) {
    const id = m[1] ?? '';
    segments.push(out.slice(last, m.index));
    last = m.index + m[0].length;
    const p = Object.hasOwn(parts, id) ? parts[id] : undefined;
    if (!p) problems.add(`::part{#${id}}: ${module} has no part "${id}". Parts: ${known(Object.keys(parts))}`);
    else {
      usedParts.add(id);
      segments.push(p);
    }
  }
  out = out.slice(last);
  segments.push(out);
  // Every placeholder the Markdown processor wrote is filled in by now (directives.ts refuses what would nest them).
  for (const s of segments) {
    const left = typeof s === 'string' ? /<\/?kb-[a-z]+[^>]*>/.exec(s)?.[0] : undefined;
    if (left) problems.add(`a directive's placeholder ${left} was left unfilled: src/lib/directives.ts and src/lib/body.ts disagree`);
  }
  for (const name of Object.keys(body.values)) if (!usedValues.has(name)) problems.add(`${module}: value "${name}" is not used by the page (use it with :v[${name}] or remove it)`);
  for (const id of Object.keys(parts)) if (!usedParts.has(id)) problems.add(`${module}: part "${id}" is not used by the page (use it with ::part{#${id}} or remove it)`);
  if (problems.size) throw new Error(`${file}: ${problems.size} problem${problems.size === 1 ? '' : 's'} in the page's directives:\n  ${[...problems].join('\n  ')}`);
  return segments.filter((s) => s !== '');
}
