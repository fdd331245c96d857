// The repro runner's handling of bad input: a clear message and exit code 2.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { reproSlugs } from '../../repros/lib/registry.ts';

const CLI = join(import.meta.dirname, '..', '..', 'repros', 'cli.ts');
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30_000 });

test('list names every repro with a description', () => {
  const r = run('list');
  assert.equal(r.status, 0, r.stderr);
  for (const slug of reproSlugs()) assert.match(r.stdout, new RegExp(`^${slug} +\\S`, 'm'));
});

test('an unknown repro exits 2 and lists the valid ones', () => {
  const r = run('no-such-incident');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown repro "no-such-incident"\. Valid: .*list/);
});

test('no arguments prints usage and exits 2', () => {
  const r = run();
  assert.equal(r.status, 2);
  assert.match(r.stdout, /usage:/);
});

for (const slug of reproSlugs()) {
  test(`${slug}: an unknown scenario, a bad flag and a bad scale exit 2 with what is valid`, () => {
    const s = run(slug, 'no-such-scenario');
    assert.equal(s.status, 2);
    assert.match(s.stderr, /has no scenario or component "no-such-scenario"\. Scenarios: /);
    const f = run(slug, '--no-such-flag');
    assert.equal(f.status, 2);
    assert.match(f.stderr, /unknown flag --no-such-flag\. Valid flags: --scale, --json/);
    const sc = run(slug, '--scale', 'fast');
    assert.equal(sc.status, 2);
    assert.match(sc.stderr, /--scale must be a number, got "fast"/);
  });
  test(`${slug}: --help lists scenarios and flags`, () => {
    const r = run(slug, '--help');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /scenarios:/);
    assert.match(r.stdout, /--scale/);
  });
}
