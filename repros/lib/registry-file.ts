// Adds repros to repros/lib/registry.ts the way a person would: for each, one import and one entry,
// above the marker lines the file keeps for this. `npm run new-incident` and the bench's synthetic
// incidents use it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const IMPORTS = '// new-incident: imports above this line';
const ENTRIES = '  // new-incident: repros above this line';

/** The identifier a repro is imported as: dns-timeouts -> dnsTimeouts, 502-storm -> _502Storm. */
function reproIdent(slug: string): string {
  return slug.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase()).replace(/^(\d)/, '_$1');
}

/** Lists these repros (each repros/<slug>/repro.ts exporting `repro`) in <reprosDir>/lib/registry.ts. */
export function registerRepros(reprosDir: string, slugs: readonly string[]): void {
  const file = join(reprosDir, 'lib', 'registry.ts');
  const text = readFileSync(file, 'utf8');
  if (!text.includes(IMPORTS) || !text.includes(ENTRIES)) throw new Error(`${file} has lost its marker lines "${IMPORTS}" and "${ENTRIES.trim()}"`);
  const imports = slugs.map((s) => `import { repro as ${reproIdent(s)} } from '../${s}/repro.ts';\n`).join('');
  const entries = slugs.map((s) => `  ${reproIdent(s)},\n`).join('');
  writeFileSync(file, text.replace(IMPORTS, () => imports + IMPORTS).replace(ENTRIES, () => entries + ENTRIES));
}
