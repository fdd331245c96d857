// kube-proxy's iptables chains for a ClusterIP Service, as text for `iptables-restore --noflush`:
// nat OUTPUT -> KUBE-SERVICES -> KUBE-SVC-<hash> (one random pick per new connection) -> KUBE-SEP-<hash>
// (DNAT to one pod). The shape follows kube-proxy's iptables mode; it leaves out what this repro has no
// use for (masquerade marks, KUBE-NODEPORTS, the filter table). Which endpoints get a KUBE-SEP jump is
// kube-proxy's own choice, ported in ../endpoints.ts (categorizeClusterEndpoints): ready endpoints,
// else serving and terminating ones.
//
// Locally generated traffic only (nat OUTPUT): the gateway and the clients run in the same network
// namespace as the pods, whose addresses sit on that namespace's `lo`.
import { createHash } from 'node:crypto';
import { categorizeClusterEndpoints, type Endpoint } from '../endpoints.ts';

export interface Service {
  /** "namespace/name:port", as kube-proxy names a service port. */
  name: string;
  /** Service addresses that lead to the same endpoints (a ClusterIP; here also a second address). */
  addresses: readonly string[];
  port: number;
}

/** kube-proxy-like chain name: prefix plus 16 characters of a base32 hash (not kube-proxy's exact input). */
function chainName(prefix: 'KUBE-SVC-' | 'KUBE-SEP-', key: string): string {
  const digest = createHash('sha256').update(key).digest();
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < 16) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return prefix + out;
}

export const svcChain = (svc: Service): string => chainName('KUBE-SVC-', `${svc.name}/tcp`);
export const sepChain = (svc: Service, ep: Endpoint): string => chainName('KUBE-SEP-', `${svc.name}/tcp/${ep.host}:${ep.port}`);

/**
 * The nat table's kube-proxy chains for this Service and endpoint table. `previous` are the KUBE-SEP
 * chains of the last sync: the ones no longer used are deleted, as kube-proxy deletes stale chains.
 * Declaring a chain (`:NAME - [0:0]`) in a --noflush restore empties it, so each sync rewrites them.
 */
export function natRules(svc: Service, endpoints: readonly Endpoint[], previous: readonly string[] = []): { text: string; seps: string[] } {
  const svcName = svcChain(svc);
  const used = categorizeClusterEndpoints(endpoints);
  const seps = used.map((ep) => sepChain(svc, ep));
  const stale = previous.filter((c) => !seps.includes(c));
  // Stale chains are declared (so emptied) too, then deleted: a chain still holding rules cannot go.
  const lines = ['*nat', ':KUBE-SERVICES - [0:0]', `:${svcName} - [0:0]`, ...[...seps, ...stale].map((c) => `:${c} - [0:0]`)];
  for (const addr of svc.addresses) {
    lines.push(`-A KUBE-SERVICES -d ${addr}/32 -p tcp -m comment --comment "${svc.name} cluster IP" -m tcp --dport ${svc.port} -j ${svcName}`);
  }
  used.forEach((ep, i) => {
    const left = used.length - i;
    // kube-proxy: endpoint i of n is picked with probability 1/(n-i); the last one takes the rest.
    const pick = left > 1 ? ` -m statistic --mode random --probability ${(1 / left).toFixed(10)}` : '';
    lines.push(`-A ${svcName} -m comment --comment "${svc.name} -> ${ep.host}:${ep.port}"${pick} -j ${seps[i]}`);
  });
  used.forEach((ep, i) => {
    lines.push(`-A ${seps[i]} -p tcp -m comment --comment "${svc.name}" -m tcp -j DNAT --to-destination ${ep.host}:${ep.port}`);
  });
  for (const c of stale) lines.push(`-X ${c}`);
  lines.push('COMMIT', '');
  return { text: lines.join('\n'), seps };
}

/** The jump from nat OUTPUT into KUBE-SERVICES, added once. */
export const OUTPUT_JUMP = ['-t', 'nat', '-A', 'OUTPUT', '-m', 'comment', '--comment', 'kubernetes service portals', '-j', 'KUBE-SERVICES'] as const;
