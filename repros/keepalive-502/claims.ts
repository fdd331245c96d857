// What the keepalive-502 page states, as data: each claim's expected value comes from the incident's
// timings (timings.ts) and the sources below; the repro measures the observed values.
import { defineClaims, type Source } from '../lib/claims.ts';
import { REAL } from './timings.ts';

const CONNTRACK: Source = {
  label: 'k/k pkg/proxy/conntrack/cleanup.go (only UDP entries are cleared; TCP flows keep their NAT)',
  url: 'https://github.com/kubernetes/kubernetes/blob/master/pkg/proxy/conntrack/cleanup.go',
};
const TERMINATION: Source = {
  label: 'Kubernetes docs: Pod lifecycle, termination of Pods (preStop, SIGTERM, grace period)',
  url: 'https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination',
};
const SLICE_CONDITIONS: Source = {
  label: 'Kubernetes docs: EndpointSlices, conditions (ready, serving, terminating)',
  url: 'https://kubernetes.io/docs/concepts/services-networking/endpoint-slices/#conditions',
};
const NGINX_SERVER: Source = {
  label: 'nginx ngx_http_upstream_module: server max_fails=1, fail_timeout=10s',
  url: 'https://nginx.org/en/docs/http/ngx_http_upstream_module.html#server',
};
const NGINX_NEXT: Source = {
  label: 'nginx ngx_http_proxy_module: proxy_next_upstream (http_503, "no live upstreams")',
  url: 'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_next_upstream',
};
const RFC9112_CLOSE: Source = {
  label: 'RFC 9112 section 9.6: Tear-down (Connection: close)',
  url: 'https://www.rfc-editor.org/rfc/rfc9112#section-9.6',
};

/** Requests the old connection carries after the deletion: one per client interval of the preStop sleep. */
export const OLD_CONNECTION_REQUESTS = REAL.preStopS / REAL.clientIntervalS;
/** 502s in a row: one per client interval while the only upstream is marked down. */
export const BURST_502_REQUESTS = REAL.failTimeoutS / REAL.clientIntervalS;

export const claims = defineClaims('keepalive-502', {
  'old-connection-keeps-serving': {
    statement:
      `After the pod is deleted, the gateway's existing keep-alive connection keeps reaching it: at one request a second ` +
      `it serves about ${OLD_CONNECTION_REQUESTS} more requests, one for each second of the preStop sleep.`,
    expected: { kind: 'approx', value: OLD_CONNECTION_REQUESTS, tolerance: 2, unit: 'requests' },
    sources: [CONNTRACK, SLICE_CONDITIONS, TERMINATION],
    method:
      'Counts the 2xx answers, after the deletion, on the pod connection that served the client before it (x-pod-conn). ' +
      '± 2: the deletion and the end of preStop each fall anywhere between two requests, one request of slack each.',
  },
  'old-connection-window': {
    statement: `Those answers keep coming until the preStop hook ends: the last one arrives about ${REAL.preStopS} s after the deletion.`,
    expected: { kind: 'approx', value: REAL.preStopS, tolerance: 2, unit: 's' },
    sources: [TERMINATION],
    method:
      'Time from the deletion to the last 2xx on the old connection, in real seconds (a scaled run divides by its scale). ' +
      '± 2 s: one client interval of quantisation plus up to one interval of timer lateness on a busy machine.',
  },
  'broken-503-then-502': {
    statement:
      'Through the load balancer, the client sees 200s, then a 503 from the halting pod, then only 502s from the gateway, ' +
      'then 200s again once the gateway retries the balancer and gets a new connection to the other pod.',
    expected: { kind: 'equals', value: [200, 503, 502, 200] },
    sources: [NGINX_SERVER, NGINX_NEXT],
    method: 'The client\'s statuses after the deletion, with repeats collapsed.',
  },
  'broken-502-burst': {
    statement:
      `The 502s last as long as the gateway keeps its only upstream marked down (fail_timeout ${REAL.failTimeoutS} s): ` +
      `about ${BURST_502_REQUESTS} requests at one a second.`,
    expected: { kind: 'approx', value: BURST_502_REQUESTS, tolerance: 2, unit: 'requests' },
    sources: [NGINX_SERVER],
    method: 'Counts the 502s right after the first 503. ± 2: the window\'s two ends each fall between two requests.',
  },
  'every-client-502': {
    statement:
      'While the upstream is marked down, every client gets 502 on every path: curl, fetching /ok.htm and /api/orders ' +
      'over one new connection to the gateway, gets 502 twice.',
    expected: { kind: 'equals', value: [502, 502] },
    sources: [NGINX_NEXT],
    method: 'curl 7.88 against the running `up` topology, both URLs on one command line so curl reuses its connection.',
  },
  'fixed-no-errors': {
    statement: 'With the fix, the client sees no non-2xx response across the deletion.',
    expected: { kind: 'equals', value: 0, unit: 'non-2xx responses' },
    sources: [RFC9112_CLOSE],
    method: 'Counts every response that is not 2xx, and every request that failed without a response.',
  },
  'fixed-closes-after-first': {
    statement:
      'With the fix, once the app is draining, each of the deleted pod\'s connections carries one more response, ' +
      'with Connection: close, and the pod closes it; the next request opens a new connection to a ready pod.',
    expected: { kind: 'equals', value: ['1 response, then closed by pod'] },
    sources: [RFC9112_CLOSE],
    method: 'The pod reports, per connection, the responses it sent while draining and which side closed the connection.',
  },
  'direct-no-502': {
    statement: 'With the gateway pointed at the pod addresses instead of the balancer, no 502 is returned.',
    expected: { kind: 'equals', value: 0, unit: '502 responses' },
    sources: [NGINX_SERVER, NGINX_NEXT],
  },
  'direct-drops-one-pod': {
    statement: 'With pod addresses as upstreams, the only upstream the gateway marks down is the deleted pod.',
    expected: { kind: 'equals', value: ['pod-0'] },
    sources: [NGINX_SERVER],
    method: 'The upstreams the gateway reported as marked unavailable after the deletion (pod-0 is the one deleted).',
  },
  'no-new-connections-to-terminating': {
    statement: 'New connections never reach a terminating pod: after the deletion it accepts no new connection except its own preStop hook call.',
    expected: { kind: 'equals', value: 0, unit: 'connections' },
    sources: [SLICE_CONDITIONS],
    method: 'The deleted pod reports every connection it accepts; the hook\'s call (ok.htm?down=true, made by the kubelet to the pod directly) is left out.',
  },
  'single-replica-refused': {
    statement: 'With a single replica, the balancer has no endpoint left once the pod is deleted, and the gateway\'s new connections are refused.',
    expected: { kind: 'equals', value: ['ECONNREFUSED'] },
    sources: [SLICE_CONDITIONS],
    method: 'The error codes the gateway got from its upstream after the deletion.',
  },
  'single-replica-never-recovers': {
    statement: 'With a single replica the client sees 200s, the 503, and then 502s only, until the deletion is over.',
    expected: { kind: 'equals', value: [200, 503, 502] },
    sources: [NGINX_NEXT],
    method: 'The client\'s statuses after the deletion, with repeats collapsed.',
  },
});
