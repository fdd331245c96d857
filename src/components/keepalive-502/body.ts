// The values and parts of the keepalive-502 incident page (content/incidents/keepalive-502.md), which
// names them with :v[name] and ::part{#name} (src/lib/directives.ts, src/lib/body.ts). Numbers and
// messages come from the repro, so the page follows its code; listed in the order the page uses them.
import { part, type Body } from '../../lib/body.ts';
import { BURST_502_REQUESTS, claims, NGINX_MESSAGES, OLD_CONNECTION_REQUESTS, REAL } from '../../../repros/keepalive-502/page.ts';
import Topology from './Topology.astro';
import TimelineChart from './TimelineChart.astro';
import CodeBlock from '../CodeBlock.astro';
import broken from '../../../repros/keepalive-502/recordings/broken.json';
import fixed from '../../../repros/keepalive-502/recordings/fixed.json';
import direct from '../../../repros/keepalive-502/recordings/direct.json';
import healthPoll from '../../../repros/keepalive-502/snippets/health-poll.py?raw';
import styles from './parts.css?inline';

// The claim's expectation is typed as any kind of expectation; the page quotes its tolerance, which only a
// measurement ('approx') has.
const oldConnectionExpected = claims['old-connection-keeps-serving'].expected;
if (oldConnectionExpected.kind !== 'approx') throw new Error(`keepalive-502 body: claim old-connection-keeps-serving is expected to be 'approx' (the page quotes its tolerance), not '${oldConnectionExpected.kind}'`);

export const body: Body = {
  values: {
    // Impact and Timeline: the gateway's fail_timeout, the burst it makes, the preStop sleep, the grace period.
    failTimeoutS: REAL.failTimeoutS,
    burst502Requests: BURST_502_REQUESTS,
    preStopS: REAL.preStopS,
    graceS: REAL.graceS,
    // Detection: the nginx error-log lines to grep for.
    nginxServerDisabledMessage: NGINX_MESSAGES[1],
    nginxNoLiveUpstreamsMessage: NGINX_MESSAGES[0],
    // Reproduce: what the broken run's old connection carried, against what the claim expects.
    brokenOldConnectionRequests: broken.observations.oldConnection.requestsAfterDeletion,
    oldConnectionRequests: OLD_CONNECTION_REQUESTS,
    oldConnectionTolerance: oldConnectionExpected.tolerance,
  },
  parts: {
    topology: part(Topology, {}),
    'timeline-broken': part(TimelineChart, { recording: broken, title: 'Broken: gateway to one load balancer address, pod-0 deleted.' }),
    'timeline-fixed': part(TimelineChart, { recording: fixed, title: 'Fixed: Connection: close while draining, pod-0 deleted.' }),
    'timeline-direct': part(TimelineChart, { recording: direct, title: 'Direct: gateway to pod addresses, pod-0 deleted.' }),
    'health-poll': part(CodeBlock, { code: healthPoll, lang: 'python' }),
  },
  styles,
};
