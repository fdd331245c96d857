// keepalive-502: 502s from a gateway while a pod terminates behind a load balancer, because the
// gateway's keep-alive connection keeps reaching the terminating pod.
// This module describes the repro; its scenarios and components load on first run (lazy), so the
// registry and the site read it without loading process or socket code.
import { lazy, type FlagSpec, type Repro } from '../lib/repro.ts';
import { DEFAULT_POD_NAME } from './children.ts';
import { claims } from './claims.ts';
import { SOURCE_FILES } from './page.ts';
import { POLICIES } from './endpoints.ts';
import { OK_PAGE } from './graceful-shutdown.ts';
import { REAL } from './constants.ts';
import { HOST } from '../lib/address.ts';

// Defaults that chain the parts started alone on fixed ports:
//   pod --port 8081  <-  l4-balancer --port 9000  <-  incident-gateway --port 8080  <-  client
export const COMPONENT_DEFAULTS = {
  endpoints: `pod-0=${HOST}:8081`,
  upstreams: `lb=${HOST}:9000`,
  target: `http://${HOST}:8080${OK_PAGE}`,
} as const;

const FLAGS: readonly FlagSpec[] = [
  { name: 'fix', type: 'boolean', description: 'up, pod: the fixed app (Connection: close while draining, ok page stays 200)' },
  { name: 'direct', type: 'boolean', description: 'up: gateway upstreams are the pod addresses, no balancer' },
  { name: 'policy', type: 'string', choices: POLICIES, description: 'up, l4-balancer: new connections to ready pods only (deregister: the incident\'s cloud LB) or as a Service (kube-proxy: terminating pods when none is ready)', default: 'deregister' },
  { name: 'replicas', type: 'number', description: 'up: number of pods', default: '2', min: 1, max: 5 },
  { name: 'name', type: 'string', description: 'pod: the pod name in x-pod', default: DEFAULT_POD_NAME },
  { name: 'endpoints', type: 'list', description: `l4-balancer: pod addresses, name=${HOST}:port or ${HOST}:port`, default: COMPONENT_DEFAULTS.endpoints },
  { name: 'upstreams', type: 'list', description: `gateway: upstream addresses, name=${HOST}:port (the balancer, or the pods)`, default: COMPONENT_DEFAULTS.upstreams },
  { name: 'target', type: 'string', description: 'client: URL to request', default: COMPONENT_DEFAULTS.target },
];

/** What the real tier needs: it runs in a user and network namespace of its own, so no root. */
export const REAL_TOOLS = ['nginx', 'iptables', 'conntrack', 'ip', 'unshare'] as const;
const REAL_TIER = {
  broken: {
    description: 'nginx (stock) -> kube-proxy-shaped iptables NAT -> 2 pods in a network namespace; conntrack -D of an old flow',
    tools: REAL_TOOLS,
    root: false,
  },
  'single-replica-service': {
    description: 'nginx in three configurations -> kube-proxy-shaped NAT -> 1 terminating pod, in a network namespace',
    tools: REAL_TOOLS,
    root: false,
  },
} as const;

const scenarios = () => import('./scenarios.ts');
const realScenarios = () => import('./real/scenarios.ts');
const components = () => import('./components.ts');

export const repro: Repro = {
  slug: 'keepalive-502',
  title: '502s during pod termination behind a load balancer with HTTP keep-alive',
  description: 'Deleting a pod: the gateway\'s keep-alive connection through the balancer reaches the terminating pod; the incident\'s gateway marks its only upstream down on a 503, 502s follow.',
  defaultScenario: 'broken',
  scenarios: {
    broken: {
      description: 'the incident\'s gateway -> l4-balancer -> 2 pods; delete the pod the client is on: 200s for the preStop time, a 503, then 502s',
      run: lazy(scenarios, (m) => (ctx) => m.runDeletion(ctx, 'broken')),
      real: { ...REAL_TIER.broken, run: lazy(realScenarios, (m) => m.realBroken) },
    },
    'single-replica': {
      description: 'as broken with one pod behind a balancer that deregisters it (the cloud LB): new connections refused, 502s until the end',
      run: lazy(scenarios, (m) => (ctx) => m.runDeletion(ctx, 'single-replica')),
    },
    'single-replica-service': {
      description: 'one pod behind a Service (kube-proxy policy): the terminating pod keeps getting new connections, none refused',
      run: lazy(scenarios, (m) => (ctx) => m.runDeletion(ctx, 'single-replica-service')),
      real: { ...REAL_TIER['single-replica-service'], run: lazy(realScenarios, (m) => m.realSingleReplicaService) },
    },
    fixed: {
      description: 'as broken with the fixed app (Connection: close while draining, ok page stays 200): no non-2xx',
      run: lazy(scenarios, (m) => (ctx) => m.runDeletion(ctx, 'fixed')),
    },
    direct: {
      description: 'gateway -> pod addresses, no balancer: only the deleted pod is marked down, no 502',
      run: lazy(scenarios, (m) => (ctx) => m.runDeletion(ctx, 'direct')),
    },
    up: {
      description: 'start the topology and keep it running for your own client (--fix, --direct, --replicas apply)',
      run: lazy(scenarios, (m) => m.runUp),
    },
  },
  components: {
    pod: { description: 'the app alone (--name, --fix): GET /ok.htm, /ok.htm?down=true, any other path', start: lazy(components, (m) => m.startPod) },
    'l4-balancer': { description: `the TCP balancer alone (--endpoints, default pod-0=${HOST}:8081; --policy)`, start: lazy(components, (m) => m.startBalancer) },
    'incident-gateway': {
      description: `the incident's gateway alone, as modelled (marks even its only upstream down after a 503; --upstreams, default lb=${HOST}:9000)`,
      start: lazy(components, (m) => m.startGateway),
    },
    client: {
      description: `the incident's client alone (--target, default ${COMPONENT_DEFAULTS.target}): one keep-alive session, one request a second`,
      start: lazy(components, (m) => m.startClient),
    },
  },
  flags: FLAGS,
  claims,
  sourceFiles: SOURCE_FILES,
  expectedOutput: [
    'A per-request timeline: time, status, pod, connection.',
    `200s from the deleted pod on its old connection for about ${REAL.preStopS} s,`,
    `one 503, about ${REAL.failTimeoutS} s of 502s from the gateway,`,
    'then 200s from the other pod; then the claims, PASS or FAIL.',
  ].join('\n'),
};
