// The shape every repro exports from repros/<slug>/repro.ts. The CLI (repros/cli.ts), the tests and
// the site all read repros through this interface.
import type { Claims, ClaimCheck } from './claims.ts';
import type { ProcessGroup } from './processes.ts';
import type { ToolName } from './real/tools.ts';
import type { Tier } from './tiers.ts';

export type FlagType = 'number' | 'string' | 'boolean' | 'list';

export interface FlagSpec {
  /** Long name without the dashes, e.g. "kill-every". */
  name: string;
  type: FlagType;
  description: string;
  /** Allowed values for string flags (and for each item of list flags). */
  choices?: readonly string[];
  /** Shown in help; the repro applies its own defaults. */
  default?: string;
  /** Range check for number flags (and each item of list flags when numeric). */
  min?: number;
  max?: number;
}

export type FlagValue = number | string | boolean | string[];
export type Flags = Readonly<Record<string, FlagValue | undefined>>;

export interface RunContext {
  /** Time scale: 1 runs at real speed, 0.01 runs 100 times faster. */
  scale: number;
  /** Repro-specific flags, parsed and validated against the repro's FlagSpec list. */
  flags: Flags;
  /** Aborted on Ctrl-C / SIGTERM, or when a test gives up. */
  signal: AbortSignal;
  /** Children started through this group are stopped when the run ends, however it ends. */
  procs: ProcessGroup;
  /** A line of narration: what is happening now (stderr in --json mode, so stdout stays JSON). */
  log(line: string): void;
  /** A transient status line on a terminal (ignored when not a TTY or in --json mode). */
  progress(line: string): void;
  /** Requested port for a component (--port); undefined means ephemeral. */
  port?: number | undefined;
  /** Which tier this run exercises: the stand-ins, or the real software (--tier real). */
  tier: Tier;
}

export interface ScenarioResult {
  /** Everything the run measured, JSON-serialisable. */
  observations: Record<string, unknown>;
  /** The claims this run can speak to, each with what was measured for it. */
  checks: ClaimCheck[];
}

/** The same scenario against the real software (containerd + runc, the kernel's NAT, nginx). */
export interface RealScenario {
  /** What runs for real, in a few words, for --help and the page. */
  description: string;
  /** Binaries it needs; the runner refuses to start (exit 2, naming the install command) without them. */
  tools: readonly ToolName[];
  /** Whether it needs root (network namespaces, mounts, a private containerd). */
  root: boolean;
  run(ctx: RunContext): Promise<ScenarioResult>;
}

export interface Scenario {
  description: string;
  run(ctx: RunContext): Promise<ScenarioResult>;
  /** Present when the scenario can also run on the real tier (--tier real). */
  real?: RealScenario;
}

export interface Component {
  description: string;
  /** Starts the component and resolves when ctx.signal aborts (or the component ends). */
  start(ctx: RunContext): Promise<void>;
}

export interface Repro {
  slug: string;
  title: string;
  /** One line for `npm run repro -- list`. */
  description: string;
  defaultScenario: string;
  scenarios: Readonly<Record<string, Scenario>>;
  components?: Readonly<Record<string, Component>>;
  flags?: readonly FlagSpec[];
  claims: Claims<string>;
  /** Files shown on the incident page, relative to the repo root. */
  sourceFiles: readonly string[];
  /** What "npm run repro -- <slug>" prints at real speed, in a few words, for the page. */
  expectedOutput?: string;
}

/** A bad name, flag or value: the CLI prints the message and exits with code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * A run or start function whose code is imported on first call. repro.ts describes a repro with these,
 * so reading the description (the registry, the site build) loads no process or socket code.
 */
export function lazy<M, A extends unknown[], R>(load: () => Promise<M>, pick: (m: M) => (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args) => pick(await load())(...args);
}
