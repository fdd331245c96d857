// Where this incident's claims meet the measurements that the stand-ins and the real tier share.
import type { ClaimCheck } from '../lib/claims.ts';
import { claims } from './claims.ts';
import type { HungAppProbes } from './client.ts';

export function check(id: keyof typeof claims, observed: unknown): ClaimCheck {
  return { claim: claims[id], observed };
}

/** The claims about a hung app that a TCP connect, a new GET and the two probes speak to. */
export function hungAppChecks(p: HungAppProbes): ClaimCheck[] {
  return [
    check('tcp-connect-while-hung', p.tcpConnectWhileHung.connected),
    check('http-no-response-while-hung', p.httpWhileHung),
    check('tcp-probe-passes', p.tcpSocketProbe.result),
    check('http-probe-fails', p.httpGetProbe.result),
  ];
}
