// The real tier of keepalive-502: the same deletions against the kernel's NAT (kube-proxy-shaped
// chains) and Debian's nginx, each run in a network namespace of its own (netns.ts, inside.ts).
// What each run measured becomes claim checks here; the claims say which tiers check them.
import type { ClaimCheck } from '../../lib/claims.ts';
import type { RunContext, ScenarioResult } from '../../lib/repro.ts';
import { claims } from '../claims.ts';
import { runInNamespace } from './netns.ts';

interface BrokenObservations {
  statusRunsAfterDeletion: number[];
  oldConnection: { conn: string | null; requestsAfterDeletion: number; lastServedS: number | null };
  newConnectionsToDeletedPod: string[];
  conntrack: { nextRequest: string; newEntryTo: string };
}

interface ServiceObservations {
  newConnectionsToDeletedPod: string[];
  freshConnectionErrors: string[];
  nginx: Record<string, number[]>;
  errorLogs: Record<string, string[]>;
}

export async function realBroken(ctx: RunContext): Promise<ScenarioResult> {
  ctx.log('broken, real tier: client -> nginx 1.x (stock, one server: the Service address) -> kube-proxy-shaped NAT -> 2 pods');
  const observations = await runInNamespace(ctx, 'broken');
  const o = observations as unknown as BrokenObservations;
  const checks: ClaimCheck[] = [
    { claim: claims['old-connection-keeps-serving'], observed: o.oldConnection.requestsAfterDeletion },
    { claim: claims['old-connection-window'], observed: o.oldConnection.lastServedS },
    { claim: claims['no-new-connections-to-terminating'], observed: o.newConnectionsToDeletedPod.length },
    { claim: claims['conntrack-delete-resets'], observed: { nextRequest: o.conntrack.nextRequest, newEntryTo: o.conntrack.newEntryTo } },
    { claim: claims['nginx-stock-passes-503'], observed: o.statusRunsAfterDeletion },
  ];
  ctx.log(`after the deletion, through nginx: ${o.statusRunsAfterDeletion.join(' -> ')}; ${o.oldConnection.requestsAfterDeletion} answered on the old connection`);
  return { observations, checks };
}

export async function realSingleReplicaService(ctx: RunContext): Promise<ScenarioResult> {
  ctx.log('single-replica-service, real tier: clients -> nginx (three configurations) -> kube-proxy-shaped NAT -> 1 pod');
  const observations = await runInNamespace(ctx, 'single-replica-service');
  const o = observations as unknown as ServiceObservations;
  const checks: ClaimCheck[] = [
    { claim: claims['service-single-replica-new-connections'], observed: o.newConnectionsToDeletedPod.length > 0 },
    { claim: claims['service-single-replica-not-refused'], observed: o.freshConnectionErrors },
    {
      claim: claims['nginx-one-server-never-502'],
      observed: { 'error timeout': o.nginx['error timeout'], 'error timeout http_503': o.nginx['error timeout http_503'] },
    },
    { claim: claims['nginx-two-servers-burst'], observed: o.nginx['two servers, first fail_timeout'] },
    {
      claim: claims['nginx-burst-error-log'],
      observed: {
        'one server': [...new Set([...(o.errorLogs.one_default ?? []), ...(o.errorLogs.one_http503 ?? [])])].sort(),
        'two servers': o.errorLogs.two_http503,
      },
    },
  ];
  for (const [k, v] of Object.entries(o.nginx)) ctx.log(`nginx, ${k}: ${v.join(' -> ')}`);
  return { observations, checks };
}
