// The Markdown directives of an incident page (content/incidents/<slug>.md), as the Markdown processor
// (satteri, `features.directive`) parses them. Each becomes a placeholder element that the page
// template fills in when the page is rendered (src/lib/body.ts), so a number on the page always
// follows the code it comes from and a claim's verdict is the latest one:
//   :v[name]             a value from the incident's body module (src/components/<slug>/body.ts)
//   ::v[name]            the same on a line of its own (a block: a list, a table)
//   :claim{#id}          "(claim 3 ✓)", a link to claim `id` in the page's claims table
//   :claim[some text]{#id}  the text and the claim number as one link
//   ::part{#name}        an interactive or computed part of the page (an Astro component)
//   :::if-paged ... :::  the "If you are paged" box at the top of the page
// The syntax is the generic directive proposal's (talk.commonmark.org/t/generic-directives-plugins-syntax/444).
// A colon followed by a word elsewhere in prose ("10:30", "e.g.:foo", "type:string[]") also parses as
// a text directive; with no label text and no attributes it is given back as the source text it was.
// Anything else unknown stops the build, naming the file, and so does a directive outside an incident
// page, a claim inside a claim's text or a link in it (a link in a link), and a second paged box.
import { fileURLToPath } from 'node:url';
import { relative } from 'node:path';
import { defineMdastPlugin } from 'satteri';

/** The placeholder elements the template fills in (src/lib/body.ts reads the same names). */
export const PLACEHOLDER = { value: 'kb-v', claim: 'kb-claim', part: 'kb-part', paged: 'kb-paged' } as const;

const NAME = /^[A-Za-z][\w-]*$/;

export const DIRECTIVE_HELP = ':v[name], ::v[name], :claim{#id}, :claim[text]{#id}, ::part{#name}, :::if-paged';

interface DirectiveNode {
  type: 'textDirective' | 'leafDirective' | 'containerDirective';
  name: string;
  attributes?: Record<string, string | null | undefined> | null;
  children?: { type: string; value?: string; name?: string; children?: unknown[] }[];
  position?: { start: { offset?: number }; end: { offset?: number } };
}

/** Whether a claim's linked text holds another claim or a link (either would be a link in a link). */
function holdsLink(children: DirectiveNode['children']): boolean {
  return (children ?? []).some((c) => c.type === 'link' || c.type === 'linkReference' || (c.type === 'textDirective' && c.name === 'claim') || holdsLink(c.children as DirectiveNode['children']));
}

function where(fileURL: URL | undefined): string {
  return fileURL ? relative(process.cwd(), fileURLToPath(fileURL)) : '(Markdown)';
}

function spelled(node: DirectiveNode): string {
  const colons = node.type === 'textDirective' ? ':' : node.type === 'leafDirective' ? '::' : ':::';
  const label = node.children?.length && node.type !== 'containerDirective' ? `[${node.children.map((c) => c.value ?? '…').join('')}]` : '';
  const attrs = Object.entries(node.attributes ?? {}).map(([k, v]) => (k === 'id' ? `#${v}` : `${k}="${v}"`));
  return `${colons}${node.name}${label}${attrs.length ? `{${attrs.join(' ')}}` : ''}`;
}

function fail(fileURL: URL | undefined, node: DirectiveNode, why: string): never {
  throw new Error(`${where(fileURL)}: ${spelled(node)}: ${why}. Directives: ${DIRECTIVE_HELP} (src/lib/directives.ts)`);
}

/** The single text label of :v[name] / ::v[name], checked. */
function valueName(fileURL: URL | undefined, node: DirectiveNode): string {
  const c = node.children ?? [];
  const name = c.length === 1 && c[0]?.type === 'text' ? c[0].value ?? '' : '';
  if (!NAME.test(name) || Object.keys(node.attributes ?? {}).length) fail(fileURL, node, 'a value is named by a plain word in its brackets, e.g. :v[maxWait]');
  return name;
}

