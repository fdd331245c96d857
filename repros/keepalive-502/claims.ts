// What the keepalive-502 page states, as data: each claim's expected value comes from the incident's
// numbers (constants.ts) and the sources below; the repro measures the observed values.
import { defineClaims, type Source } from '../lib/claims.ts';
import { BURST_502_REQUESTS, K8S_TOPOLOGY_COMMIT, NGINX_MESSAGES, NGINX_RELEASE, OLD_CONNECTION_REQUESTS, REAL } from './constants.ts';


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
const RFC9112_CLOSE: Source = {
  label: 'RFC 9112 section 9.6: Tear-down (Connection: close)',
  url: 'https://www.rfc-editor.org/rfc/rfc9112#section-9.6',
};
const CATEGORIZE: Source = {
  label: 'k/k pkg/proxy/topology.go, CategorizeEndpoints: ready endpoints, else serving and terminating ones (commit 008b365)',
  url: `https://github.com/kubernetes/kubernetes/blob/${K8S_TOPOLOGY_COMMIT}/pkg/proxy/topology.go`,
};
const NGINX_RR: Source = {
  label: 'nginx 1.22.1 src/http/ngx_http_upstream_round_robin.c: a one-server group (peers->single) is never marked failed; several servers: "upstream server temporarily disabled" after max_fails',
  url: `https://github.com/nginx/nginx/blob/${NGINX_RELEASE}/src/http/ngx_http_upstream_round_robin.c`,
};
const NGINX_NEXT: Source = {
  label: 'nginx 1.22.1 src/http/ngx_http_upstream.c: ngx_http_upstream_test_next (a 503 moves on only if proxy_next_upstream lists http_503 and a try is left), "no live upstreams"',
  url: `https://github.com/nginx/nginx/blob/${NGINX_RELEASE}/src/http/ngx_http_upstream.c`,
};
const CONNTRACK_LOOSE: Source = {
  label: 'Linux docs: nf_conntrack sysctl, nf_conntrack_tcp_loose (on by default: already established connections are picked up)',
  url: 'https://docs.kernel.org/networking/nf_conntrack-sysctl.html',
};
/** The incident's write-up: what it reports, as opposed to what upstream code or documentation says. */
const writeUp = (what: string): Source => ({ label: `Incident write-up (reported observation): ${what}` });
const GATEWAY_MODEL: Source = {
  label: 'This repro\'s model of the incident\'s gateway (incident-gateway-health.ts), built from what the write-up reports; not stock nginx',
};
const FAIL_TIMEOUT_ASSUMED: Source = {
  label: 'Assumption: the write-up gives no duration; the repro uses nginx\'s default fail_timeout, 10 s (ngx_http_upstream_module, server)',
  url: 'https://nginx.org/en/docs/http/ngx_http_upstream_module.html#server',
};


