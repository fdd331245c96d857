// The containerd-stopped cluster run's choices, kept apart from the manifests so that run.ts can
// offer them without loading the Kubernetes schemas.

export const PROBE_VARIANTS = ['tcp', 'exec', 'http'] as const;
export type ProbeVariant = (typeof PROBE_VARIANTS)[number];
export const TOLERATION_VARIANTS = ['default', 'short'] as const;
export type TolerationVariant = (typeof TOLERATION_VARIANTS)[number];