function idOf(fileURL: URL | undefined, node: DirectiveNode, what: string): string {
  const id = node.attributes?.id ?? '';
  const extra = Object.keys(node.attributes ?? {}).filter((k) => k !== 'id');
  if (!NAME.test(id) || extra.length) fail(fileURL, node, `${what} is named by its id, e.g. ${node.type === 'leafDirective' ? '::part{#timeline}' : ':claim{#pipe-capacity}'}`);
  return id;
}

const isIncident = (fileURL: URL | undefined): boolean => fileURL !== undefined && /\/content\/incidents\/[^/]+\.md$/.test(fileURL.pathname);

function outside(fileURL: URL | undefined, node: DirectiveNode): never {
  fail(fileURL, node, 'directives are for incident pages (content/incidents/*.md); write \\: for a literal colon');
}

// Each handler swaps the directive for a placeholder element through mdast's data.hName, keeping the
// children (a claim's linked text, the box's content) as Markdown.
export const incidentDirectives = defineMdastPlugin({
  name: 'kb-incident-directives',
  // Positions, to give a colon in prose back as its exact source text.
  options: { position: true },
  textDirective(node, ctx) {
    const d = node as unknown as DirectiveNode;
    const bare = !d.children?.length && !Object.keys(d.attributes ?? {}).length;
    if (bare && d.name !== 'v' && d.name !== 'claim') {
      const { start, end } = d.position ?? { start: {}, end: {} };
      const text = start.offset !== undefined && end.offset !== undefined ? ctx.source.slice(start.offset, end.offset) : `:${d.name}`;
      ctx.replaceNode(node, { type: 'text', value: text });
      return;
    }
    if (!isIncident(ctx.fileURL)) outside(ctx.fileURL, d);
    if (d.name === 'v') {
      const name = valueName(ctx.fileURL, d);
      ctx.replaceNode(node, { type: 'emphasis', children: [{ type: 'text', value: name }], data: { hName: PLACEHOLDER.value } } as never);
    } else if (d.name === 'claim') {
      const id = idOf(ctx.fileURL, d, 'a claim');
      if (holdsLink(d.children)) fail(ctx.fileURL, d, "a claim's text is its link: it cannot hold a link or another claim");
      ctx.replaceNode(node, { type: 'emphasis', children: node.children as never, data: { hName: PLACEHOLDER.claim, hProperties: { id } } } as never);
    } else if (d.name === 'part') fail(ctx.fileURL, d, 'a part stands on a line of its own: ::part{#name}');
    else fail(ctx.fileURL, d, `unknown directive "${d.name}"`);
  },
  leafDirective(node, ctx) {
    const d = node as unknown as DirectiveNode;
    if (!isIncident(ctx.fileURL)) outside(ctx.fileURL, d);
    if (d.name === 'v') {
      const name = valueName(ctx.fileURL, d);
      ctx.replaceNode(node, { type: 'html', value: `<${PLACEHOLDER.value}>${name}</${PLACEHOLDER.value}>` });
    } else if (d.name === 'part') {
      if (d.children?.length) fail(ctx.fileURL, d, 'a part takes no label');
      const id = idOf(ctx.fileURL, d, 'a part');
      ctx.replaceNode(node, { type: 'html', value: `<${PLACEHOLDER.part} id="${id}"></${PLACEHOLDER.part}>` });
    } else if (d.name === 'claim') fail(ctx.fileURL, d, 'a claim reference goes in a sentence: :claim{#id}, with one colon');
    else fail(ctx.fileURL, d, `unknown directive "${d.name}"`);
  },
  containerDirective(node, ctx) {
    const d = node as unknown as DirectiveNode;
    if (!isIncident(ctx.fileURL)) outside(ctx.fileURL, d);
    if (d.name !== 'if-paged') fail(ctx.fileURL, d, `unknown directive "${d.name}"`);
    if (Object.keys(d.attributes ?? {}).length) fail(ctx.fileURL, d, 'the paged box takes no attributes');
    const seen = ctx.data as { pagedBox?: boolean };
    if (seen.pagedBox) fail(ctx.fileURL, d, 'a page has one "If you are paged" box');
    seen.pagedBox = true;
    ctx.replaceNode(node, { type: 'blockquote', children: node.children as never, data: { hName: PLACEHOLDER.paged } } as never);
  },
});
