// The repro modules, as the site sees them: the same objects the CLI runs and the tests assert.
import type { Repro } from '../../repros/lib/repro.ts';

const modules = import.meta.glob<{ repro: Repro }>(['/repros/*/repro.ts', '!/repros/lib/**'], { eager: true });

export const REPROS: ReadonlyMap<string, Repro> = new Map(
  Object.values(modules).map((m) => [m.repro.slug, m.repro] as const),
);

export function reproFor(slug: string, file: string): Repro {
  const r = REPROS.get(slug);
  if (!r) {
    throw new Error(
      `${file}: field "repro" names "${slug}", which is not a repro. Valid: ${[...REPROS.keys()].join(', ') || '(none)'} (folders under repros/ with a repro.ts)`,
    );
  }
  return r;
}
