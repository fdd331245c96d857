// The live-run API behind the "Run it here" panel of each incident page. It runs only inside the
// project's own server (repros/lib/live/server.ts, `npm start`) and the dev server
// (src/integrations/live.ts), never on static hosting.
//
// What it may start: `node repros/cli.ts <incident> <scenario> --json --scale <x> --tier <t>`, one
// child process per run, started through a ProcessGroup (repros/lib/processes.ts). The incident and
// scenario must be in the repro registry; scale and tier are checked by the CLI's own flag specs
// (repros/lib/flags.ts). Nothing else from the request reaches the command line, and no shell runs.
//
// Guards, in the order they are checked (every answer to a refused request is a JSON { error }):
//   1. Host must be the server's own address (127.0.0.1:<port> or localhost:<port>): a page on another
//      name that resolves to 127.0.0.1 (DNS rebinding) is refused, static files included.
//   2. POST only; Origin must be this server's own origin, and Sec-Fetch-Site, when sent, same-origin.
//   3. The per-server random token (in a <meta> the server writes into the pages it serves) must be
//      in the X-KB-Live-Token header. A custom header needs a CORS preflight, which is never granted.
//   4. A JSON body of at most 1 KiB with exactly the known keys.
// One run per incident at a time (a second gets 409 busy). A run stops on POST /stop, when the
// response stream closes (the page went away), after the time limit, and when the server stops;
// the CLI child stops every process it started, and its own children watch their parent.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { formatExpected, type ClaimResult } from '../claims.ts';
import { COMMON_FLAGS, parseArgs } from '../flags.ts';
import { ProcessGroup, type Spawned } from '../processes.ts';
import { UsageError, type Repro } from '../repro.ts';
import { REPROS_DIR } from '../paths.ts';
import { loadRepro, reproSlugs } from '../registry.ts';
import { HOST } from '../net.ts';

/** Where the API answers, under the server's root (independent of the site's base path). */
export const API_PREFIX = '/_live/';
export const TOKEN_HEADER = 'x-kb-live-token';
/** Default time limit of one run: a real-time run of the longest scenario fits, an abandoned one ends. */
export const DEFAULT_MAX_RUN_MS = 60 * 60_000;
/** After SIGTERM, the CLI has this long to stop its processes before it is SIGKILLed. */
const STOP_GRACE_MS = 8_000;
const MAX_BODY = 1024;

const CLI = join(REPROS_DIR, 'cli.ts');
const GUARD = new URL('orphan-guard.ts', import.meta.url).href;

export interface LiveOptions {
  /** Per-server secret; random by default. */
  token?: string;
  /** Time limit of one run. */
  maxRunMs?: number;
}

/** A validated request to run: exactly what goes on the CLI's command line. */
export interface RunRequest {
  slug: string;
  scenario: string;
  tier: 'stand-in' | 'real';
  scale: number;
}

/** One line of the response stream (newline-delimited JSON). */
export type LiveEvent =
  | { type: 'start'; slug: string; scenario: string; tier: string; scale: number; command: string; limitS: number }
  | { type: 'log'; line: string }
  | { type: 'report'; report: LiveReport }
  | { type: 'end'; code: number | null; reason: EndReason; message?: string };

export type EndReason = 'finished' | 'failed' | 'stopped' | 'time-limit' | 'page-closed' | 'server-stopping';

/** The CLI's --json report, each result with the claim's sentence and its documented expectation. */
export interface LiveReport {
  slug: string;
  scenario: string;
  scale: number;
  tier: string;
  startedAt: string;
  durationMs: number;
  observations: Record<string, unknown>;
  results: (ClaimResult & { statement: string; expected: string })[];
}

export class RequestError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** The own-address check: Host must name this server, by IP or as localhost, on the port it listens on. */
export function ownHosts(localPort: number | undefined): string[] {
  return localPort ? [`${HOST}:${localPort}`, `localhost:${localPort}`] : [];
}

export function hostAllowed(req: IncomingMessage): boolean {
  return ownHosts(req.socket.localPort).includes(req.headers.host ?? '');
}

