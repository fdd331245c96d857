// The "Run it here" panel (src/components/RunIt.astro), loaded by live-boot.ts only on pages served
// by the project's own server. It asks that server to run one scenario of the page's repro
// (repros/lib/live/api.ts), streams the run's narration, and draws what the run observed: the
// keep-alive timeline with the recordings' chart geometry (keepalive-502/chart.ts), the back-off
// timeline with the calculator's renderer (crashloop-backoff/calc-view.ts), and the claims checked,
// each with PASS or FAIL next to its documented expectation.
import { chartOf, KIND_LABEL, type Chart, type Kind, type Recording } from '../components/keepalive-502/chart.ts';
import { secs, timelineSvg } from '../components/crashloop-backoff/calc-view.ts';
import type { Schedule } from '../../repros/crashloop-backoff/kubelet-backoff.ts';
import type { LiveEvent, LiveReport } from '../../repros/lib/live/api.ts';

const SVG = 'http://www.w3.org/2000/svg';
const MAX_LOG_LINES = 3000;

function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...kids: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...kids);
  return e;
}

function s(tag: string, attrs: Record<string, string | number>, title?: string): SVGElement {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (title) {
    const t = document.createElementNS(SVG, 'title');
    t.textContent = title;
    e.append(t);
  }
  return e;
}

function text(x: number, y: number, label: string, cls: string, anchor = 'start'): SVGElement {
  const t = s('text', { x, y, class: cls, 'text-anchor': anchor });
  t.textContent = label;
  return t;
}

function mark(kind: Kind, x: number, y: number, title?: string): SVGElement {
  const cls = `pt ${kind}`;
  if (kind === 'ok') return s('circle', { class: cls, cx: x, cy: y, r: 4 }, title);
  if (kind === 'halting') return s('rect', { class: cls, x: x - 5, y: y - 5, width: 10, height: 10, transform: `rotate(45 ${x} ${y})` }, title);
  if (kind === 'gateway') return s('rect', { class: cls, x: x - 4, y: y - 4, width: 8, height: 8 }, title);
  return s('path', { class: cls, d: `M${x - 4} ${y - 4}L${x + 4} ${y + 4}M${x + 4} ${y - 4}L${x - 4} ${y + 4}` }, title);
}

/** The keep-alive chart, drawn from the same geometry as the recordings' TimelineChart.astro. */
function keepaliveChart(r: LiveReport): Element | undefined {
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
  return h('figure', {}, svg, legend, h('figcaption', { 'data-testid': 'live-statuses' }, `After the deletion: ${counts}.`));
}

interface MeasuredRestart { restart: number; exitedAt: number; restartedAt: number; backoffSeconds: number; ranSeconds: number; modelBackoffSeconds: number; deviationMs: number }

