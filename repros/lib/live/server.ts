// `npm start`: serves the built site (dist/) on 127.0.0.1 and, beside it, the live-run API of the
// incident pages' "Run it here" panel (repros/lib/live/api.ts). The pages it serves carry a <meta> with
// this server's random token; the same files on any other web server have none, and their panel
// only says how to run it locally.
//
//   node repros/lib/live/server.ts [--port 4321] [--dist dist] [--max-run-s 3600]
//
// It answers like `astro preview`: /x serves x/index.html as /x/ does, unknown paths get 404.html.
// KB_BASE (the base path the site was built for) is honoured.
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LiveApi, hostAllowed, ownHosts, refuse, type LiveOptions } from './api.ts';
import { HOST } from '../net.ts';
import { REPO_ROOT } from '../paths.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.yaml': 'text/yaml; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.pf_meta': 'application/octet-stream',
  '.pf_index': 'application/octet-stream',
  '.pf_fragment': 'application/octet-stream',
  '.pagefind': 'application/octet-stream',
};

export interface ServeOptions extends LiveOptions {
  /** The built site; default dist/ of the project. */
  dist?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Base path the site was built for (KB_BASE). */
  base?: string;
}

export interface LiveServer {
  server: Server;
  api: LiveApi;
  port: number;
  url: string;
  close(): Promise<void>;
}


/** Where the panel's marker is, the token goes: right before </head>. */
function withToken(html: string, api: LiveApi): string {
  if (!html.includes('data-live=')) return html;
  return html.replace('</head>', `${api.meta()}</head>`);
}

export async function startServer(opts: ServeOptions = {}): Promise<LiveServer> {
  const dist = resolve(opts.dist ?? join(REPO_ROOT, 'dist'));
  if (!existsSync(join(dist, 'index.html'))) throw new Error(`No built site in ${dist}. Run "npm run build" first.`);
  const base = (opts.base ?? process.env.KB_BASE ?? '/').replace(/\/?$/, '/');
  const api = new LiveApi(opts);

  const fileFor = (pathname: string): string | undefined => {
    if (!pathname.startsWith(base) && pathname + '/' !== base) return undefined;
    let rel: string;
    try {
      rel = decodeURIComponent(pathname.slice(base.length - 1));
    } catch {
      return undefined;
    }
    const p = resolve(dist, '.' + rel);
    if (p !== dist && !p.startsWith(dist + sep)) return undefined;
    if (existsSync(p) && statSync(p).isFile()) return p;
    const index = join(p, 'index.html');
    return existsSync(index) ? index : undefined;
  };

  const server = createServer((req, res) => {
    // Every request, static files included: a foreign Host is DNS rebinding or a proxy we do not know.
    if (!hostAllowed(req)) return refuse(res, 403, `Host "${req.headers.host ?? ''}" is not this server's address (${ownHosts(req.socket.localPort).join(' or ')})`);
    if (api.handle(req, res)) return;
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'GET only');
    const pathname = (req.url ?? '/').split(/[?#]/)[0] ?? '/';
    const file = fileFor(pathname);
    const status = file ? 200 : 404;
    const path = file ?? join(dist, '404.html');
    const type = TYPES[extname(path)] ?? 'application/octet-stream';
    const headers: Record<string, string> = { 'content-type': type, 'x-content-type-options': 'nosniff' };
    if (type.startsWith('text/html')) {
      const html = existsSync(path) ? withToken(readFileSync(path, 'utf8'), api) : 'Not found';
      // The token changes with every server start: never cache a page that carries it.
      res.writeHead(status, { ...headers, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : html);
      return;
    }
    res.writeHead(status, headers);
    if (req.method === 'HEAD') return void res.end();
    createReadStream(path).pipe(res);
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, HOST, () => resolveListen());
  });
  const port = (server.address() as { port: number }).port;
  return {
    server,
    api,
    port,
    url: `http://${HOST}:${port}${base}`,
    async close() {
      await api.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

async function main(): Promise<void> {
  const { parseArgs } = await import('../flags.ts');
  const { values } = parseArgs(process.argv.slice(2), [
    { name: 'port', type: 'number', description: `port on ${HOST}`, min: 0, max: 65535 },
    { name: 'dist', type: 'string', description: 'the built site' },
    { name: 'max-run-s', type: 'number', description: 'time limit of one live run, seconds', min: 1, max: 86400 },
  ]);
  const s = await startServer({
    port: typeof values.port === 'number' ? values.port : 4321,
    ...(typeof values.dist === 'string' ? { dist: values.dist } : {}),
    ...(typeof values['max-run-s'] === 'number' ? { maxRunMs: values['max-run-s'] * 1000 } : {}),
  });
  console.log(`site and live runs on ${s.url} (${HOST} only; Ctrl-C stops the server and any run)`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    s.close().then(() => process.exit(0), () => process.exit(1));
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', stop);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(err instanceof Error && err.name === 'UsageError' ? 2 : 1);
  });
}
