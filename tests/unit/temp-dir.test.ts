import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { PARENT_PID_ENV } from '../../repros/lib/child.ts';
import { ProcessGroup } from '../../repros/lib/processes.ts';
import { OWNED_TEMP_DIR, ownedTempDir, runTempDir, sweepOrphanedTempDirs } from '../../repros/lib/temp-dir.ts';

/** A pid that existed and is gone: a process that has exited (pids are not reused at once). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

test('a run directory is named for its owner, and a sweep removes only those whose owner is gone', () => {
  const base = mkdtempSync(join(tmpdir(), 'temp-dir-test-'));
  try {
    const mine = ownedTempDir('containerd-stopped', base);
    assert.equal(OWNED_TEMP_DIR.exec(basename(mine))?.[1], String(process.pid));
    const dead = deadPid();
    const orphan = join(base, `rr-containerd-stopped-${dead}-Ab12Cd`);
    const other = join(base, `containerd-stopped-${dead}-Ab12Cd`);
    const ctrd = join(base, 'rr-ctrd-Ab12Cd');
    for (const d of [orphan, other, ctrd]) mkdirSync(d);
    assert.deepEqual(sweepOrphanedTempDirs(base), [basename(orphan)]);
    assert.deepEqual(readdirSync(base).sort(), [basename(ctrd), basename(other), basename(mine)].sort());
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('a run directory goes when the run\'s processes are stopped', async () => {
  const base = mkdtempSync(join(tmpdir(), 'temp-dir-test-'));
  try {
    const procs = new ProcessGroup();
    const dir = runTempDir(procs, 'keepalive-502-real', base);
    assert.ok(existsSync(dir));
    await procs.stopAll();
    assert.equal(existsSync(dir), false);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('repros make temporary directories only through temp-dir.ts, so the interrupt test can find them by the runner\'s pid', () => {
  const root = join(import.meta.dirname, '..', '..', 'repros');
  // The real tier's containerd directory has a watchdog of its own (lib/real/watchdog.ts) and may live
  // under REPRO_REAL_DIR; the interrupt test checks it by path.
  const allowed = new Set(['lib/temp-dir.ts', 'lib/real/containerd.ts']);
  const offenders = readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !allowed.has(f.split('\\').join('/')))
    .filter((f) => /\bmkdtemp(Sync)?\(/.test(readFileSync(join(root, f), 'utf8')));
  assert.deepEqual(offenders, [], 'use runTempDir (or ownedTempDir) from repros/lib/temp-dir.ts');
});

test('a child whose starter died before it could note its parent pid exits all the same', async () => {
  const child = join(import.meta.dirname, '..', '..', 'repros', 'lib', 'child.ts');
  const script = `import { exitWhenParentDies } from ${JSON.stringify(child)}; exitWhenParentDies(); setTimeout(() => process.exit(0), 5000);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, [PARENT_PID_ENV]: String(deadPid()) }, timeout: 10_000 });
  assert.equal(r.status, 1, 'it noticed within a parent check that its starter is gone');
});
