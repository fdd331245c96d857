// The tiers a claim can be verified on. The stand-ins are this project's own small processes (run
// anywhere, any time scale); the real tier runs the actual software on this machine (containerd and
// runc through the CRI API, the kernel's NAT and conntrack, nginx); the cluster tier is the recipe
// under repros/<slug>/cluster/, run by hand on a kind cluster.
import type { ToolName } from './real/tools.ts';

export const TIERS = ['stand-in', 'real', 'cluster'] as const;
export type Tier = (typeof TIERS)[number];

export const TIER_LABELS: Readonly<Record<Tier, string>> = {
  'stand-in': 'stand-ins',
  real: 'real components',
  cluster: 'kind cluster',
};

/** Versions of what a run exercised, e.g. { containerd: '1.6.20', runc: '1.1.5', linux: '6.18.44' }. */
export type Versions = Readonly<Record<string, string>>;

/** "containerd 1.6.20, runc 1.1.5, Linux 6.18.44" */
export function formatVersions(v: Versions | undefined): string {
  if (!v) return '';
  return Object.entries(v)
    .map(([k, ver]) => `${k === 'linux' ? 'Linux' : k} ${ver}`)
    .join(', ');
}

/** What a real-tier run on a private CRI node (repros/lib/real/pods.ts) needs: containerd, runc, an image's busybox. */
export const CRI_NODE_TOOLS: readonly ToolName[] = ['containerd', 'ctr', 'runc', 'busybox'];
