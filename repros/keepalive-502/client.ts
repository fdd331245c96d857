// The incident's test client: one keep-alive session (like Python's requests.Session) sending one
// request per interval and reporting each answer: status, the pod and pod connection that served it,
// and the gateway connection it travelled on. Requests go out on a fixed schedule; if one is late
// (a slow answer, a busy machine) the next goes out at once, so the count per window stays right.
//
//   node client.ts --target http://127.0.0.1:8080/ok.htm [--interval-ms 1000]
import { Agent, request } from 'node:http';
import { childArgs, exitWhenParentDies } from '../lib/child.ts';
import { sleep } from '../lib/clock.ts';
import { emit, now, type ClientResponse } from './events.ts';
import { HOST } from '../lib/address.ts';

exitWhenParentDies();
const args = childArgs();
const target = new URL(args.get('target') ?? `http://${HOST}:8080/ok.htm`);
const intervalMs = Number(args.get('interval-ms') ?? 1000);
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
