// The real tier of keepalive-502: the same deletions against the kernel's NAT (kube-proxy-shaped
// chains) and Debian's nginx, each run in a network namespace of its own (netns.ts, inside.ts).
// What each run measured becomes claim checks in ../checks.ts; the claims say which tiers check them.
import type { RunContext, ScenarioResult } from '../../lib/repro.ts';
import { realBrokenChecks, realServiceChecks, type RealBrokenObservations, type RealServiceObservations } from '../checks.ts';
import { runInNamespace } from './netns.ts';

export async function realBroken(ctx: RunContext): Promise<ScenarioResult> {
  ctx.log('broken, real tier: client -> nginx 1.x (stock, one server: the Service address) -> kube-proxy-shaped NAT -> 2 pods');
  const observations = await runInNamespace(ctx, 'broken');
  const o = observations as unknown as RealBrokenObservations;
  ctx.log(`after the deletion, through nginx: ${o.statusRunsAfterDeletion.join(' -> ')}; ${o.oldConnection.requestsAfterDeletion} answered on the old connection`);
  return { observations, checks: realBrokenChecks(o) };
}

export async function realSingleReplicaService(ctx: RunContext): Promise<ScenarioResult> {
  ctx.log('single-replica-service, real tier: clients -> nginx (three configurations) -> kube-proxy-shaped NAT -> 1 pod');
  const observations = await runInNamespace(ctx, 'single-replica-service');
  const o = observations as unknown as RealServiceObservations;
  for (const [k, v] of Object.entries(o.nginx)) ctx.log(`nginx, ${k}: ${v.join(' -> ')}`);
  return { observations, checks: realServiceChecks(o) };
}
