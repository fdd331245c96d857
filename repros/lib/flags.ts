// Command-line flags: the runner's own (--scale, --json, --port, --help) plus each repro's FlagSpec
// list. Anything unknown or malformed is a UsageError that names the flag and what is valid.
import { UsageError, type FlagSpec, type FlagValue } from './repro.ts';

export const COMMON_FLAGS: readonly FlagSpec[] = [
  { name: 'scale', type: 'number', description: 'time scale: 1 is real time, 0.01 runs 100x faster', default: '1', min: 0.0001, max: 10 },
  { name: 'json', type: 'boolean', description: 'print one JSON document with observations and claim results' },
  { name: 'port', type: 'number', description: 'port for a component started alone (default: ephemeral)', min: 1, max: 65535 },
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
