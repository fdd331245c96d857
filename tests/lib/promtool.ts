// Alert rule unit tests with the real Prometheus rule engine: `promtool test rules` fed with series
// that a test builds from an incident's model, and the alerts it expects at each evaluation, also
// derived from the model. Each alert's expectation is stated in the model's own terms (a node is
// NotReady and not cordoned; a container is waiting in back-off) rather than in PromQL, so promtool
// checks that the PromQL means what the runbook says it means.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { toolPath } from '../../repros/lib/real/tools.ts';
import type { RuleObject } from '../../src/lib/prometheus-rule.ts';

/** kube-prometheus scrapes kube-state-metrics every 30 s; 15 s is common for gateways. One grid for all. */
export const SCRAPE_S = 15;
/** Prometheus' default evaluation interval for rule groups, and promtool's. */
export const EVAL_S = 60;

export type Labels = Record<string, string>;

/** One input series: a value per scrape (index i is time i * SCRAPE_S), undefined when not exported. */
export interface Series {
  metric: string;
  labels: Labels;
  values: readonly (number | undefined)[];
}

export function seriesSelector(s: Pick<Series, 'metric' | 'labels'>): string {
  const l = Object.entries(s.labels)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',');
  return `${s.metric}{${l}}`;
}

/**
 * promtool's value notation: a number, `_` for no sample, and `stale` where an exported series
 * disappears (what Prometheus writes when a target stops exporting a series), so an instant
 * selector does not keep seeing the last value for the 5-minute lookback.
 */
export function valuesString(values: readonly (number | undefined)[]): string {
  return values.map((v, i) => (v !== undefined ? String(v) : i > 0 && values[i - 1] !== undefined ? 'stale' : '_')).join(' ');
}

/** Whether a rule's expression holds at an evaluation, as the model says; 'unsure' skips the check. */
export type Truth = boolean | 'unsure';

/**
 * Whether the alert is firing at evaluation k, from the expression's truth at every evaluation: the
 * alert becomes active at the first true evaluation and fires once it has been active for `for`
 * (Prometheus rules/alerting.go: `ts.Sub(a.ActiveAt) >= r.holdDuration`); one false evaluation
 * resets it. 'unsure' when an evaluation that decides it is unsure.
 */
export function firingAt(truth: readonly Truth[], k: number, forS: number): Truth {
  const from = k - Math.round(forS / EVAL_S);
  if (from < 0) return false;
  const window = truth.slice(from, k + 1);
  if (window.some((t) => t === false)) return false;
  if (window.every((t) => t === true)) return true;
  return 'unsure';
}

export interface AlertExpectation {
  alertname: string;
  /** Truth of the rule's expression at each evaluation k (time k * EVAL_S), from the model. */
  truth: readonly Truth[];
  forS: number;
  /** The labels the alert carries when it fires (without alertname and severity). */
  labels: Labels;
}

export interface PromtoolCase {
  name: string;
  series: readonly Series[];
  alerts: readonly AlertExpectation[];
}

export interface CaseSummary {
  name: string;
  alertname: string;
  /** Evaluations (minutes) at which the alert is expected to fire, and those checked silent. */
  firing: number[];
  silent: number[];
  skipped: number[];
}

export function durationS(d: string | undefined): number {
  if (!d) return 0;
  const m = /^(\d+)([smh])$/.exec(d);
  if (!m) throw new Error(`not a Prometheus duration: ${d}`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as 's' | 'm' | 'h'];
}

type RuleEntry = { alert: string; for?: string; labels: Labels; annotations: Labels };

export function rulesOf(rule: RuleObject): RuleEntry[] {
  return rule.spec.groups.flatMap((g) => g.rules) as RuleEntry[];
}

/**
 * The promtool test document for some cases, and what each case checks at which evaluation. Several
 * expectations with one alert name (one per pod, say) are checked together: at each evaluation the
 * alerts promtool reports under that name must be exactly the instances expected to fire.
 */
