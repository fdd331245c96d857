// Every internal link goes through here so the site works under any base path (KB_BASE).
const BASE = import.meta.env.BASE_URL.replace(/\/?$/, '/');

/** A site-internal URL: url('alerts/') -> '/sre/kb/alerts/' under base /sre/kb/. */
export function url(path = ''): string {
  return BASE + path.replace(/^\//, '');
}

export function slugify(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}
