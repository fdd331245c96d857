// Runs a scenario or a component with a ProcessGroup and an AbortSignal, and guarantees that every
// child is stopped afterwards. Used by the CLI and by the tests, so both run the same code.
import { ProcessGroup } from './processes.ts';
import { UsageError, type Flags, type Repro, type RunContext, type Scenario } from './repro.ts';
import { loadRepro } from './registry.ts';
import { requireRealTier, versionsOf } from './real/tools.ts';
import { buildReport, type RunReport } from './report.ts';
import type { Tier, Versions } from './tiers.ts';

export type { RunReport };

export interface RunOptions {
  scale?: number;
  flags?: Flags;
  signal?: AbortSignal;
  log?: (line: string) => void;
  progress?: (line: string) => void;
  port?: number | undefined;
  /** 'stand-in' (default) or 'real'. */
  tier?: Tier;
}

export function makeContext(opts: RunOptions, procs: ProcessGroup, signal: AbortSignal): RunContext {
  return {
    scale: opts.scale ?? 1,
    flags: opts.flags ?? {},
    signal,
    procs,
    log: opts.log ?? (() => undefined),
    progress: opts.progress ?? (() => undefined),
    port: opts.port,
    tier: opts.tier ?? 'stand-in',
  };
}

/** What runs for this scenario on this tier, and the versions of the real software it runs against; a UsageError naming what is valid otherwise. */
function tierRun(repro: Repro, name: string, tier: Tier): { run: Scenario['run']; versions?: Versions } {
  const sc = repro.scenarios[name];
  if (!sc) throw new UsageError(`repro ${repro.slug} has no scenario "${name}". Valid: ${Object.keys(repro.scenarios).join(', ')}`);
  if (tier === 'cluster') throw new UsageError(`the cluster tier runs from repros/${repro.slug}/cluster/ (see its README), not through --tier`);
  if (tier === 'stand-in') return { run: sc.run };
  if (!sc.real) {
    const real = Object.entries(repro.scenarios).filter(([, s]) => s.real).map(([n]) => n);
    throw new UsageError(`scenario "${name}" of ${repro.slug} has no real tier. Scenarios with one: ${real.join(', ') || '(none)'}`);
  }
  requireRealTier(sc.real.tools, sc.real.root);
  return { run: sc.real.run, versions: versionsOf(sc.real.tools) };
}

/** Runs one scenario on the stand-ins or the real tier and reports it; every process it started is stopped before this returns. */
export async function runScenario(slugOrRepro: string | Repro, scenario?: string, opts: RunOptions = {}): Promise<RunReport> {
  const repro = typeof slugOrRepro === 'string' ? await loadRepro(slugOrRepro) : slugOrRepro;
  const name = scenario ?? repro.defaultScenario;
  const tier = opts.tier ?? 'stand-in';
  const { run, versions } = tierRun(repro, name, tier);
  const procs = new ProcessGroup();
  const ac = new AbortController();
  const onAbort = (): void => ac.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  try {
    const r = await run(makeContext(opts, procs, ac.signal));
    return buildReport({ slug: repro.slug, scenario: name, scale: opts.scale ?? 1, tier, versions, startedAt, t0 }, r);
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    ac.abort(new Error('run finished'));
    await procs.stopAll();
  }
}
