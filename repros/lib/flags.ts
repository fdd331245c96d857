// Command-line flags: the runner's own (--scale, --json, --port, --help) plus each repro's FlagSpec
// list, and the flags of the child processes a repro starts (ChildFlag lists: the parent builds the
// argv with childArgv and the child parses it with parseChildArgs, from the same list). Anything
// unknown or malformed is a UsageError that names the flag and what is valid.
import { UsageError, type FlagSpec, type FlagType, type FlagValue } from './repro.ts';

export const COMMON_FLAGS: readonly FlagSpec[] = [
  { name: 'scale', type: 'number', description: 'time scale: 1 is real time, 0.01 runs 100x faster', default: '1', min: 0.0001, max: 10 },
  { name: 'json', type: 'boolean', description: 'print one JSON document with observations and claim results' },
  { name: 'port', type: 'number', description: 'port for a component started alone; 0 or omitted: a free (ephemeral) port, printed once bound', min: 0, max: 65535 },
  { name: 'tier', type: 'string', choices: ['stand-in', 'real'], default: 'stand-in', description: 'stand-in: this project\'s own small processes, anywhere; real: the real software (containerd + runc, the kernel\'s NAT, nginx; Linux, root)' },
  { name: 'help', type: 'boolean', description: 'show this help' },
];

export interface ParsedArgs {
  positionals: string[];
  values: Record<string, FlagValue>;
}

