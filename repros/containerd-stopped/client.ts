// The traffic side: an HTTP client that notices when a request gets no answer, a raw TCP connect,
// and the kubelet's two network probe kinds (k/k pkg/probe/tcp/tcp.go, pkg/probe/http/http.go).
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { HOST } from '../lib/address.ts';
import type { AppStatus } from './app-api.ts';
import { HANG_TIMEOUT_MS, PROBE_TIMEOUT_MS } from './constants.ts';

export type Reply =
  | { kind: 'answered'; status: AppStatus; ms: number }
  /** No response within the timeout. The request stays open; `later` settles if it is ever answered. */
  | { kind: 'no-response'; later: Promise<AppStatus> };

/**
 * Sends GET path and waits up to timeoutMs for the response. A request that times out is NOT
 * aborted: like a client with a long timeout behind a load balancer, it keeps waiting.
 */
export function get(port: number, path: string, timeoutMs: number, agent: Agent | false): Promise<Reply> {
  const t0 = performance.now();
  const later = new Promise<AppStatus>((resolve, reject) => {
    const req = request({ host: HOST, port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body) as AppStatus);
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
  later.catch(() => undefined);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve({ kind: 'no-response', later }), timeoutMs);
    later.then(
      (status) => {
        clearTimeout(timer);
        resolve({ kind: 'answered', status, ms: performance.now() - t0 });
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/** A keep-alive connection for a steady stream of sequential requests. */
export function keepAliveAgent(): Agent {
  return new Agent({ keepAlive: true, maxSockets: 1 });
}

/** Opens a TCP connection and reports how long the handshake took, or that it failed. */
export function tcpConnect(port: number, timeoutMs: number): Promise<{ connected: boolean; ms: number; error?: string }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const sock = connect({ host: HOST, port });
    const done = (connected: boolean, error?: string): void => {
      clearTimeout(timer);
      sock.destroy();
      const ms = Math.round((performance.now() - t0) * 10) / 10;
      resolve(error === undefined ? { connected, ms } : { connected, ms, error });
    };
    const timer = setTimeout(() => done(false, `no handshake within ${timeoutMs} ms`), timeoutMs);
    sock.once('connect', () => done(true));
    sock.once('error', (err) => done(false, err.message));
  });
}

export type ProbeResult = { result: 'success' | 'failure'; detail: string };

/** tcpSocket probe: success when the TCP handshake completes within the timeout (tcp.go, DoTCPProbe). */
export async function tcpSocketProbe(port: number, timeoutMs: number): Promise<ProbeResult> {
  const r = await tcpConnect(port, timeoutMs);
  return r.connected
    ? { result: 'success', detail: `connected in ${r.ms} ms` }
    : { result: 'failure', detail: r.error ?? 'connect failed' };
}

/**
 * httpGet probe: a new connection per probe (the kubelet disables keep-alive), success when the
 * status is 200-399 within the timeout, failure on timeout (http.go, DoHTTPProbe).
 */
export function httpGetProbe(port: number, path: string, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const req = request({ host: HOST, port, path, agent: false, headers: { 'user-agent': 'kube-probe/1.32' } }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      clearTimeout(timer);
      req.destroy();
      resolve(
        code >= 200 && code < 400
          ? { result: 'success', detail: `HTTP ${code} in ${Math.round(performance.now() - t0)} ms` }
          : { result: 'failure', detail: `HTTP probe failed with statuscode: ${code}` },
      );
    });
    const timer = setTimeout(() => {
      req.destroy();
      resolve({ result: 'failure', detail: `context deadline exceeded (Client.Timeout exceeded while awaiting headers) after ${timeoutMs} ms` });
    }, timeoutMs);
    // After a timeout the destroyed request also errors; the promise has settled by then.
    req.on('error', (err) => {
      clearTimeout(timer);
      resolve({ result: 'failure', detail: err.message });
    });
    req.end();
  });
}

/** What an engineer (and the kubelet) would try against the hung app, as the stand-ins and the real tier measure it. */
export interface HungAppProbes {
  tcpConnectWhileHung: { connected: boolean; ms: number; error?: string };
  /** "no response", or how long a new connection's GET took to be answered. */
  httpWhileHung: string;
  tcpSocketProbe: ProbeResult;
  httpGetProbe: ProbeResult;
}

/**
 * A TCP connect, an HTTP GET on a new connection, and the two readiness probe kinds, against an app
 * that is hung; narrated through `log`. `later` is the GET's answer if the app ever gives one.
 */
export async function probeHungApp(port: number, log: (line: string) => void): Promise<{ probes: HungAppProbes; later?: Promise<AppStatus> }> {
  const tcp = await tcpConnect(port, HANG_TIMEOUT_MS);
  log(`TCP connect to ${HOST}:${port}: ${tcp.connected ? `handshake completed in ${tcp.ms} ms` : `failed (${tcp.error ?? ''})`}.`);
  const probe = await get(port, '/orders', HANG_TIMEOUT_MS, false);
  const httpWhileHung = probe.kind === 'no-response' ? 'no response' : `answered in ${Math.round(probe.ms)} ms`;
  log(`HTTP GET on a new connection: ${httpWhileHung} after ${HANG_TIMEOUT_MS} ms.`);
  const tcpProbe = await tcpSocketProbe(port, PROBE_TIMEOUT_MS);
  const httpProbe = await httpGetProbe(port, '/healthz', PROBE_TIMEOUT_MS);
  log(`readinessProbe tcpSocket: ${tcpProbe.result} (${tcpProbe.detail}).`);
  log(`readinessProbe httpGet /healthz: ${httpProbe.result} (${httpProbe.detail}).`);
  return {
    probes: { tcpConnectWhileHung: tcp, httpWhileHung, tcpSocketProbe: tcpProbe, httpGetProbe: httpProbe },
    ...(probe.kind === 'no-response' ? { later: probe.later } : {}),
  };
}
