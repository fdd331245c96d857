// Runs a scenario or a component with a ProcessGroup and an AbortSignal, and guarantees that every
// child is stopped afterwards. Used by the CLI and by the tests, so both run the same code.
import { ProcessGroup } from './processes.ts';
import { UsageError, type Flags, type Repro, type RunContext } from './repro.ts';
import { loadRepro } from './registry.ts';
import { requireRealTier, versionsOf } from './real/tools.ts';
import { buildReport, type RunReport } from './report.ts';
import type { Tier } from './tiers.ts';

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

export function scenarioNames(repro: Repro): string[] {
  return Object.keys(repro.scenarios);
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

/** Scenarios of a repro that can run on the real tier. */
export function realScenarioNames(repro: Repro): string[] {
  return Object.entries(repro.scenarios).filter(([, s]) => s.real).map(([n]) => n);
}

export async function runScenario(slugOrRepro: string | Repro, scenario?: string, opts: RunOptions = {}): Promise<RunReport> {
  const repro = typeof slugOrRepro === 'string' ? await loadRepro(slugOrRepro) : slugOrRepro;
  const name = scenario ?? repro.defaultScenario;
  const sc = repro.scenarios[name];
  if (!sc) {
    throw new UsageError(`repro ${repro.slug} has no scenario "${name}". Valid: ${scenarioNames(repro).join(', ')}`);
  }
  const tier = opts.tier ?? 'stand-in';
  if (tier === 'cluster') {
    throw new UsageError(`the cluster tier runs from repros/${repro.slug}/cluster/ (see its README), not through --tier`);
  }
  let run = sc.run;
  let versions: Readonly<Record<string, string>> | undefined;
  if (tier === 'real') {
    if (!sc.real) {
      const real = realScenarioNames(repro);
      throw new UsageError(
        `scenario "${name}" of ${repro.slug} has no real tier. Scenarios with one: ${real.join(', ') || '(none)'}`,
      );
    }
    requireRealTier(sc.real.tools, sc.real.root);
    versions = versionsOf(sc.real.tools);
    run = sc.real.run;
  }
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
