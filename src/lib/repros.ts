// The repros, as the site sees them: the registry the CLI runs and the tests assert
// (repros/lib/registry.ts). Each repro.ts loads its scenarios lazily, so the build loads no process code.
import type { Repro } from '../../repros/lib/repro.ts';
import { REPROS } from '../../repros/lib/registry.ts';

export { REPROS };

export function reproFor(slug: string, file: string): Repro {
  const r = REPROS.get(slug);
  if (!r) {
    throw new Error(
      `${file}: an incident page owns the repro of its file name, and there is no repro "${slug}". Repros: ${[...REPROS.keys()].join(', ') || '(none)'} (repros/lib/registry.ts)`,
    );
  }
  return r;
}
