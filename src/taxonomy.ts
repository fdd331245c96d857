// The controlled vocabularies of incident frontmatter. Adding a value here is how a new component or
// severity becomes valid; the schema and the site read these lists.

export const SEVERITIES = ['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const;
export const STATUSES = ['resolved', 'mitigated', 'monitoring', 'open'] as const;

/** Components an incident can involve, with the label a reader sees. */
export const COMPONENTS = {
  kubelet: 'kubelet',
  containerd: 'containerd',
  'containerd-shim': 'containerd shim',
  'kube-proxy': 'kube-proxy',
  'cloud-load-balancer': 'cloud load balancer',
  gateway: 'API gateway',
  'node-lifecycle-controller': 'node lifecycle controller',
  'endpointslice-controller': 'EndpointSlice controller',
  'kube-apiserver': 'kube-apiserver',
  application: 'application',
  'chaos-testing': 'chaos testing',
  'linux-kernel': 'Linux kernel',
} as const;

export type Component = keyof typeof COMPONENTS;
export const COMPONENT_IDS = Object.keys(COMPONENTS) as [Component, ...Component[]];

/** The fixed section anchors of an incident page, in order; runbooks link to these. */
export const INCIDENT_SECTIONS = [
  'summary',
  'impact',
  'timeline',
  'root-cause',
  'detection',
  'mitigation',
  'action-items',
  'lessons',
  'reproduce',
] as const;

/** The sections of an alert page (the prometheus-operator runbook layout). */
export const ALERT_SECTIONS = ['meaning', 'impact', 'diagnosis', 'mitigation'] as const;
