// A static redirect page: the fragment (#diagnosis) survives through the script; without JavaScript
// the meta refresh and the link still lead there.
import { escapeHtml } from './text.ts';

export function redirectPage(to: string): string {
  const t = escapeHtml(to);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Redirecting to ${t}</title>` +
    `<meta name="robots" content="noindex"><link rel="canonical" href="${t}">` +
    `<script>location.replace(${JSON.stringify(to)} + location.search + location.hash)</script>` +
    `<meta http-equiv="refresh" content="0; url=${t}"></head>` +
    `<body><p>This page is at <a href="${t}">${t}</a>.</p></body></html>\n`;
}
