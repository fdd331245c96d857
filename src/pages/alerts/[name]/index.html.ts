// /alerts/<AlertName> in the alert's own case (as some runbook templates send it) redirects to the
// lower-case page /alerts/<alertname>/. One small static file per alert whose name has capitals, so
// it works on any static server and under any base path; other casings reach the 404 page, which
// redirects the same way. Not in the sitemap (an endpoint, not a page).
import type { APIRoute, GetStaticPaths } from 'astro';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { alerts } from '../../../lib/content.ts';
import { url } from '../../../lib/url.ts';
import { alertSlug } from '../../../schema.ts';
import { redirectPage } from '../../../lib/redirect.ts';

// On a case-insensitive file system (macOS, Windows) /alerts/KubeX/ and /alerts/kubex/ are one folder,
// and the server already answers in any case: writing a redirect there would replace the page.
const caseInsensitive = existsSync(join(process.cwd(), 'PACKAGE.JSON'));

export const getStaticPaths = (async () => {
  if (caseInsensitive) return [];
  return (await alerts())
    .filter((a) => a.data.name !== alertSlug(a.data.name))
    .map((a) => ({ params: { name: a.data.name }, props: { slug: alertSlug(a.data.name) } }));
}) satisfies GetStaticPaths;

export const GET: APIRoute = ({ props }) =>
  new Response(redirectPage(url(`alerts/${(props as { slug: string }).slug}/`)), { headers: { 'content-type': 'text/html; charset=utf-8' } });
