// Temporary folders for tests: each is removed when the test file ends, however its tests end.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

const made: string[] = [];
// Imported at the top of a test file, so the hook belongs to the file's root test.
after(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A new empty folder under the system's temporary directory, named kb-<what>-XXXXXX. */
export function testDir(what: string): string {
  const dir = mkdtempSync(join(tmpdir(), `kb-${what}-`));
  made.push(dir);
  return dir;
}
