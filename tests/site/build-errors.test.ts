// End to end: `astro build` itself refuses a malformed page, with the message the author needs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { testDir } from '../lib/temp.ts';

const ROOT = join(import.meta.dirname, '..', '..');

test('astro build fails on a malformed incident page, naming file, field and allowed values', () => {
  const dir = testDir('build');
  for (const p of ['src', 'content', 'repros', 'astro.config.mjs', 'package.json', 'tsconfig.json']) {
    cpSync(join(ROOT, p), join(dir, p), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  mkdirSync(join(dir, 'content', 'incidents'), { recursive: true });
  writeFileSync(
    join(dir, 'content', 'incidents', 'broken-page.md'),
    '---\ntitle: "A page with a bad severity"\nseverity: urgent\n---\n\n## Summary\n\nText.\n',
  );
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'astro', 'bin', 'astro.mjs'), 'build', '--outDir', join(dir, 'out')], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 120_000,
  });
  const out = r.stdout + r.stderr;
  assert.notEqual(r.status, 0, 'the build must fail');
  assert.match(out, /content\/incidents\/broken-page\.md: field "severity": .*"SEV1"/);
  assert.match(out, /content\/incidents\/broken-page\.md: field "summary"/);
  assert.match(out, /content\/incidents\/broken-page\.md: the "##" sections must be exactly/);
});
