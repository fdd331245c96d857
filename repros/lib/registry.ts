// Every repro, by slug: the one list the CLI, the site (src/lib/repros.ts) and the tests read. Each
// repro.ts describes its repro and loads its scenarios on first run, so importing this list loads no
// process code. `npm run new-incident` adds a line to both lists below.
import { UsageError, type Repro } from './repro.ts';
import { repro as containerdStopped } from '../containerd-stopped/repro.ts';
import { repro as crashloopBackoff } from '../crashloop-backoff/repro.ts';
import { repro as keepalive502 } from '../keepalive-502/repro.ts';
// new-incident: imports above this line

const ALL: readonly Repro[] = [
  containerdStopped,
  crashloopBackoff,
  keepalive502,
  // new-incident: repros above this line
];

export const REPROS: ReadonlyMap<string, Repro> = new Map(ALL.map((r) => [r.slug, r] as const));

export function reproSlugs(): string[] {
  return [...REPROS.keys()].sort();
}

/** The repro of that slug, or a UsageError naming the valid ones. */
export function findRepro(slug: string): Repro {
  const r = REPROS.get(slug);
  if (!r) throw new UsageError(`unknown repro "${slug}". Valid: ${reproSlugs().join(', ') || '(none)'}, or "list".`);
  return r;
}

export function loadRepro(slug: string): Promise<Repro> {
  return Promise.resolve().then(() => findRepro(slug));
}

export function loadAllRepros(): Promise<Repro[]> {
  return Promise.resolve(reproSlugs().map(findRepro));
}
