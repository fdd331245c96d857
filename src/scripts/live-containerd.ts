// The live containerd-stopped pipe-hang run: how much log the app wrote after the copier stopped,
// against the undrained chain (app pipe + shim buffer + FIFO) and the predicted hang point, all from
// the page-slot arithmetic the claims use (repros/containerd-stopped/pipe-math.ts).
import { chainCeilingBytes, predictedRequestsBeforeHang, SHIM_BUFFER_BYTES } from '../../repros/containerd-stopped/pipe-math.ts';
import type { PipeHangObservations } from '../../repros/containerd-stopped/checks.ts';
import type { LiveReport } from '../../repros/lib/live/api.ts';
import { h, s, text } from './live-dom.ts';

const n = (x: number): string => x.toLocaleString('en-US');

export function chart(r: LiveReport): Element | undefined {
  const o = r.observations as Partial<PipeHangObservations>;
  if (typeof o.bytesAfterStop !== 'number' || !o.appPipeBytes || !o.fifoBytes || !o.lineBytes) return undefined;
  const ceiling = chainCeilingBytes(o.appPipeBytes, o.fifoBytes);
  const predicted = predictedRequestsBeforeHang(o.lineBytes, o.appPipeBytes, o.fifoBytes);
  const W = 760;
  const L = 10;
  const R = W - 10;
  const x = (b: number): number => L + ((R - L) * Math.min(b, ceiling)) / ceiling;
  const svg = s('svg', { viewBox: `0 0 ${W} 96`, role: 'img', 'aria-label': `Log bytes written after containerd stopped: ${n(o.bytesAfterStop)} of an undrained chain of ${n(ceiling)} bytes` });
  const stages: [string, number][] = [['app pipe', o.appPipeBytes], ['shim buffer', SHIM_BUFFER_BYTES], ['FIFO', o.fifoBytes]];
  let at = 0;
  for (const [label, bytes] of stages) {
    svg.append(s('rect', { class: 'stage', x: x(at), y: 26, width: x(at + bytes) - x(at), height: 26 }, `${label}: ${n(bytes)} bytes`));
    if (bytes > ceiling / 8) svg.append(text(x(at) + 4, 20, `${label} ${n(bytes)} B`, 'lbl'));
    at += bytes;
  }
  svg.append(s('rect', { class: 'fill', x: L, y: 32, width: x(o.bytesAfterStop) - L, height: 14 }, `written after the stop: ${n(o.bytesAfterStop)} bytes`));
  svg.append(text(L, 88, `written after the stop: ${n(o.bytesAfterStop)} B of ${n(ceiling)} B undrained`, 'lbl'));
  const px = x(predicted * o.lineBytes);
  svg.append(s('line', { class: 'marker', x1: px, x2: px, y1: 22, y2: 60 }), text(px, 72, `predicted hang: ${n(predicted)} requests`, 'lbl', px > W * 0.7 ? 'end' : 'middle'));
  const fig = h('figure', {}, h('div', { class: 'live-scroll' }, svg));
  fig.append(h('figcaption', { 'data-testid': 'live-hang' },
    `After containerd stopped the app answered ${n(o.requestsAfterStop ?? 0)} requests (${n(o.bytesAfterStop)} bytes of log; predicted ${n(predicted)}), then hung` +
    `${o.wchan ? ` in ${o.wchan}` : ''}. When containerd came back, ${o.waitingAnswered ?? 0} of ${o.waitingRequests ?? 0} waiting requests were answered ${n(o.recoveryMs ?? 0)} ms later.`));
  return fig;
}
