// Geometry of the node timeline chart, computed at build time from the model's own output
// (repros/containerd-stopped/node-simulation.ts): one lane per thing an on-call engineer looks at,
// each a row of segments coloured by state, and markers for the actions that change them.
import type { SimulationResult, TimelinePoint } from '../../../repros/containerd-stopped/page.ts';

export type Tone = 'good' | 'warn' | 'bad' | 'neutral';

export interface Segment {
  x1: number;
  x2: number;
  y: number;
  h: number;
  tone: Tone;
  label: string;
  /** For the tooltip: the state and the time range in seconds. */
  title: string;
}

export interface Marker {
  x: number;
  y: number;
  label: string;
  anchor: 'start' | 'end';
}

export interface TimelineChart {
  width: number;
  height: number;
  plot: { left: number; right: number; top: number; bottom: number };
  lanes: { label: string; y: number }[];
  segments: Segment[];
  ticks: { x: number; label: string }[];
  markers: Marker[];
}

interface Lane {
  label: string;
  value(p: TimelinePoint): string;
  tone(v: string): Tone;
}

const LANES: Lane[] = [
  {
    label: 'kubelet',
    value: (p) => p.kubelet,
    tone: (v) => (v === 'running' ? 'good' : v === 'stopped' ? 'bad' : 'warn'),
  },
  {
    label: 'node Ready',
    value: (p) => p.nodeReady,
    tone: (v) => (v === 'True' ? 'good' : v === 'False' ? 'warn' : 'bad'),
  },
  {
    label: 'pod Ready',
    value: (p) => (p.podReady ? 'True' : 'False'),
    tone: (v) => (v === 'True' ? 'good' : 'bad'),
  },
  {
    label: 'endpoint',
    value: (p) => p.endpoint,
    tone: (v) => (v === 'ready' ? 'good' : v.startsWith('terminating') ? 'warn' : 'neutral'),
  },
  {
    label: 'new connections',
    value: (p) => p.newConnections,
    tone: (v) => (v === 'yes' ? 'good' : v === 'no' ? 'neutral' : 'warn'),
  },
  {
    label: 'DaemonSet pod',
    value: (p) => `${p.daemonPodReady ? 'Ready' : 'not Ready'}, endpoint ${p.daemonEndpoint}`,
    tone: (v) => (v === 'Ready, endpoint ready' ? 'good' : 'warn'),
  },
  {
    label: 'NoExecute taint',
    value: (p) => p.taints.filter((t) => t.endsWith(':NoExecute')).map((t) => t.replace(':NoExecute', '')).join(', ') || 'none',
    tone: (v) => (v === 'none' ? 'neutral' : 'warn'),
  },
];

/** Actions worth a marker on the chart, and the short label they get. */
function markerLabel(actor: string, text: string): string | undefined {
  if (actor === 'operator') {
    if (text.startsWith('kubectl delete pod')) return 'pod deleted';
    return text.startsWith('systemctl stop containerd') ? 'containerd stopped' : 'kubelet stopped';
  }
  if (text.startsWith('MarkPodsNotReady')) return 'MarkPodsNotReady';
  if (text.startsWith('deleted pod')) return 'pod evicted';
  return undefined;
}

export function timelineChart(r: SimulationResult, width = 760): TimelineChart {
  const markerRows = 2;
  const plot = { left: 118, right: width - 16, top: 14 + markerRows * 13, bottom: 0 };
  const laneH = 26;
  const gap = 8;
  plot.bottom = plot.top + LANES.length * (laneH + gap);
  const height = plot.bottom + 40;
  const x = (ms: number): number => plot.left + (ms / r.durationMs) * (plot.right - plot.left);

  const segments: Segment[] = [];
  const lanes = LANES.map((lane, i) => {
    const y = plot.top + i * (laneH + gap) + gap / 2;
    let start = 0;
    let value = lane.value(r.points[0] as TimelinePoint);
    const close = (end: number): void => {
      segments.push({
        x1: x(start),
        x2: x(end),
        y,
        h: laneH,
        tone: lane.tone(value),
        label: value,
        title: `${lane.label}: ${value}, ${Math.round(start / 1000)}-${Math.round(end / 1000)} s`,
      });
    };
    for (const p of r.points.slice(1)) {
      const v = lane.value(p);
      if (v === value) continue;
      close(p.t);
      start = p.t;
      value = v;
    }
    close(r.durationMs);
    return { label: lane.label, y: y + laneH / 2 };
  });

  const ticks: { x: number; label: string }[] = [];
  for (let s = 0; s * 1000 <= r.durationMs; s += 60) ticks.push({ x: x(s * 1000), label: `${s}` });

  const markers: Marker[] = [];
  for (const e of r.events) {
    const label = markerLabel(e.actor, e.text);
    if (!label) continue;
    const mx = x(e.at);
    const row = markers.filter((m) => Math.abs(m.x - mx) < 120).length % markerRows;
    markers.push({ x: mx, y: 11 + row * 13, label: `${label} ${Math.round(e.at / 1000)} s`, anchor: mx > width * 0.75 ? 'end' : 'start' });
  }
  return { width, height, plot, lanes, segments, ticks, markers };
}
