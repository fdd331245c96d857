// Playwright globalSetup: serves the built site (dist/, or KB_DIST) with Astro's preview server on
// 127.0.0.1 and a free port, and hands its URL to the tests through KB_TEST_URL.
import { preview } from 'astro';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { HOST } from '../../repros/lib/address.ts';

export default async function serve(): Promise<() => Promise<void>> {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const outDir = process.env.KB_DIST ?? 'dist';
  if (!existsSync(new URL(outDir + '/index.html', `file://${root}`))) {
    throw new Error(`No built site in ${outDir}/. Run "npm run build" first (npm test does this for you).`);
  }
  const server = await preview({ root, outDir, server: { host: HOST, port: 0 }, logLevel: 'error' });
  const base = (process.env.KB_BASE ?? '/').replace(/\/?$/, '/');
  process.env.KB_TEST_URL = `http://${HOST}:${server.port}${base}`;
  return async () => server.stop();
}
