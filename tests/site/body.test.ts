// An incident page's Markdown directives and the body module that fills them in (src/lib/directives.ts,
// src/lib/body.ts), with the Markdown processor the site uses. Every way a page and its module can
// disagree stops the build with a message naming the page, the name and the names that exist.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { defineClaims } from '../../repros/lib/claims.ts';
import { renderMarkdown } from '../lib/markdown.ts';
import { fillBody, html, part, type Body, type Segment } from '../../src/lib/body.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const PAGE = 'content/incidents/example.md';
const claims = defineClaims('example', {
  'pipe-capacity': { statement: 'The pipe holds 64 KiB.', expected: { kind: 'equals', value: 65536 }, sources: [{ label: 'man 7 pipe' }] },
  'second-claim': { statement: 'Another.', expected: { kind: 'equals', value: 1 }, sources: [{ label: 'FACTS' }] },
});

function render(markdown: string, file = PAGE): Promise<string> {
  return renderMarkdown(markdown, join(ROOT, file));
}

const Chart = ((_result: unknown, _props: { points: number[] }) => null) as unknown as Parameters<typeof part>[0];

async function fill(markdown: string, body: Body): Promise<Segment[]> {
  return fillBody(await render(markdown), body, claims, PAGE);
}

test('values, claim references, parts and the paged box are filled in where the page names them', async () => {
  const body: Body = {
    values: { size: 65536, unit: 'KiB <small>', list: html`<ul>${[1, 2].map((n) => html`<li>${`${n} & more`}</li>`)}</ul>` },
    parts: { chart: part(Chart, { points: [1, 2] }) },
  };
  const out = await fill(':::if-paged\nIt holds **:v[size]** :v[unit] :claim{#pipe-capacity}.\n:::\n\n## Summary\n\n::part{#chart}\n\n::v[list]\n\nSee :claim[the *pipe* limit]{#second-claim}, at 10:30.\n', body);
  assert.equal(out.length, 3, 'markup, the part, markup');
  assert.deepEqual(out[1], body.parts?.chart);
  const [before, , after] = out as [string, unknown, string];
  assert.match(before, /^<section class="if-paged" aria-labelledby="if-you-are-paged" data-pagefind-weight="2"><h2 id="if-you-are-paged">If you are paged<\/h2>/);
  // A number is text, a string is escaped, html`...` is markup with its interpolations escaped.
  assert.match(before, /It holds <strong>65536<\/strong> KiB &lt;small&gt; <a href="#claim-pipe-capacity" class="claim-ref" title="[^"]+">\(claim 1[ ✓✗]*\)<\/a>\.<\/p>\s*<\/section>/);
  assert.match(after, /<ul><li>1 &amp; more<\/li><li>2 &amp; more<\/li><\/ul>/);
  assert.match(after, /See <a href="#claim-second-claim" title="[^"]+">the <em>pipe<\/em> limit <span class="claim-ref">\(claim 2[ ✓✗]*\)<\/span><\/a>, at 10:30\./);
  assert.doesNotMatch(before + after, /<kb-/);
});

test('a name the module lacks, and a value or part the page never uses, are all named in one error', async () => {
  const body: Body = { values: { size: 1, spare: 2 }, parts: { chart: part(Chart, { points: [] }), unused: part(Chart, { points: [] }) } };
  await assert.rejects(
    () => fill(':v[size] :v[sise] :claim{#pipe-capacty}\n\n::part{#chrt}\n\n::part{#chart}\n', body),
    (err: Error) => {
      const m = err.message;
      assert.match(m, /^content\/incidents\/example\.md: 5 problems in the page's directives:/);
      assert.match(m, /:v\[sise\]: src\/components\/example\/body\.ts has no value "sise"\. Values: size, spare/);
      assert.match(m, /:claim\{#pipe-capacty\}: the repro has no claim "pipe-capacty"\. Claims: pipe-capacity, second-claim/);
      assert.match(m, /::part\{#chrt\}: src\/components\/example\/body\.ts has no part "chrt"\. Parts: chart, unused/);
      assert.match(m, /value "spare" is not used by the page \(use it with :v\[spare\] or remove it\)/);
      assert.match(m, /part "unused" is not used by the page/);
      return true;
    },
  );
});

test('a name that is not the module\'s own (Object.prototype\'s) is unknown, not found', async () => {
  await assert.rejects(() => fill('::part{#constructor}\n\n:claim{#toString}\n', { values: {} }), (err: Error) => {
    assert.match(err.message, /::part\{#constructor\}: src\/components\/example\/body\.ts has no part "constructor"/);
    assert.match(err.message, /:claim\{#toString\}: the repro has no claim "toString"/);
    return true;
  });
});

test('a malformed or unknown directive stops the build, naming the page and the directives there are', async () => {
  for (const [md, why] of [
    [':value[size]', /:value\[size\]: unknown directive "value"/],
    [':v[two words]', /:v\[two words\]: a value is named by a plain word/],
    [':claim[text]', /:claim\[text\]: a claim is named by its id, e.g. :claim\{#pipe-capacity\}/],
    ['::part[chart]', /::part\[chart\]: a part takes no label/],
    [':::warning\nx\n:::', /:::warning: unknown directive "warning"/],
    [':part{#chart}', /:part\{#chart\}: a part stands on a line of its own: ::part\{#name\}/],
    ['::claim{#pipe-capacity}', /::claim\{#pipe-capacity\}: a claim reference goes in a sentence: :claim\{#id\}, with one colon/],
    [':claim[see :claim{#b}]{#a}', /:claim\[.*\]\{#a\}: a claim's text is its link: it cannot hold a link or another claim/],
    [':claim[see [the docs](https://kubernetes.io/)]{#a}', /a claim's text is its link: it cannot hold a link or another claim/],
    [':::if-paged\na\n:::\n\n:::if-paged\nb\n:::', /:::if-paged: a page has one "If you are paged" box/],
    [':::if-paged{#x}\na\n:::', /:::if-paged\{#x\}: the paged box takes no attributes/],
  ] as const) {
    await assert.rejects(() => render(md), (err: Error) => {
      assert.match(err.message, /^content\/incidents\/example\.md: /);
      assert.match(err.message, why);
      assert.match(err.message, /Directives: :v\[name\], ::v\[name\], :claim\{#id\}, :claim\[text\]\{#id\}, ::part\{#name\}, :::if-paged/);
      return true;
    });
  }
});

test('outside incident pages a directive is an error, and a colon before a word in prose stays text', async () => {
  await assert.rejects(() => render('See :v[size].', 'content/alerts/kubenodenotready.md'), /content\/alerts\/kubenodenotready\.md: :v\[size\]: directives are for incident pages/);
  assert.match(await render('At 10:30, e.g.:foo, and `a:b`.', 'content/alerts/kubenodenotready.md'), /At 10:30, e\.g\.:foo, and <code>a:b<\/code>\./);
  // Given back exactly as written, brackets and braces too.
  assert.match(await render('A type:string[] and a:b{} here.'), /A type:string\[\] and a:b\{\} here\./);
});