export function promtoolTests(rule: RuleObject, ruleFile: string, cases: readonly PromtoolCase[]): { doc: unknown; summaries: CaseSummary[] } {
  const rules = rulesOf(rule);
  const summaries: CaseSummary[] = [];
  const tests = cases.map((c) => {
    const alertTests: unknown[] = [];
    const names = [...new Set(c.alerts.map((a) => a.alertname))];
    for (const name of names) {
      const r = rules.find((x) => x.alert === name);
      if (!r) throw new Error(`${c.name}: no rule named ${name}`);
      const group = c.alerts.filter((a) => a.alertname === name);
      const evals = Math.max(...group.map((a) => a.truth.length));
      const perInstance = group.map((a) => {
        if (durationS(r.for) !== a.forS) throw new Error(`${c.name}: ${name} has for: ${r.for}, the expectation assumes ${a.forS} s`);
        return Array.from({ length: evals }, (_, k) => firingAt(a.truth, k, a.forS));
      });
      group.forEach((_, i) => {
        const f = perInstance[i] as Truth[];
        summaries.push({
          name: c.name,
          alertname: name,
          firing: f.flatMap((x, k) => (x === true ? [k] : [])),
          silent: f.flatMap((x, k) => (x === false ? [k] : [])),
          skipped: f.flatMap((x, k) => (x === 'unsure' ? [k] : [])),
        });
      });
      for (let k = 0; k < evals; k++) {
        if (perInstance.some((f) => f[k] === 'unsure')) continue;
        alertTests.push({
          eval_time: `${(k * EVAL_S) / 60}m`,
          alertname: name,
          exp_alerts: group.filter((_, i) => perInstance[i]?.[k] === true).map((a) => ({ exp_labels: { ...a.labels, ...r.labels }, exp_annotations: r.annotations })),
        });
      }
    }
    return {
      name: c.name,
      interval: `${SCRAPE_S}s`,
      input_series: c.series.map((s) => ({ series: seriesSelector(s), values: valuesString(s.values) })),
      alert_rule_test: alertTests,
    };
  });
  return { doc: { rule_files: [ruleFile], evaluation_interval: `${EVAL_S}s`, tests }, summaries };
}

export interface PromtoolRun {
  status: number | null;
  output: string;
}

/** Writes the rule groups and a test document to a temporary directory and runs promtool on them. */
export function runPromtool(rule: RuleObject, cases: readonly PromtoolCase[]): { check: PromtoolRun; test: PromtoolRun; summaries: CaseSummary[] } {
  const bin = toolPath('promtool');
  if (!bin) throw new Error('promtool is not installed (Debian package prometheus)');
  const dir = mkdtempSync(join(tmpdir(), 'kb-promtool-'));
  try {
    writeFileSync(join(dir, 'rules.yaml'), stringify({ groups: rule.spec.groups }, { lineWidth: 0 }));
    const { doc, summaries } = promtoolTests(rule, 'rules.yaml', cases);
    writeFileSync(join(dir, 'tests.yaml'), stringify(doc, { lineWidth: 0 }));
    const run = (args: string[]): PromtoolRun => {
      const r = spawnSync(bin, args, { cwd: dir, encoding: 'utf8', timeout: 120_000 });
      return { status: r.status, output: `${r.stdout}${r.stderr}` };
    };
    return { check: run(['check', 'rules', 'rules.yaml']), test: run(['test', 'rules', 'tests.yaml']), summaries };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Sample times (s) of a run lasting `totalS`. */
export function scrapeTimes(totalS: number): number[] {
  return Array.from({ length: Math.floor(totalS / SCRAPE_S) + 1 }, (_, i) => i * SCRAPE_S);
}

/** Evaluation times (s) of a run lasting `totalS`. */
export function evalTimes(totalS: number): number[] {
  return Array.from({ length: Math.floor(totalS / EVAL_S) + 1 }, (_, k) => k * EVAL_S);
}
