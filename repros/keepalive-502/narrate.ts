// One human line per event, for the live narration of a run. Pure: the scenario decides where lines go.
import type { AnyEvent } from './events.ts';

export interface NarrateOptions {
  /** Time origin (ms, events' clock). */
  origin: number;
  /** Also narrate each pod response and each gateway 502 (for `up`, where the client is not ours). */
  verbose: boolean;
}

function at(t: number, origin: number): string {
  return `${((t - origin) / 1000).toFixed(2).padStart(7)} s`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function describe(e: AnyEvent, o: NarrateOptions): string | undefined {
  const ts = at(e.t, o.origin);
  switch (e.proc) {
    case 'client':
      if (e.ev !== 'response') return undefined;
      if (e.status === 0) return `${ts}  ---  request failed: ${e.error ?? '?'}`;
      return e.pod
        ? `${ts}  ${e.status}  ${e.pod.padEnd(6)} conn ${(e.podConn ?? '?').padEnd(11)} gateway conn ${e.gatewayConn ?? '?'}`
        : `${ts}  ${e.status}  gateway answered itself (no pod)        gateway conn ${e.gatewayConn ?? '?'}`;
    case 'pod-deletion':
      if (e.ev === 'terminate') return `${ts}  kubectl delete pod ${e.pod}: endpoint marked terminating, preStop hook started`;
      if (e.ev === 'prestop-done') return `${ts}  preStop: GET /ok.htm?down=true on ${e.pod} -> ${e.status}; the app is draining`;
      if (e.ev === 'signal') return `${ts}  kubelet: ${e.signal} to ${e.pod}${e.signal === 'SIGKILL' ? ' (grace period over)' : ''}`;
      return undefined;
    case 'l4-balancer':
      if (e.ev === 'conn') return `${ts}  l4-balancer: new connection #${e.id} -> ${e.endpoint}`;
      if (e.ev === 'endpoint') return `${ts}  l4-balancer: endpoint ${e.name} ${e.state}`;
      if (e.ev === 'refusing') return `${ts}  l4-balancer: no endpoint left for new connections, they are refused`;
      return undefined;
    case 'gateway':
      if (e.ev === 'upstream-down') {
        return `${ts}  gateway: upstream ${e.upstream} failed (${e.reason}), marked unavailable for ${((e.untilT - e.t) / 1000).toFixed(2)} s`;
      }
      if (e.ev === 'upstream-error') return `${ts}  gateway: upstream ${e.upstream}: ${e.code}${e.reused ? ' on a reused connection' : ''}`;
      if (e.ev === 'no-live-upstreams' && o.verbose) return `${ts}  gateway: no live upstreams -> 502 (client conn ${e.clientConn})`;
      return undefined;
    case 'pod':
      if (e.ev === 'draining') return `${ts}  ${e.name}: draining`;
      if (e.ev === 'conn-close' && e.responsesWhileDraining > 0 && !e.hook) {
        return `${ts}  ${e.name}: connection ${e.conn} closed by ${e.by} after ${plural(e.responses, 'response')}, ${e.responsesWhileDraining} of them while draining`;
      }
      if (e.ev === 'response' && o.verbose) return `${ts}  ${e.name}: ${e.path} -> ${e.status} on ${e.conn}${e.close ? ' (Connection: close)' : ''}`;
      return undefined;
  }
}
