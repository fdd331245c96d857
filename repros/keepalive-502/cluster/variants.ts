// The keepalive-502 cluster run's choices, kept apart from the experiment so that run.ts can offer
// them without loading it, and the experiment can name them without importing run.ts.

export const CLUSTER_SCENARIOS = ['broken', 'fixed', 'single-replica'] as const;
export type ClusterScenario = (typeof CLUSTER_SCENARIOS)[number];
