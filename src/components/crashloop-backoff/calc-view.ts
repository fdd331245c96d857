// What the back-off calculator shows, as HTML strings computed from the model's schedule. The same
// functions render the first view at build time (so the page reads without JavaScript) and every
// update in the browser.
import { gateStage, goDuration, type GateName, type K8sVersion, type Schedule } from '../../../repros/crashloop-backoff/page.ts';
import { escapeHtml } from '../../lib/text.ts';

/** Seconds as a short number: whole seconds stay whole, others get up to two decimals. */
export function secs(n: number): string {
  return String(Number(n.toFixed(2)));
}

/** A point in the window as h:mm:ss or m:ss. */
export function clock(n: number): string {
  const t = Math.round(n);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = String(t % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** A duration for prose: "5 minutes", "90 s". */
export function words(seconds: number): string {
  if (seconds >= 60 && seconds % 60 === 0) return seconds === 60 ? '1 minute' : `${seconds / 60} minutes`;
  return `${secs(seconds)} s`;
}

export function percent(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

/** The "leave it to the version" choice of a gate, saying what that means in this version. */
export function gateDefaultLabel(gate: GateName, version: K8sVersion): string {
  const st = gateStage(gate, version);
  return st ? `version default (${st.defaultOn ? 'on' : 'off'}, ${st.stage})` : `not in ${version}`;
}

export function tableRows(s: Schedule): string {
  return s.restarts
    .map((r) => {
      const notes: string[] = [];
      if (r.reset) notes.push('ran past the reset time: back-off reset');
      if (r.gcEndedEarly) notes.push(`GC deleted the entry mid-wait: ${secs(r.nominalBackoff)} s back-off cut short, starts over at ${secs(s.kubelet.initial)} s`);
      else if (r.gcDeleted) notes.push(`GC deleted the entry during the wait: back-off starts over at ${secs(s.kubelet.initial)} s`);
      if (r.restart === s.firstAtCap) notes.push('first wait at the cap');
      if (r.refusals > 1) notes.push(`${r.refusals} BackOff events`);
      const gc = r.gcEndedEarly ? ' data-gc="ended-early"' : r.gcDeleted ? ' data-gc="deleted"' : '';
      return `<tr data-restart="${r.restart}"${gc}${r.restart === s.firstAtCap ? ' class="at-cap"' : ''}>` +
        `<th scope="row">${r.restart}</th><td>${clock(r.exitedAt)}</td><td>${clock(r.restartedAt)}</td>` +
        `<td data-wait="${secs(r.backoffSeconds)}">${secs(r.backoffSeconds)} s</td>` +
        `<td>${secs(r.ranSeconds)} s</td><td>${escapeHtml(notes.join('; '))}</td></tr>`;
    })
    .join('');
}

export interface Summary {
  kubelet: string;
  firstAtCap: string;
  availability: string;
  reset: string;
}

export function summary(s: Schedule): Summary {
  const k = s.kubelet;
  const on = Object.entries(k.gates).filter(([, v]) => v).map(([g]) => g);
  const retry = k.podWorkerRetry === 'fixed-period'
    ? ' A refused pod is synced again every 10-15 s (pod worker retry), so a restart lands on one of those retries.'
    : ' A refused pod is synced again at the back-off\'s expiry, or after at most 1 minute.';
  const cut = s.restarts.filter((r) => r.gcEndedEarly).length;
  return {
    kubelet: `Kubernetes ${k.version}: the back-off starts at ${goDuration(k.initial)}, doubles after every restart it delays and stops at ${goDuration(k.max)}.` +
      (on.length ? ` Gates on: ${on.join(', ')}.` : ' No back-off feature gates on.') + retry +
      (s.retryGranularity ? ' Retry jitter drawn at random (seeded).' : ' Earliest retries (no jitter).'),
    firstAtCap: (s.firstAtCap === null ? 'No restart in this window waits the full cap.' : `Restart ${s.firstAtCap} is the first to wait the full ${goDuration(k.max)}.`) +
      (cut > 0 ? ` GC cut ${cut === 1 ? 'one wait' : `${cut} waits`} short.` : ''),
    availability: `Running ${percent(s.availability)} of the ${clock(s.windowEnd)} window (from the first start until the last instance exits).`,
    reset: `The back-off starts over at ${goDuration(k.initial)} when an instance runs more than ${goDuration(s.resetAfter)}, and also when more than ${goDuration(s.gcAfter)} pass after a restart, running or waiting: housekeeping then deletes the entry and the next pod sync restarts at once.`,
  };
}

const W = 720;
const H = 96;
const LEFT = 8;
const RIGHT = W - 8;
const TOP = 16;
const BAR = 34;

/** The timeline: running spans and back-off spans on one bar, with a time axis. */
export function timelineSvg(s: Schedule, titleId: string): string {
  const span = s.windowEnd || 1;
  const x = (t: number): number => LEFT + ((RIGHT - LEFT) * t) / span;
  const bars = s.spans
    .map((p) => {
      const w = Math.max(0.75, x(p.to) - x(p.from));
      const cut = p.kind === 'backoff' && s.restarts.some((r) => r.gcEndedEarly && r.exitedAt === p.from);
      const label = `${p.kind === 'running' ? 'running' : 'back-off (CrashLoopBackOff)'} ${clock(p.from)} to ${clock(p.to)}${cut ? ', cut short by the back-off GC' : ''}`;
      return `<rect class="clb-${p.kind}${cut ? ' clb-gc' : ''}" x="${x(p.from).toFixed(2)}" y="${TOP}" width="${w.toFixed(2)}" height="${BAR}"><title>${label}</title></rect>`;
    })
    .join('');
  const step = niceStep(span);
  let ticks = '';
  for (let t = 0; t <= span + 1e-9; t += step) {
    ticks += `<line class="clb-axis" x1="${x(t).toFixed(2)}" x2="${x(t).toFixed(2)}" y1="${TOP + BAR}" y2="${TOP + BAR + 5}"/>` +
      `<text class="clb-tick" x="${x(t).toFixed(2)}" y="${TOP + BAR + 18}" text-anchor="${t === 0 ? 'start' : 'middle'}">${clock(t)}</text>`;
  }
  const cap = s.restarts.find((r) => r.restart === s.firstAtCap);
  const capMark = cap
    ? `<line class="clb-cap" x1="${x(cap.exitedAt).toFixed(2)}" x2="${x(cap.exitedAt).toFixed(2)}" y1="4" y2="${TOP + BAR}"/>` +
      `<text class="clb-tick" x="${x(cap.exitedAt).toFixed(2)}" y="11" text-anchor="${x(cap.exitedAt) > W * 0.75 ? 'end' : 'middle'}">restart ${cap.restart}: first full ${goDuration(s.kubelet.max)}</text>`
    : '';
  return `<svg class="clb-timeline" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${titleId}">` +
    `<title id="${titleId}">Timeline over ${clock(s.windowEnd)}: running ${percent(s.availability)} of the time, the rest in back-off</title>` +
    `${bars}<line class="clb-axis" x1="${LEFT}" x2="${RIGHT}" y1="${TOP + BAR}" y2="${TOP + BAR}"/>${ticks}${capMark}</svg>`;
}

function niceStep(span: number): number {
  const raw = span / 6;
  for (const s of [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400]) if (s >= raw) return s;
  return Math.ceil(raw / 86400) * 86400;
}
