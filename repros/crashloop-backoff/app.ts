// The container's main process: a small HTTP service with a liveness endpoint, started by the mini
// kubelet for every container instance. It reports its port over the IPC channel once it listens,
// and does nothing to protect itself: the chaos killer's SIGKILL ends it at once, like `kill -9` of
// a container's PID 1.
import { createServer } from 'node:http';
import { childArgs, exitWhenParentDies } from '../lib/child.ts';
import { listen } from '../lib/net.ts';

exitWhenParentDies();
const args = childArgs();
const instance = Number(args.get('instance') ?? '0');
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

const port = await listen(server, Number(args.get('port') ?? '0'), 'app');
process.send?.({ type: 'listening', port, pid: process.pid });
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
