// Runs a scenario or a component with a ProcessGroup and an AbortSignal, and guarantees that every
// child is stopped afterwards. Used by the CLI and by the tests, so both run the same code.
import { evaluate, type ClaimResult } from './claims.ts';
import { ProcessGroup } from './processes.ts';
import { UsageError, type Flags, type Repro, type RunContext, type ScenarioResult } from './repro.ts';
import { loadRepro } from './registry.ts';

export interface RunOptions {
  scale?: number;
  flags?: Flags;
  signal?: AbortSignal;
  log?: (line: string) => void;
  progress?: (line: string) => void;
  port?: number | undefined;
}

export interface RunReport extends ScenarioResult {
  slug: string;
  scenario: string;
  scale: number;
  startedAt: string;
  durationMs: number;
  results: ClaimResult[];
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
  };
}

export async function runScenario(slugOrRepro: string | Repro, scenario?: string, opts: RunOptions = {}): Promise<RunReport> {
  const repro = typeof slugOrRepro === 'string' ? await loadRepro(slugOrRepro) : slugOrRepro;
  const name = scenario ?? repro.defaultScenario;
  const sc = repro.scenarios[name];
  if (!sc) {
    throw new UsageError(`repro ${repro.slug} has no scenario "${name}". Valid: ${scenarioNames(repro).join(', ')}`);
  }
  const procs = new ProcessGroup();
  const ac = new AbortController();
  const onAbort = (): void => ac.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  try {
    const r = await sc.run(makeContext(opts, procs, ac.signal));
    return {
      slug: repro.slug,
      scenario: name,
      scale: opts.scale ?? 1,
      startedAt,
      durationMs: Math.round(performance.now() - t0),
      observations: r.observations,
      checks: r.checks,
      results: r.checks.map(evaluate),
    };
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    ac.abort(new Error('run finished'));
    await procs.stopAll();
  }
}
