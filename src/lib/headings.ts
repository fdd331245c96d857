// Post-processing of rendered article HTML, so every page gets the same reading aids without each
// author or component adding them: a link on each section heading, and wide tables in a box of their
// own that scrolls sideways on a narrow screen instead of squeezing their words.
import { escapeHtml } from './text.ts';

const HEADING = /<(h[23])(\s[^>]*?\bid="([^"]+)"[^>]*)>([\s\S]*?)<\/\1>/g;

const textOf = (html: string): string => html.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim();

/** Wraps each h2/h3 that has an id with a "#" link to itself (its accessible name: "Link to <title>"). */
export function linkHeadings(html: string): string {
  return html.replace(HEADING, (whole, _tag: string, attrs: string, id: string, inner: string) => {
    if (/\bclass="[^"]*\bno-link\b/.test(attrs)) return whole;
    const title = textOf(inner);
    return `<div class="heading">${whole}<a class="heading-link" data-pagefind-ignore href="#${id}" aria-label="${escapeHtml(`Link to ${title}`)}">#</a></div>`;
  });
}

const TABLE = /(<div class="table-wrap"[^>]*>\s*)?<table(\s[^>]*)?>([\s\S]*?)<\/table>/g;

/** Puts each table that is not already in a .table-wrap into one, named by its caption or headers. */
export function wrapTables(html: string): string {
  return html.replace(TABLE, (whole, wrapped: string | undefined, _attrs, inner: string) => {
    if (wrapped) return whole;
    const caption = inner.match(/<caption[^>]*>([\s\S]*?)<\/caption>/)?.[1];
    const headers = [...inner.matchAll(/<th[^>]*>([\s\S]*?)<\/th>/g)].slice(0, 4).map((m) => textOf(m[1] as string));
    const name = caption ? textOf(caption) : `Table: ${headers.join(', ')}`;
    return `<div class="table-wrap" tabindex="0" role="region" aria-label="${escapeHtml(name.slice(0, 120))}">${whole}</div>`;
  });
}

export function readingAids(html: string): string {
  return wrapTables(linkHeadings(html));
}