/** The back-off timeline of a chaos run, drawn by the calculator's renderer from the measured restarts. */
function backoffChart(r: LiveReport): Element | undefined {
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

function claimsTable(r: LiveReport): HTMLElement {
  const rows = r.results.map((x) => h('tr', { 'data-claim': x.id, 'data-result': x.pass ? 'PASS' : 'FAIL' },
    h('td', {}, h('a', { href: `#claim-${x.id}` }, String(x.n))),
    h('td', {}, x.statement),
    h('td', {}, x.expected),
    h('td', {}, x.detail.replace(/^.*, observed /, '')),
    h('td', {}, h('strong', { class: x.pass ? 'ok' : 'bad' }, x.pass ? 'PASS' : 'FAIL'))));
  const failed = r.results.filter((x) => !x.pass).length;
  return h('div', { class: 'live-scroll' }, h('table', { 'data-testid': 'live-claims' },
    h('caption', {}, `Claims checked by this run: ${r.results.length - failed} passed, ${failed} failed (${r.scenario}, ${r.tier}, scale ${r.scale}, ${(r.durationMs / 1000).toFixed(1)} s)`),
    h('thead', {}, h('tr', {}, ...['#', 'Claim', 'Documented', 'Observed', 'Result'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...rows)));
}

export function mount(panel: HTMLElement, token: string, api: string): void {
  const slug = panel.dataset.live ?? '';
  const scenarios = JSON.parse(panel.dataset.scenarios ?? '[]') as [string, number][];
  const scales = JSON.parse(panel.dataset.scales ?? '[1]') as number[];
  const id = (x: string): string => `live-${slug}-${x}`;
  const scenario = h('select', { id: id('scenario'), name: 'scenario' }, ...scenarios.map(([n]) => h('option', { value: n }, n)));
  const tier = h('select', { id: id('tier'), name: 'tier' }, h('option', { value: 'stand-in' }, 'stand-ins'), h('option', { value: 'real' }, 'real components'));
  const scale = h('select', { id: id('scale'), name: 'scale' }, ...scales.map((x) => h('option', { value: String(x) }, x === 1 ? '1 (real time)' : `${x} (${Math.round(1 / x)}× faster)`)));
  scale.value = panel.dataset.scale ?? '1';
  const run = h('button', { type: 'submit' }, 'Run');
  const stop = h('button', { type: 'button', disabled: '' }, 'Stop');
  const field = (label: string, el: HTMLElement): HTMLElement => h('div', {}, h('label', { for: el.id }, label), ' ', el);
  const form = h('form', { class: 'live-form' }, field('Scenario', scenario), field('Tier', tier), field('Time scale', scale), h('div', {}, run, ' ', stop));
  const status = h('p', { role: 'status', 'data-testid': 'live-status' });
  const log = h('pre', { class: 'live-log', tabindex: '0', 'aria-label': 'Narration of the run', 'data-testid': 'live-log', hidden: '' });
  const out = h('div', { 'data-testid': 'live-out' });
  panel.querySelector('.live-off')?.remove();
  panel.append(h('p', {}, 'Runs the repro on this machine, through the server that serves this page (127.0.0.1 only).'), form, status, log, out);

  const syncTier = (): void => {
    const real = scenarios.find(([n]) => n === scenario.value)?.[1] === 1;
    (tier.options[1] as HTMLOptionElement).disabled = !real;
    if (!real) tier.value = 'stand-in';
  };
  scenario.addEventListener('change', syncTier);
  syncTier();

  const post = (action: string, body: unknown, signal?: AbortSignal): Promise<Response> =>
    fetch(api + action, { method: 'POST', headers: { 'content-type': 'application/json', 'x-kb-live-token': token }, body: JSON.stringify(body), ...(signal ? { signal } : {}) });

  let running: AbortController | undefined;
  const busy = (on: boolean): void => {
    run.disabled = on;
    stop.disabled = !on;
    panel.dataset.state = on ? 'running' : 'idle';
  };
  const say = (msg: string): void => {
    status.textContent = msg;
  };
  const addLog = (line: string): void => {
    log.append(line + '\n');
    while (log.childNodes.length > MAX_LOG_LINES) log.firstChild?.remove();
    log.scrollTop = log.scrollHeight;
  };
  const show = (r: LiveReport): void => {
    const chart = keepaliveChart(r) ?? backoffChart(r);
    out.replaceChildren(...(chart ? [chart] : []), claimsTable(r));
  };

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (running) return;
    const ac = new AbortController();
    running = ac;
    busy(true);
    log.hidden = false;
    log.textContent = '';
    out.replaceChildren();
    say(`Starting ${scenario.value}…`);
    void (async () => {
      try {
        const res = await post('run', { slug, scenario: scenario.value, tier: tier.value, scale: Number(scale.value) }, ac.signal);
        if (!res.ok || !res.body) {
          const e = (await res.json().catch(() => ({}))) as { error?: string };
          say(`${res.status === 409 ? 'Busy' : 'Refused'}: ${e.error ?? res.statusText}`);
          return;
        }
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let i: number;
          while ((i = buf.indexOf('\n')) !== -1) {
            const e = JSON.parse(buf.slice(0, i)) as LiveEvent;
            buf = buf.slice(i + 1);
            if (e.type === 'start') say(`Running: ${e.command} (stops by itself after ${Math.round(e.limitS / 60)} min)`);
            else if (e.type === 'log') addLog(e.line);
            else if (e.type === 'report') show(e.report);
            else {
              panel.dataset.end = e.reason;
              say(e.reason === 'finished' ? 'Finished: every process of the run has exited.' : e.reason === 'failed' ? `Failed: ${e.message ?? ''}` : `Stopped: ${e.message ?? e.reason}`);
            }
          }
        }
      } catch (err) {
        if (!ac.signal.aborted) say(`The run's stream broke: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        running = undefined;
        busy(false);
      }
    })();
  });

  stop.addEventListener('click', () => {
    say('Stopping…');
    void post('stop', { slug }).then(async (res) => {
      if (!res.ok) say(`Stop: ${((await res.json().catch(() => ({}))) as { error?: string }).error ?? res.statusText}`);
    }, () => undefined);
  });
  // Leaving the page ends the stream, which stops the run on the server; abort explicitly as well.
  addEventListener('pagehide', () => running?.abort());
}
