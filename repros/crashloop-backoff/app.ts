// The container's main process: a small HTTP service with a liveness endpoint, started by the mini
// kubelet for every container instance. It reports its port on stdout once it listens (AppEvent),
// and does nothing to protect itself: the chaos killer's SIGKILL ends it at once, like `kill -9` of
// a container's PID 1.
import { createServer } from 'node:http';
import { emitter } from '../lib/child-events.ts';
import { exitWhenParentDies } from '../lib/child.ts';
import { childArgsOrExit } from '../lib/flags.ts';
import { listen } from '../lib/net.ts';
import { APP_FLAGS, type AppEvent } from './children.ts';

exitWhenParentDies();
const args = childArgsOrExit('app', APP_FLAGS);
const instance = args.instance;
const startedAt = Date.now();

const server = createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok\n');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ instance, pid: process.pid, uptimeMs: Date.now() - startedAt }) + '\n');
});

const port = await listen(server, args.port, 'app');
emitter<AppEvent>()({ ev: 'listening', port, pid: process.pid });
process.on('SIGTERM', () => server.close(() => process.exit(0)));
