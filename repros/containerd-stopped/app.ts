// The application container: an HTTP server that writes one access-log line to stdout per request
// before it answers. Its stdout is whatever it was started with; under the shim, a pipe.
//
// Loggers (--logger):
//   sync      fs.writeSync(1, ...) on the inherited, blocking fd 1, as a synchronous logger does
//             (pino with sync: true via sonic-boom, or any blocking write(2)). When the pipe is full
//             the write sleeps in the kernel and the whole event loop stops: the incident.
//             process.stdout is never touched: initialising it makes fd 1 non-blocking (libuv), and
//             then writeSync fails with EAGAIN instead; like sonic-boom, this logger then retries
//             after a blocking sleep, which freezes the loop all the same.
//   dropping  the fix: hands lines to the non-blocking process.stdout only while less than
//             --buffer-bytes are waiting to be sent, otherwise drops the line and counts it.
//   console   console.log: on Linux process.stdout to a pipe is asynchronous (Node docs, "A note on
//             process I/O"), so nothing blocks, but every line the pipe cannot take waits in memory.
//
// stdout carries nothing but log lines; the address goes to stderr, as an AppEvent line (children.ts).
import { writeSync } from 'node:fs';
import { createServer } from 'node:http';
import { emitter } from '../lib/child-events.ts';
import { exitWhenParentDies } from '../lib/child.ts';
import { childArgsOrExit } from '../lib/flags.ts';
import { listen } from '../lib/net.ts';
import type { AppStatus } from './app-api.ts';
import { APP_FLAGS, type AppEvent } from './children.ts';
import { accessLogLine } from './log-line.ts';

interface Logger {
  log(line: string): boolean;
  queuedBytes(): number;
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

function syncLogger(): Logger {
  return {
    log(line) {
      const buf = Buffer.from(line);
      let off = 0;
      while (off < buf.length) {
        try {
          off += writeSync(1, buf, off);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'EAGAIN') {
            Atomics.wait(sleepCell, 0, 0, 1);
            continue;
          }
          // Nobody reads the pipe any more (the shim is gone): nothing sensible is left to do.
          if (code === 'EPIPE') process.exit(0);
          throw err;
        }
      }
      return true;
    },
    queuedBytes: () => 0,
  };
}

function droppingLogger(limit: number): Logger {
  const out = process.stdout;
  out.on('error', () => process.exit(0));
  return {
    log(line) {
      if (out.writableLength + line.length > limit) return false;
      out.write(line);
      return true;
    },
    queuedBytes: () => out.writableLength,
  };
}

function consoleLogger(): Logger {
  process.stdout.on('error', () => process.exit(0));
  return {
    log(line) {
      console.log(line.slice(0, -1));
      return true;
    },
    queuedBytes: () => process.stdout.writableLength,
  };
}

async function main(): Promise<void> {
  exitWhenParentDies();
  const { logger: kind, 'line-bytes': lineBytes, 'buffer-bytes': bufferBytes, port } = childArgsOrExit('app', APP_FLAGS);

  const logger = kind === 'sync' ? syncLogger() : kind === 'dropping' ? droppingLogger(bufferBytes) : consoleLogger();
  const status: AppStatus = { n: 0, logger: kind, loggedLines: 0, loggedBytes: 0, dropped: 0, queuedBytes: 0, rss: 0 };

  const server = createServer((req, res) => {
    status.n += 1;
    const line = accessLogLine(status.n, req.url ?? '/', 200, lineBytes);
    // The log line is written before the response, as access-log middleware does.
    if (logger.log(line)) {
      status.loggedLines += 1;
      status.loggedBytes += line.length;
    } else status.dropped += 1;
    status.queuedBytes = logger.queuedBytes();
    status.rss = process.memoryUsage.rss();
    const body = JSON.stringify(status);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  const bound = await listen(server, port, 'app');
  emitter<AppEvent>(process.stderr)({ ev: 'listening', port: bound, pid: process.pid, logger: kind });
}

main().catch((err: unknown) => {
  process.stderr.write(`app: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
