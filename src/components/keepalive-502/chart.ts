// Geometry of the per-request timeline chart, computed at build time from a recorded run
// (repros/keepalive-502/recordings/*.json). One lane per connection that answered (pod and pod
// connection), plus a lane for the answers the gateway made itself; each request is one mark.
import type { Marks, TimelineEntry } from '../../../repros/keepalive-502/page.ts';

/** The part of a `--json` report the chart reads. */
export interface Recording {
  scenario: string;
  scale: number;
  startedAt: string;
  observations: { timeline: TimelineEntry[]; marks: Marks; deletedPod: string; topology: string };
}

export type Kind = 'ok' | 'halting' | 'gateway' | 'failed' | 'other';

export interface Point {
  x: number;
  y: number;
  kind: Kind;
  label: string;
}

export interface Chart {
  width: number;
  height: number;
  plot: { left: number; right: number; top: number; bottom: number };
  lanes: { label: string; y: number }[];
  points: Point[];
  ticks: { x: number; label: string }[];
  markers: { x: number; label: string }[];
  bands: { x1: number; x2: number; label: string }[];
}

export function kindOf(e: TimelineEntry): Kind {
  if (e.status === 0) return 'failed';
  if (e.status >= 200 && e.status < 300) return 'ok';
  if (e.status === 503) return 'halting';
  if (e.status === 502 && e.pod === null) return 'gateway';
  return 'other';
}

export const KIND_LABEL: Record<Kind, string> = {
  ok: '2xx from a pod',
  halting: '503 "halting" from the draining pod',
  gateway: '502 from the gateway (no live upstream)',
  failed: 'request failed',
  other: 'other status',
};

function laneOf(e: TimelineEntry): string {
  if (e.conn) {
    const [pod, conn] = e.conn.split('/');
    return `${pod}, connection ${conn}`;
  }
  return e.status === 0 ? 'no answer' : 'gateway itself';
}

export function chartOf(rec: Recording, width = 760): Chart {
  const tl = rec.observations.timeline;
  const laneNames: string[] = [];
  for (const e of tl) if (!laneNames.includes(laneOf(e))) laneNames.push(laneOf(e));
  const laneGap = 34;
  const plot = { left: 150, right: width - 16, top: 40, bottom: 40 + laneGap * laneNames.length };
  const height = plot.bottom + 44;
  const xMin = Math.floor(Math.min(0, ...tl.map((e) => e.s)));
  const xMax = Math.ceil(Math.max(1, ...tl.map((e) => e.s)));
  const x = (s: number): number => plot.left + ((s - xMin) / (xMax - xMin)) * (plot.right - plot.left);
  const laneY = (name: string): number => plot.top + laneGap * (laneNames.indexOf(name) + 0.5);
  const step = xMax - xMin > 20 ? 5 : xMax - xMin > 8 ? 2 : 1;
  const ticks: Chart['ticks'] = [];
  for (let s = Math.ceil(xMin / step) * step; s <= xMax; s += step) ticks.push({ x: x(s), label: `${s}` });
  const m = rec.observations.marks;
  const markers: Chart['markers'] = [{ x: x(0), label: `kubectl delete pod ${rec.observations.deletedPod}` }];
  if (m.preStopDone !== null) markers.push({ x: x(m.preStopDone), label: 'preStop ends: ok.htm?down=true' });
  if (m.sigkill !== null) markers.push({ x: x(m.sigkill), label: 'grace period over: SIGKILL' });
  return {
    width,
    height,
    plot,
    lanes: laneNames.map((label) => ({ label, y: laneY(label) })),
    points: tl.map((e) => ({
      x: x(e.s),
      y: laneY(laneOf(e)),
      kind: kindOf(e),
      label: `${e.s.toFixed(2)} s: ${e.status || e.error || 'no answer'}${e.pod ? ` from ${e.pod} on ${e.conn ?? '?'}` : ''}`,
    })),
    ticks,
    markers,
    bands: m.upstreamDown.map((b) => ({ x1: x(b.from), x2: x(Math.min(b.until, xMax)), label: `gateway: ${b.upstream} marked down` })),
  };
}
