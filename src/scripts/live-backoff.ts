// The live crashloop-backoff chaos run: its measured restarts drawn by the back-off calculator's
// renderer (src/components/crashloop-backoff/calc-view.ts), and each wait next to the model's.
import { secs, timelineSvg } from '../components/crashloop-backoff/calc-view.ts';
import type { Schedule } from '../../repros/crashloop-backoff/kubelet-backoff.ts';
import type { LiveReport } from '../../repros/lib/live/api.ts';
import { h } from './live-dom.ts';

interface MeasuredRestart { restart: number; exitedAt: number; restartedAt: number; backoffSeconds: number; ranSeconds: number; modelBackoffSeconds: number; deviationMs: number }

/** The back-off timeline of a chaos run, drawn by the calculator's renderer from the measured restarts. */
export function chart(r: LiveReport): Element | undefined {
  const o = r.observations as { mode?: string; restarts?: MeasuredRestart[]; firstAtCap?: number | null; kubelet?: Schedule['kubelet'] };
  if (o.mode !== 'real' || !Array.isArray(o.restarts) || !o.kubelet) return undefined;
  const spans: Schedule['spans'] = [];
  let from = 0;
  for (const x of o.restarts) {
    spans.push({ kind: 'running', from, to: x.exitedAt }, { kind: 'backoff', from: x.exitedAt, to: x.restartedAt });
    from = x.restartedAt;
  }
  const windowEnd = from || 1;
  const running = spans.filter((p) => p.kind === 'running').reduce((a, p) => a + p.to - p.from, 0);
  const sched = { kubelet: o.kubelet, restarts: o.restarts, spans, windowEnd, firstAtCap: o.firstAtCap ?? null, availability: running / windowEnd } as unknown as Schedule;
  const fig = h('figure', {});
  fig.innerHTML = timelineSvg(sched, 'live-clb-title');
  const rows = o.restarts.map((x) => h('tr', {},
    h('th', { scope: 'row' }, String(x.restart)), h('td', { 'data-wait': secs(x.backoffSeconds) }, `${secs(x.backoffSeconds)} s`),
    h('td', { 'data-model': secs(x.modelBackoffSeconds) }, `${secs(x.modelBackoffSeconds)} s`), h('td', {}, `${x.deviationMs.toFixed(1)} ms`)));
  const table = h('table', { 'data-testid': 'live-waits' },
    h('caption', {}, 'Each wait before a restart (run time, s) next to the kubelet back-off model; difference in wall-clock ms'),
    h('thead', {}, h('tr', {}, ...['Restart', 'Waited', 'Model', '|Difference|'].map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, ...rows));
  fig.append(h('div', { class: 'live-scroll' }, table));
  return fig;
}

