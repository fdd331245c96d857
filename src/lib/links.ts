// Makes the links inside rendered Markdown base-aware. Authors write site paths ("/alerts/x/")
// or paths relative to the page ("../../alerts/x/"); both become "<base>alerts/x/", so content works
// under any base path (KB_BASE) and whether or not the page's own URL ends in a slash.

const ATTR = /\s(href|src)="([^"]*)"/g;

export function rewriteLinks(html: string, pagePath: string, base: string): string {
  const prefix = base.replace(/\/?$/, '/');
  return html.replace(ATTR, (whole, attr: string, href: string) => {
    if (href === '' || href.startsWith('#') || href.startsWith('//') || /^[a-z][a-z0-9+.-]*:/i.test(href)) return whole;
    if (href.startsWith(prefix)) return whole;
    const resolved = new URL(href, `http://site/${pagePath.replace(/^\//, '')}`);
    return ` ${attr}="${prefix}${resolved.pathname.slice(1)}${resolved.search}${resolved.hash}"`;
  });
}
