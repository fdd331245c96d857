// The scaffold writes a complete incident that passes content validation, and refuses bad slugs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { validateContent } from '../../src/lib/validate.ts';

const ROOT = join(import.meta.dirname, '..', '..');

function sandbox(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kb-scaffold-'));
  for (const p of ['src', 'content', 'repros', 'package.json']) cpSync(join(ROOT, p), join(dir, p), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

test('new-incident scaffolds a page, a repro, claims and a failing test stub', () => {
  const dir = sandbox();
  const r = spawnSync(process.execPath, [join(dir, 'repros', 'new-incident.ts'), 'dns-timeouts'], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  for (const f of ['content/incidents/dns-timeouts.mdx', 'repros/dns-timeouts/claims.ts', 'repros/dns-timeouts/page.ts', 'repros/dns-timeouts/repro.ts', 'tests/repros/dns-timeouts.scenarios.test.ts']) {
    assert.ok(existsSync(join(dir, f)), f);
  }
  assert.match(readFileSync(join(dir, 'repros', 'lib', 'registry.ts'), 'utf8'), /import \{ repro as dnsTimeouts \} from '\.\.\/dns-timeouts\/repro\.ts';[\s\S]*\n  dnsTimeouts,\n/);
  const problems = validateContent({ root: dir, repros: ['dns-timeouts'] }).filter((p) => p.file.includes('dns-timeouts'));
  assert.deepEqual(problems, []);
  const again = spawnSync(process.execPath, [join(dir, 'repros', 'new-incident.ts'), 'dns-timeouts'], { cwd: dir, encoding: 'utf8' });
  assert.equal(again.status, 2);
  assert.match(again.stderr, /already exists/);
});

test('new-incident refuses a slug that is not kebab-case, naming what is valid', () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'repros', 'new-incident.ts'), 'DNS_Timeouts'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /"DNS_Timeouts" is not a valid slug: use lower-case letters, digits and single dashes/);
});
