// The live keepalive-502 run as a chart, from the same geometry as the recordings' chart
// (src/components/keepalive-502/chart.ts and TimelineChart.astro).
import { chartOf, KIND_LABEL, type Chart, type Kind, type Recording } from '../components/keepalive-502/chart.ts';
import type { LiveReport } from '../../repros/lib/live/api.ts';
import { h, s, text } from './live-dom.ts';

function mark(kind: Kind, x: number, y: number, title?: string): SVGElement {
  const cls = `pt ${kind}`;
  if (kind === 'ok') return s('circle', { class: cls, cx: x, cy: y, r: 4 }, title);
  if (kind === 'halting') return s('rect', { class: cls, x: x - 5, y: y - 5, width: 10, height: 10, transform: `rotate(45 ${x} ${y})` }, title);
  if (kind === 'gateway') return s('rect', { class: cls, x: x - 4, y: y - 4, width: 8, height: 8 }, title);
  return s('path', { class: cls, d: `M${x - 4} ${y - 4}L${x + 4} ${y + 4}M${x + 4} ${y - 4}L${x - 4} ${y + 4}` }, title);
}

/** The keep-alive chart, drawn from the same geometry as the recordings' TimelineChart.astro. */
export function chart(r: LiveReport): Element | undefined {
  const o = r.observations as Partial<Recording['observations']>;
  if (!Array.isArray(o.timeline) || !o.marks) return undefined;
  const c: Chart = chartOf(r as unknown as Recording);
  const svg = s('svg', { viewBox: `0 0 ${c.width} ${c.height}`, role: 'img', 'aria-label': `Requests of the live ${r.scenario} run by status, lane and time` });
  for (const b of c.bands) svg.append(s('rect', { class: 'band', x: b.x1, y: c.plot.top, width: Math.max(1, b.x2 - b.x1), height: c.plot.bottom - c.plot.top }, b.label));
  for (const l of c.lanes) svg.append(s('line', { class: 'lane', x1: c.plot.left, x2: c.plot.right, y1: l.y, y2: l.y }), text(c.plot.left - 8, l.y + 4, l.label, 'lbl', 'end'));
  c.markers.forEach((m, i) => {
    const right = m.x > c.width * 0.7;
    svg.append(s('line', { class: 'marker', x1: m.x, x2: m.x, y1: 12 + 12 * i, y2: c.plot.bottom }), text(right ? m.x - 3 : m.x + 3, 12 + 12 * i, m.label, 'lbl', right ? 'end' : 'start'));
  });
  for (const p of c.points) svg.append(mark(p.kind, p.x, p.y, p.label));
  svg.append(s('line', { class: 'axis', x1: c.plot.left, x2: c.plot.right, y1: c.plot.bottom, y2: c.plot.bottom }));
  for (const t of c.ticks) svg.append(text(t.x, c.plot.bottom + 16, t.label, 'lbl', 'middle'));
  svg.append(text((c.plot.left + c.plot.right) / 2, c.plot.bottom + 34, 'seconds since the pod was deleted (real seconds)', 'lbl', 'middle'));
  const kinds = [...new Set(c.points.map((p) => p.kind))];
  const legend = h('ul', { class: 'live-legend' }, ...kinds.map((k) => {
    const icon = s('svg', { viewBox: '-6 -6 12 12', width: 12, height: 12, 'aria-hidden': 'true' });
    icon.append(mark(k, 0, 0));
    return h('li', {}, icon, ` ${KIND_LABEL[k]}`);
  }));
  const statuses = (o.timeline as { s: number; status: number }[]).filter((e) => e.s >= 0).map((e) => e.status || 'no answer');
  const counts = [...new Set(statuses)].map((st) => `${statuses.filter((x) => x === st).length} × ${st}`).join(', ');
  return h('figure', {}, h('div', { class: 'live-scroll' }, svg), legend, h('figcaption', { 'data-testid': 'live-statuses' }, `After the deletion: ${counts}.`));
}

