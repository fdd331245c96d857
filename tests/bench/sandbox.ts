// The folders the bench builds in: each build gets one of its own under the project's .cache/bench/
// (ignored by git), removed when the build is measured, and whatever is left when the bench ends,
// fails or is interrupted, except a folder it was asked to keep (--keep).
//
// Not in the system's temporary folder: a sandbox links the project's node_modules, and Astro takes
// the path of an .astro file that shares no parent folder with the project root as relative to that
// root (normalizeFilename in astro/dist/vite-plugin-utils), so Starlight's components failed to
// build from /tmp when the clone was elsewhere. Both sites are built from the same place.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const live = new Set<string>();
const kept = new Set<string>();

process.once('exit', () => {
  for (const dir of live) if (!kept.has(dir)) rmSync(dir, { recursive: true, force: true });
});
// An interrupted bench ends through process.exit, so the folders above are removed.
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) process.once(signal, () => process.exit(code));

/** A new, empty folder for one build under <root>/.cache/bench/, named <prefix>XXXXXX. */
export function sandboxDir(root: string, prefix: string): string {
  const parent = join(root, '.cache', 'bench');
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, prefix));
  live.add(dir);
  return dir;
}

export function removeSandbox(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  live.delete(dir);
  kept.delete(dir);
}

/**
 * A site configuration line that keeps Astro's cache in the build's own folder. A sandbox links the
 * project's node_modules, where Astro keeps its content cache by default (node_modules/.astro: the
 * Markdown of every entry, rendered), so without it a build would start from whatever the build before
 * it left there, the project's own or another sandbox's, and be measured warm.
 */
export const OWN_CACHE_DIR = "cacheDir: './.astro-cache',";

/** Leaves the folder in place when the bench ends. */
export function keepSandbox(dir: string): void {
  kept.add(dir);
}
