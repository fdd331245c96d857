// The incident's test client: one keep-alive session (like Python's requests.Session) sending one
// request per interval and reporting each answer: status, the pod and pod connection that served it,
// and the gateway connection it travelled on. Requests go out on a fixed schedule; if one is late
// (a slow answer, a busy machine) the next goes out at once, so the count per window stays right.
//
//   node client.ts --target http://<host>:8080/ok.htm --interval-ms 1000       (CLIENT_FLAGS in children.ts)
import { Agent, request } from 'node:http';
import { emitter } from '../lib/child-events.ts';
import { exitWhenParentDies } from '../lib/child.ts';
import { childArgsOrExit } from '../lib/flags.ts';
import { CLIENT_FLAGS } from './children.ts';
import { sleep } from '../lib/clock.ts';
import { now, type ClientEvent, type ClientResponse } from './events.ts';

exitWhenParentDies();
const args = childArgsOrExit('client', CLIENT_FLAGS);
const emit = emitter<ClientEvent>();
const target = new URL(args.target);
const intervalMs = args['interval-ms'];
// One connection, reused for every request: a single keep-alive session.
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function header(v: string | string[] | undefined): string | null {
  return typeof v === 'string' ? v : null;
}

function once(seq: number): Promise<ClientResponse> {
  const sentT = now();
  return new Promise((resolve) => {
    const req = request(target, { agent, headers: { connection: 'keep-alive' } }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({
          ev: 'response',
          proc: 'client',
          seq,
          sentT,
          t: now(),
          status: res.statusCode ?? 0,
          pod: header(res.headers['x-pod']),
          podConn: header(res.headers['x-pod-conn']),
          upstream: header(res.headers['x-upstream']),
          gatewayConn: header(res.headers['x-gateway-conn']),
        }),
      );
    });
    req.on('error', (err: NodeJS.ErrnoException) =>
      resolve({ ev: 'response', proc: 'client', seq, sentT, t: now(), status: 0, pod: null, podConn: null, upstream: null, gatewayConn: null, error: err.code ?? err.message }),
    );
    req.end();
  });
}

emit({ ev: 'listening', proc: 'client', target: target.href, t: now() });
const t0 = now();
for (let seq = 1; ; seq++) {
  emit(await once(seq));
  await sleep(t0 + seq * intervalMs - now());
}
