// keepalive-502 as the site sees it: the one module incident pages and site components import. Pure
// data and functions (no process, socket or real-tier code; tests/site/site-surface.test.ts checks).
export { claims } from './claims.ts';
export { BURST_502_REQUESTS, NGINX_MESSAGES, OLD_CONNECTION_REQUESTS, REAL } from './constants.ts';
export type { Marks, TimelineEntry } from './timeline.ts';

/** Files shown on the incident page, relative to the repo root. */
export const SOURCE_FILES: readonly string[] = [
  'repros/keepalive-502/graceful-shutdown.ts',
  'repros/keepalive-502/pod.ts',
  'repros/keepalive-502/pod-deletion.ts',
  'repros/keepalive-502/endpoints.ts',
  'repros/keepalive-502/l4-balancer.ts',
  'repros/keepalive-502/incident-gateway-health.ts',
  'repros/keepalive-502/incident-gateway.ts',
  'repros/keepalive-502/client.ts',
  'repros/keepalive-502/real/kube-proxy-chains.ts',
  'repros/keepalive-502/real/nginx-conf.ts',
  'repros/keepalive-502/real/netns.ts',
];