export const claims = defineClaims('keepalive-502', {
  'old-connection-keeps-serving': {
    statement:
      `After the pod is deleted, the gateway's existing keep-alive connection keeps reaching it: at one request a second ` +
      `it serves about ${OLD_CONNECTION_REQUESTS} more requests, one for each second of the preStop sleep.`,
    expected: { kind: 'approx', value: OLD_CONNECTION_REQUESTS, tolerance: 2, unit: 'requests' },
    sources: [writeUp('after the pod was killed, the keep-alive client still reached it for 15 s'), CONNTRACK, SLICE_CONDITIONS, TERMINATION],
    method:
      'Counts the 2xx answers, after the deletion, on the pod connection that served the client before it (x-pod-conn). ' +
      'Real tier: the same count through stock nginx\'s upstream keep-alive connection and the kernel\'s NAT in kube-proxy-shaped chains. ' +
      '± 2: the deletion and the end of preStop each fall anywhere between two requests, one request of slack each.',
    tiers: ['stand-in', 'real'],
  },
  'old-connection-window': {
    statement: `Those answers keep coming until the preStop hook ends: the last one arrives about ${REAL.preStopS} s after the deletion.`,
    expected: { kind: 'approx', value: REAL.preStopS, tolerance: 2, unit: 's' },
    sources: [TERMINATION, writeUp('preStop sleeps 15 s, then calls ok.htm?down=true')],
    method:
      'Time from the deletion to the last 2xx on the old connection, in real seconds (a scaled run divides by its scale). ' +
      '± 2 s: one client interval of quantisation plus up to one interval of timer lateness on a busy machine.',
    tiers: ['stand-in', 'real'],
  },
  'broken-503-then-502': {
    statement:
      'With the incident\'s gateway (modelled: it marks its only upstream down after a 503), the client sees 200s, then a 503 ' +
      'from the halting pod, then only 502s from the gateway, then 200s again once the gateway retries the balancer and gets ' +
      'a new connection to the other pod.',
    expected: { kind: 'equals', value: [200, 503, 502, 200] },
    sources: [writeUp('the gateway logged a 503 from the LB address, then removed that address; clients got 502'), GATEWAY_MODEL],
    method: 'The client\'s statuses after the deletion, with repeats collapsed.',
  },
  'broken-502-burst': {
    statement:
      `The 502s last as long as the gateway keeps its only upstream marked down (assumed ${REAL.failTimeoutS} s): ` +
      `about ${BURST_502_REQUESTS} requests at one a second.`,
    expected: { kind: 'approx', value: BURST_502_REQUESTS, tolerance: 2, unit: 'requests' },
    sources: [GATEWAY_MODEL, FAIL_TIMEOUT_ASSUMED],
    method: 'Counts the 502s right after the first 503. ± 2: the window\'s two ends each fall between two requests.',
  },
  'every-client-502': {
    statement:
      'While the incident\'s gateway has the upstream marked down, every client gets 502 on every path: curl, fetching ' +
      '/ok.htm and /api/orders over one new connection to the gateway, gets 502 twice.',
    expected: { kind: 'equals', value: [502, 502] },
    sources: [writeUp('the gateway marked its only LB address unhealthy, and the site answered 502'), GATEWAY_MODEL],
    method: 'curl 7.88 against the running `up` topology, both URLs on one command line so curl reuses its connection.',
  },
  'fixed-no-errors': {
    statement: 'With the fix, the client sees no non-2xx response across the deletion.',
    expected: { kind: 'equals', value: 0, unit: 'non-2xx responses' },
    sources: [RFC9112_CLOSE, writeUp('fixes: Connection: close once draining; the health check no longer answers 503')],
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
    sources: [
      writeUp('sites whose gateway forwarded to pod IPs were not affected'),
      GATEWAY_MODEL,
      {
        label: 'nginx 1.22.1 src/http/ngx_http_upstream_round_robin.c: with several servers a failed one is "temporarily disabled" after max_fails; stock nginx counts a 503 as a failure only with proxy_next_upstream ... http_503 and max_fails >= 1 (what this repro\'s gateway does)',
        url: `https://github.com/nginx/nginx/blob/${NGINX_RELEASE}/src/http/ngx_http_upstream_round_robin.c`,
      },
    ],
  },
  'direct-drops-one-pod': {
    statement: 'With pod addresses as upstreams, the only upstream this repro\'s gateway marks down is the deleted pod.',
    expected: { kind: 'equals', value: ['pod-0'] },
    sources: [
      writeUp('with pod IPs, the gateway removed only the failing pod'),
      GATEWAY_MODEL,
      {
        label: 'nginx 1.22.1 src/http/ngx_http_upstream_round_robin.c: with several servers a failed one is "temporarily disabled" after max_fails; stock nginx counts a 503 as a failure only with proxy_next_upstream ... http_503 and max_fails >= 1 (what this repro\'s gateway does)',
        url: `https://github.com/nginx/nginx/blob/${NGINX_RELEASE}/src/http/ngx_http_upstream_round_robin.c`,
      },
    ],
    method: 'The upstreams the gateway reported as marked unavailable after the deletion (pod-0 is the one deleted).',
  },
  'no-new-connections-to-terminating': {
    statement:
      'While another pod is ready, new connections never reach a terminating pod: after the deletion it accepts no new ' +
      'connection except its own preStop hook call.',
    expected: { kind: 'equals', value: 0, unit: 'connections' },
    sources: [SLICE_CONDITIONS, CATEGORIZE],
    method:
      'The deleted pod reports every connection it accepts; the hook\'s call (ok.htm?down=true, made by the kubelet to the pod directly) is left out. ' +
      'Real tier: new connections to the Service address, through the kernel\'s NAT after the chains were rewritten.',
    tiers: ['stand-in', 'real'],
  },
  'single-replica-refused': {
    statement:
      'With a single replica behind a balancer that deregisters a terminating pod (the incident\'s cloud load balancer), ' +
      'the balancer has no target left once the pod is deleted, and the gateway\'s new connections are refused.',
    expected: { kind: 'equals', value: ['ECONNREFUSED'] },
    sources: [writeUp('with a single instance, the test script got "connection refused" from the LB once the pod was deleted')],
    method: 'The error codes the gateway got from its upstream after the deletion (the stand-in balancer with --policy deregister).',
  },
  'single-replica-never-recovers': {
    statement: 'Behind that balancer, with a single replica, the client sees 200s, the 503, and then 502s only, until the deletion is over.',
    expected: { kind: 'equals', value: [200, 503, 502] },
    sources: [writeUp('the only LB address was removed and the single instance was gone'), GATEWAY_MODEL],
    method: 'The client\'s statuses after the deletion, with repeats collapsed.',
  },
  'service-single-replica-new-connections': {
    statement:
      'Through a Service, a single replica keeps getting NEW connections while it terminates: with no ready endpoint, ' +
      'kube-proxy falls back to the serving, terminating one.',
    expected: { kind: 'equals', value: true },
    sources: [CATEGORIZE, SLICE_CONDITIONS],
    method:
      'Whether the deleted pod accepted new connections (besides the hook\'s) between its deletion and its exit. ' +
      'Real tier: fresh connections to the Service address, through kube-proxy-shaped chains rewritten after the deletion.',
    tiers: ['stand-in', 'real'],
  },
  'service-single-replica-not-refused': {
    statement: 'Through a Service, no connection to a single replica is refused while it terminates.',
    expected: { kind: 'equals', value: [] },
    sources: [CATEGORIZE],
    method: 'The connection errors seen between the deletion and the pod\'s exit (stand-ins: the gateway\'s; real tier: the fresh connections\').',
    tiers: ['stand-in', 'real'],
  },
  'conntrack-delete-resets': {
    statement:
      'Deleting the conntrack entry of an established keep-alive connection to the terminating pod ends that connection: ' +
      'the kernel picks the flow up again as a new entry, the nat chains now send it to the ready pod, which has no such ' +
      'connection and resets it, and the next request fails with ECONNRESET.',
    expected: { kind: 'equals', value: { nextRequest: 'ECONNRESET', newEntryTo: 'the ready pod' } },
    sources: [CONNTRACK_LOOSE, CONNTRACK],
    method:
      '`conntrack -D -p tcp --orig-port-src PORT` for a second keep-alive connection that reached the deleted pod, halfway ' +
      'through preStop; `conntrack -E` shows the flow\'s NEW entry and the pod address it was NATed to.',
    tiers: ['real'],
  },
  'nginx-stock-passes-503': {
    statement:
      'Stock nginx in the incident\'s topology (one upstream server: the Service address, with upstream keep-alive) passes ' +
      'the halting pod\'s 503 through and then reaches the ready pod on a new connection: 200s, one 503, 200s, and no 502.',
    expected: { kind: 'equals', value: [200, 503, 200] },
    sources: [NGINX_RR, NGINX_NEXT],
    method: 'The statuses the client got through nginx after the deletion, with repeats collapsed.',
    tiers: ['real'],
  },
  'nginx-one-server-never-502': {
    statement:
      'With one upstream server answering 503 on every request, stock nginx passes each 503 through and never answers 502, ' +
      'with proxy_next_upstream at its default (error timeout) and with http_503 added.',
    expected: { kind: 'equals', value: { 'error timeout': [503], 'error timeout http_503': [503] } },
    sources: [NGINX_RR, NGINX_NEXT],
    method: 'A single replica being deleted, through a Service: the statuses through each nginx server block from the first 503 to the pod\'s exit, repeats collapsed.',
    tiers: ['real'],
  },
  'nginx-two-servers-burst': {
    statement:
      'nginx produces the incident\'s burst only with two or more servers, proxy_next_upstream error timeout http_503 and ' +
      'max_fails=1: when every server answers 503, the client gets a 503, then only 502s for fail_timeout.',
    expected: { kind: 'equals', value: [503, 502] },
    sources: [NGINX_RR, NGINX_NEXT],
    method: 'The same single replica, the Service listed under two addresses as two servers: statuses from the first 503 until fail_timeout later, repeats collapsed.',
    tiers: ['real'],
  },
  'nginx-burst-error-log': {
    statement:
      `nginx's error log names the burst: "${NGINX_MESSAGES[1]}", then "${NGINX_MESSAGES[0]}"; with one server neither line appears.`,
    expected: {
      kind: 'equals',
      value: {
        'one server': [],
        'two servers': [...NGINX_MESSAGES],
      },
    },
    sources: [NGINX_RR, NGINX_NEXT],
    method: 'Which of the two messages each server block\'s own error log contains after the run.',
    tiers: ['real'],
  },
});