function parseNumber(spec: FlagSpec, raw: string, label: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${label} must be a number, got "${raw}"`);
  if (spec.min !== undefined && n < spec.min) throw new UsageError(`${label} must be at least ${spec.min}, got ${raw}`);
  if (spec.max !== undefined && n > spec.max) throw new UsageError(`${label} must be at most ${spec.max}, got ${raw}`);
  return n;
}

function checkChoice(spec: FlagSpec, v: string, label: string): void {
  if (spec.choices && !spec.choices.includes(v)) {
    throw new UsageError(`${label} does not accept "${v}". Valid: ${spec.choices.join(', ')}`);
  }
}

export function parseArgs(argv: readonly string[], specs: readonly FlagSpec[]): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const positionals: string[] = [];
  const values: Record<string, FlagValue> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const spec = byName.get(name);
    if (!spec) {
      throw new UsageError(`unknown flag --${name}. Valid flags: ${specs.map((s) => `--${s.name}`).join(', ')}`);
    }
    const label = `--${name}`;
    if (spec.type === 'boolean') {
      if (eq !== -1) {
        const raw = arg.slice(eq + 1);
        if (raw !== 'true' && raw !== 'false') throw new UsageError(`${label} takes no value, or =true / =false; got "${raw}"`);
        values[name] = raw === 'true';
      } else values[name] = true;
      continue;
    }
    let raw: string | undefined;
    if (eq !== -1) raw = arg.slice(eq + 1);
    else {
      raw = argv[i + 1];
      if (raw === undefined || raw.startsWith('--')) throw new UsageError(`${label} needs a value (${spec.description})`);
      i++;
    }
    if (spec.type === 'number') values[name] = parseNumber(spec, raw, label);
    else if (spec.type === 'string') {
      checkChoice(spec, raw, label);
      values[name] = raw;
    } else {
      const items = raw.split(',').map((s) => s.trim());
      if (items.some((s) => s === '')) throw new UsageError(`${label} must be a comma-separated list without empty items, got "${raw}"`);
      for (const item of items) checkChoice(spec, item, label);
      values[name] = items;
    }
  }
  return { positionals, values };
}

/** Parses each item of a list flag as a number within the spec's bounds. */
export function numberList(spec: FlagSpec, items: readonly string[]): number[] {
  return items.map((s) => parseNumber(spec, s, `--${spec.name} item`));
}

export function flagHelp(specs: readonly FlagSpec[]): string {
  const rows = specs.map((s) => {
    const value = s.type === 'boolean' ? '' : s.choices ? ` <${s.choices.join('|')}>` : s.type === 'list' ? ' <a,b,...>' : ` <${s.type}>`;
    const def = s.default !== undefined ? ` (default ${s.default})` : '';
    return [`  --${s.name}${value}`, `${s.description}${def}`] as const;
  });
  const width = Math.max(0, ...rows.map(([a]) => a.length)) + 2;
  return rows.map(([a, b]) => a.padEnd(width) + b).join('\n');
}

/** The value a flag of this type parses to. */
export type FlagValueOf<T extends FlagType> = T extends 'number' ? number : T extends 'boolean' ? boolean : T extends 'list' ? string[] : string;

/**
 * A flag of a child process. `required`: the child refuses to start without it (a UsageError naming
 * it, exit 2); `fallback`: the value when absent, taken from the repro's constants (never a second
 * literal). A boolean is false when absent. Declare the list `as const` so the values are typed.
 */
export interface ChildFlag<N extends string = string, T extends FlagType = FlagType> extends FlagSpec {
  readonly name: N;
  readonly type: T;
  readonly required?: boolean;
  readonly fallback?: FlagValueOf<T>;
}

/** A flag's value type: its choices where it has them (each item's, for a list). */
type ValueOfFlag<F extends ChildFlag> = F extends { choices: readonly (infer C extends string)[] } ? (F['type'] extends 'list' ? C[] : C) : FlagValueOf<F['type']>;

type Present<F> = F extends { type: 'boolean' } ? true : F extends { required: true } ? true : F extends { fallback: unknown } ? true : false;

/** What parseChildArgs returns for a flag list: each flag's typed value, `| undefined` only where it may be absent. */
export type ChildValues<S extends readonly ChildFlag[]> = {
  -readonly [F in S[number] as F['name']]: Present<F> extends true ? ValueOfFlag<F> : ValueOfFlag<F> | undefined;
};

/** What a parent passes to childArgv: the required flags, and any others it sets. */
export type ChildInput<S extends readonly ChildFlag[]> = {
  -readonly [F in S[number] as F extends { required: true } ? F['name'] : never]: ValueOfFlag<F>;
} & {
  -readonly [F in S[number] as F extends { required: true } ? never : F['name']]?: ValueOfFlag<F> | undefined;
};

/** The --port of every child that listens: 0 (the fallback) asks the kernel for a free port. */
export const PORT_FLAG = { name: 'port', type: 'number', description: 'port to listen on; 0: a free (ephemeral) port, reported once bound', min: 0, max: 65535, fallback: 0 } as const satisfies ChildFlag;

/** A child's flag list with each fallback shown as its help default. */
export function childFlags<const S extends readonly ChildFlag[]>(specs: S): S {
  return specs.map((s) => (s.fallback !== undefined && s.default === undefined ? { ...s, default: String(s.fallback) } : s)) as unknown as S;
}

/** Parses a child's argv against its flag list: no positionals, required flags present, fallbacks applied. */
export function parseChildArgs<const S extends readonly ChildFlag[]>(specs: S, argv: readonly string[] = process.argv.slice(2)): ChildValues<S> {
  const { positionals, values } = parseArgs(argv, specs);
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}". Valid flags: ${specs.map((s) => `--${s.name}`).join(', ')}`);
  const out: Record<string, FlagValue | undefined> = {};
  for (const s of specs) {
    const v = values[s.name] ?? s.fallback ?? (s.type === 'boolean' ? false : undefined);
    if (v === undefined && s.required) throw new UsageError(`--${s.name} is required (${s.description})`);
    out[s.name] = v;
  }
  return out as ChildValues<S>;
}

/**
 * The argv a parent starts a child with, from the child's own flag list: every value is checked as
 * the child will check it (a UsageError here names the flag), so parent and child cannot drift.
 */
export function childArgv<const S extends readonly ChildFlag[]>(specs: S, values: ChildInput<S>): string[] {
  const given = values as Record<string, FlagValue | undefined>;
  const known = new Set(specs.map((s) => s.name));
  for (const name of Object.keys(given)) if (!known.has(name)) throw new UsageError(`unknown flag --${name}. Valid flags: ${specs.map((s) => `--${s.name}`).join(', ')}`);
  const argv: string[] = [];
  for (const s of specs) {
    const v = given[s.name];
    if (v === undefined || v === false) continue;
    if (v === true) argv.push(`--${s.name}`);
    else argv.push(`--${s.name}`, Array.isArray(v) ? v.join(',') : String(v));
  }
  parseChildArgs(specs, argv);
  return argv;
}

/**
 * A child's first step: its flags, parsed; a UsageError prints "<what>: <message>" on stderr and exits 2.
 */
export function childArgsOrExit<const S extends readonly ChildFlag[]>(what: string, specs: S, argv: readonly string[] = process.argv.slice(2)): ChildValues<S> {
  try {
    return parseChildArgs(specs, argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${what}: ${err.message}\n`);
    process.exit(2);
  }
}