/** Checks a parsed body against the registry and the CLI's flag specs; returns the run or throws. */
export async function validateRun(body: unknown): Promise<{ run: RunRequest; repro: Repro }> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new RequestError(400, 'the body must be a JSON object { slug, scenario, tier, scale }');
  const keys = Object.keys(body);
  const extra = keys.filter((k) => !['slug', 'scenario', 'tier', 'scale'].includes(k));
  if (extra.length) throw new RequestError(400, `unknown field ${extra.join(', ')}. Valid: slug, scenario, tier, scale`);
  const b = body as Record<string, unknown>;
  const slugs = reproSlugs();
  if (typeof b.slug !== 'string' || !slugs.includes(b.slug)) throw new RequestError(400, `unknown incident ${JSON.stringify(b.slug)}. Valid: ${slugs.join(', ')}`);
  const repro = await loadRepro(b.slug);
  const names = Object.keys(repro.scenarios);
  if (typeof b.scenario !== 'string' || !Object.hasOwn(repro.scenarios, b.scenario)) {
    throw new RequestError(400, `${repro.slug} has no scenario ${JSON.stringify(b.scenario)}. Valid: ${names.join(', ')}`);
  }
  if (typeof b.scale !== 'number' || !Number.isFinite(b.scale)) throw new RequestError(400, 'scale must be a number');
  const tier = b.tier ?? 'stand-in';
  if (typeof tier !== 'string') throw new RequestError(400, 'tier must be a string');
  try {
    // The CLI's own parser and specs: the same ranges and choices as `npm run repro`.
    const { positionals, values } = parseArgs([b.scenario, '--json', `--scale=${b.scale}`, `--tier=${tier}`], [...COMMON_FLAGS, ...(repro.flags ?? [])]);
    if (positionals.length !== 1) throw new UsageError('one scenario');
    if (values.tier === 'real' && !repro.scenarios[b.scenario]?.real) {
      const real = Object.entries(repro.scenarios).filter(([, s]) => s.real).map(([n]) => n);
      throw new UsageError(`scenario "${b.scenario}" has no real tier. Scenarios with one: ${real.join(', ') || '(none)'}`);
    }
    return { run: { slug: repro.slug, scenario: b.scenario, tier: values.tier === 'real' ? 'real' : 'stand-in', scale: values.scale as number }, repro };
  } catch (err) {
    if (err instanceof UsageError) throw new RequestError(400, err.message.replace(/--/g, ''));
    throw err;
  }
}

/** The CLI's arguments for a validated run. */
export function cliArgs(run: RunRequest): string[] {
  return [run.slug, run.scenario, '--json', `--scale=${run.scale}`, `--tier=${run.tier}`];
}

interface Running {
  run: RunRequest;
  spawned: Spawned;
  stop(reason: EndReason): void;
}

export class LiveApi {
  readonly token: string;
  readonly maxRunMs: number;
  private readonly procs = new ProcessGroup();
  private readonly runs = new Map<string, Running>();

  constructor(opts: LiveOptions = {}) {
    this.token = opts.token ?? randomBytes(24).toString('base64url');
    this.maxRunMs = opts.maxRunMs ?? DEFAULT_MAX_RUN_MS;
  }

  /** The <meta> a served page carries so its panel can find the API (and nothing else can). */
  meta(): string {
    return `<meta name="kb-live" content="${this.token}" data-api="${API_PREFIX}">`;
  }

  /** Incidents with a run going, and the processes the API holds (the CLI children). */
  get active(): { slugs: string[]; processes: number } {
    return { slugs: [...this.runs.keys()], processes: this.procs.size };
  }

