// The "Run it here" panel (src/components/RunIt.astro), loaded by live-boot.ts only on pages served
// by the project's own server. It asks that server to run one scenario of the page's repro
// (repros/lib/live/api.ts), streams the run's narration, and draws what the run observed: the
// keep-alive timeline with the recordings' chart geometry (keepalive-502/chart.ts), the back-off
// timeline with the calculator's renderer (crashloop-backoff/calc-view.ts), and the claims checked,
// each with PASS or FAIL next to its documented expectation.
import type { LiveEvent, LiveReport } from '../../repros/lib/live/api.ts';
import { h } from './live-dom.ts';
// Its styles come with it (as a string: Astro would otherwise put them into every incident page).
import css from './live-panel.css?inline';
import { HOST } from '../../repros/lib/address.ts';

const MAX_LOG_LINES = 3000;

/** Each incident's chart of a live run, loaded only on its page. */
const CHARTS: Record<string, () => Promise<{ chart(r: LiveReport): Element | undefined }>> = {
  'keepalive-502': () => import('./live-keepalive.ts'),
  'crashloop-backoff': () => import('./live-backoff.ts'),
  'containerd-stopped': () => import('./live-containerd.ts'),
};

function claimsTable(r: LiveReport): HTMLElement {
  const rows = r.results.map((x) => h('tr', { 'data-claim': x.id, 'data-result': x.pass ? 'PASS' : 'FAIL' },
    h('td', {}, h('strong', { class: x.pass ? 'ok' : 'bad' }, x.pass ? 'PASS' : 'FAIL')),
    h('td', {}, h('a', { href: `#claim-${x.id}` }, `#${x.n}`), ' ', x.statement, h('br'),
      h('small', {}, 'Documented: ', h('span', { 'data-expected': '' }, x.expected), '. Observed: ', h('span', { 'data-observed': '' }, x.detail.replace(/^.*, observed /, '')), '.'))));
  const failed = r.results.filter((x) => !x.pass).length;
  return h('table', { class: 'live-claims', 'data-testid': 'live-claims' },
    h('caption', {}, `Claims checked by this run: ${r.results.length - failed} passed, ${failed} failed (${r.scenario}, ${r.tier}, scale ${r.scale}, ${(r.durationMs / 1000).toFixed(1)} s)`),
    h('thead', {}, h('tr', {}, ...['Result', 'Claim, documented expectation and observation'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...rows));
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
  document.head.append(h('style', {}, css));
  panel.querySelector('.live-off')?.remove();
  panel.append(h('p', {}, `Runs the repro on this machine, through the server that serves this page (${HOST} only).`), form, status, log, out);

  const syncTier = (): void => {
    const real = scenarios.find(([n]) => n === scenario.value)?.[1] === 1;
    (tier.options[1] as HTMLOptionElement).disabled = !real;
    if (!real) tier.value = 'stand-in';
  };
  scenario.addEventListener('change', syncTier);
  syncTier();

  const post = (action: string, body: unknown): Promise<Response> =>
    fetch(api + action, { method: 'POST', headers: { 'content-type': 'application/json', 'x-kb-live-token': token }, body: JSON.stringify(body) });

  let running: XMLHttpRequest | undefined;
  const busy = (on: boolean): void => {
    // Keyboard users keep their place: focus moves to the button that is enabled now.
    const moveFocus = document.activeElement === (on ? run : stop);
    run.disabled = on;
    stop.disabled = !on;
    if (moveFocus) (on ? stop : run).focus();
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
  // Events are handled in order, one at a time: the report waits for its chart module to load.
  let queue = Promise.resolve();
  const handle = (e: LiveEvent): void => {
    queue = queue.then(async () => {
      if (e.type === 'start') say(`Running: ${e.command} (stops by itself after ${Math.round(e.limitS / 60)} min)`);
      else if (e.type === 'log') addLog(e.line);
      else if (e.type === 'report') {
        const chart = (await CHARTS[slug]?.())?.chart(e.report);
        out.replaceChildren(...(chart ? [chart] : []), claimsTable(e.report));
        panel.dataset.shown = e.report.scenario;
      } else {
        say(e.reason === 'finished' ? 'Finished: every process of the run has exited.' : e.reason === 'failed' ? `Failed: ${e.message ?? ''}` : `Stopped: ${e.message ?? e.reason}`);
        panel.dataset.end = e.reason;
      }
    });
  };

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (running) return;
    busy(true);
    log.hidden = false;
    log.textContent = '';
    out.replaceChildren();
    delete panel.dataset.end;
    delete panel.dataset.shown;
    say(`Starting ${scenario.value}…`);
    // XMLHttpRequest rather than a fetch stream: its progress events stream the response just as
    // well, and Chromium reports a fetch stream read to its end as a cancelled request.
    const xhr = new XMLHttpRequest();
    running = xhr;
    let seen = 0;
    const feed = (): void => {
      if (xhr.status !== 200) return;
      const text = xhr.responseText;
      const last = text.lastIndexOf('\n') + 1;
      if (last <= seen) return;
      for (const line of text.slice(seen, last).split('\n')) if (line) handle(JSON.parse(line) as LiveEvent);
      seen = last;
    };
    const done = (): void => {
      running = undefined;
      void queue.then(() => busy(false));
    };
    xhr.open('POST', api + 'run');
    xhr.setRequestHeader('content-type', 'application/json');
    xhr.setRequestHeader('x-kb-live-token', token);
    xhr.onprogress = feed;
    xhr.onload = () => {
      if (xhr.status === 200) feed();
      else {
        let error = xhr.statusText;
        try {
          error = (JSON.parse(xhr.responseText) as { error?: string }).error ?? error;
        } catch { /* not JSON */ }
        say(xhr.status === 409 ? `Busy: ${error.replace(/^busy: /, '')}` : `Refused: ${error}`);
      }
      done();
    };
    xhr.onerror = () => {
      say('The connection to the server broke: is npm start still running?');
      done();
    };
    xhr.send(JSON.stringify({ slug, scenario: scenario.value, tier: tier.value, scale: Number(scale.value) }));
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