  /** Handles a request under API_PREFIX; returns false for any other path. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (!path.startsWith(API_PREFIX)) return false;
    this.serve(req, res, path.slice(API_PREFIX.length)).catch((err: unknown) => {
      if (err instanceof RequestError) return refuse(res, err.status, err.message);
      refuse(res, 500, err instanceof Error ? err.message : String(err));
    });
    return true;
  }

  /** The guards every API request must pass; throws a RequestError naming the first that failed. */
  check(req: IncomingMessage): void {
    if (!hostAllowed(req)) throw new RequestError(403, `Host "${req.headers.host ?? ''}" is not this server's address (${ownHosts(req.socket.localPort).join(' or ')})`);
    if (req.method !== 'POST') throw new RequestError(405, 'POST only');
    const origin = req.headers.origin;
    if (!origin || !ownHosts(req.socket.localPort).map((h) => `http://${h}`).includes(origin) || origin !== `http://${req.headers.host}`) {
      throw new RequestError(403, `Origin "${origin ?? ''}" is not this site`);
    }
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin') throw new RequestError(403, `Sec-Fetch-Site "${String(site)}" is not same-origin`);
    const got = Buffer.from(String(req.headers[TOKEN_HEADER] ?? ''));
    const want = Buffer.from(this.token);
    if (got.length !== want.length || !timingSafeEqual(got, want)) throw new RequestError(403, 'missing or wrong token: reload the page');
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) throw new RequestError(415, 'Content-Type must be application/json');
  }

  private async serve(req: IncomingMessage, res: ServerResponse, action: string): Promise<void> {
    this.check(req);
    const body = await readJson(req);
    if (action === 'run') return this.start(res, body);
    if (action === 'stop') {
      const slug = (body as { slug?: unknown } | null)?.slug;
      const r = typeof slug === 'string' ? this.runs.get(slug) : undefined;
      if (!r) throw new RequestError(404, `no run of ${JSON.stringify(slug)} is going`);
      r.stop('stopped');
      return json(res, 200, { stopping: r.run.slug });
    }
    throw new RequestError(404, `unknown action "${action}". Valid: run, stop`);
  }

  private async start(res: ServerResponse, body: unknown): Promise<void> {
    const { run, repro } = await validateRun(body);
    const busy = this.runs.get(run.slug);
    if (busy) {
      throw new RequestError(409, `busy: ${run.slug} is already running ${busy.run.scenario} (one run per incident; stop it first)`);
    }
    const args = cliArgs(run);
    const spawned = this.procs.spawn(process.execPath, ['--import', GUARD, CLI, ...args], {
      cwd: join(REPROS_DIR, '..'),
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
    });
    const child = spawned.child;
    let reason: EndReason | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = (why: EndReason): void => {
      if (reason || child.exitCode !== null || child.signalCode !== null) return;
      reason = why;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    };
    const entry: Running = { run, spawned, stop };
    this.runs.set(run.slug, entry);
    const limit = setTimeout(() => stop('time-limit'), this.maxRunMs);

    res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    res.flushHeaders();
    const send = (e: LiveEvent): void => {
      if (!res.writableEnded && !res.destroyed) res.write(JSON.stringify(e) + '\n');
    };
    // The page went away (tab closed, navigation, fetch aborted): stop the run.
    res.on('close', () => {
      if (!res.writableFinished) stop('page-closed');
    });
    send({ type: 'start', slug: run.slug, scenario: run.scenario, tier: run.tier, scale: run.scale, command: `npm run repro -- ${args.join(' ')}`, limitS: Math.round(this.maxRunMs / 1000) });

    let errTail = '';
    lines(child.stderr, (line) => {
      errTail = line || errTail;
      send({ type: 'log', line });
    });
    const out: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stdin?.on('error', () => undefined);

    let code: number | null = null;
    try {
      code = (await spawned.exited).code;
    } finally {
      clearTimeout(limit);
      clearTimeout(killTimer);
      this.runs.delete(run.slug);
    }
    const report = parseReport(Buffer.concat(out).toString('utf8'), repro);
    if (report) send({ type: 'report', report });
    const end: LiveEvent = reason
      ? { type: 'end', code, reason, message: STOP_MESSAGES[reason] }
      : code === 0 || (code === 1 && report)
        ? { type: 'end', code, reason: 'finished' }
        : { type: 'end', code, reason: 'failed', message: errTail.replace(/^error: /, '') || `the repro exited with code ${code}` };
    // The last event and the end of the stream in one write, so that the page reads both together.
    if (!res.writableEnded && !res.destroyed) res.end(JSON.stringify(end) + '\n');
  }

  /** Stops every run and waits for the CLI children to exit. */
  async close(): Promise<void> {
    for (const r of this.runs.values()) r.stop('server-stopping');
    await this.procs.stopAll(STOP_GRACE_MS);
  }
}

const STOP_MESSAGES: Record<EndReason, string> = {
  finished: '',
  failed: '',
  stopped: 'stopped: every process of the run has exited',
  'time-limit': 'stopped at the time limit: every process of the run has exited',
  'page-closed': 'the page went away',
  'server-stopping': 'the server is stopping',
};

function parseReport(text: string, repro: Repro): LiveReport | undefined {
  if (!text.trim()) return undefined;
  try {
    const r = JSON.parse(text) as Omit<LiveReport, 'results'> & { results: ClaimResult[] };
    const byId = new Map(Object.values(repro.claims).map((c) => [c.id, c]));
    return {
      ...r,
      results: r.results.map((x) => {
        const c = byId.get(x.id);
        return { ...x, statement: c?.statement ?? x.id, expected: c ? formatExpected(c.expected) : '' };
      }),
    };
  } catch {
    return undefined;
  }
}

function lines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  if (!stream) return;
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buf += chunk;
    let i: number;
    while ((i = buf.indexOf('\n')) !== -1) {
      onLine(buf.slice(0, i).replace(/\r|\x1b\[[0-9;]*[A-Za-z]/g, ''));
      buf = buf.slice(i + 1);
    }
  });
  stream.on('end', () => {
    if (buf) onLine(buf);
  });
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY) throw new RequestError(413, `the body is over ${MAX_BODY} bytes`);
    chunks.push(c);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
  } catch {
    throw new RequestError(400, 'the body is not JSON');
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(JSON.stringify(body));
}

export function refuse(res: ServerResponse, status: number, error: string): void {
  json(res, status, { error });
}
