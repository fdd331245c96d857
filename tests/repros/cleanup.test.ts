// Ctrl-C (SIGINT) or SIGTERM on `npm run repro` stops every process it started, and so does a
// SIGKILL of the runner (its children notice that their parent is gone): for every repro's default
// scenario and every component it can start alone. The runner is started as the leader of a
// new process group; afterwards no process of that group may be left.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadAllRepros } from '../../repros/lib/registry.ts';

const CLI = join(import.meta.dirname, '..', '..', 'repros', 'cli.ts');

function groupMembers(pgid: number): number[] {
  const r = spawnSync('ps', ['-e', '-o', 'pid=,pgid='], { encoding: 'utf8' });
  return r.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number))
    .filter(([, g]) => g === pgid)
    .map(([p]) => p as number);
}

async function interruptAfterFirstOutput(args: string[], signal: NodeJS.Signals): Promise<{ code: number | null; left: number[] }> {
  const child = spawn(process.execPath, [CLI, ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const pgid = child.pid as number;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no output within 20 s from ${args.join(' ')}`)), 20_000);
    const on = (): void => {
      clearTimeout(t);
      resolve();
    };
    child.stdout.once('data', on);
    child.stderr.once('data', on);
  });
  // Let it start its children (they announce themselves before the parent prints most lines).
  await new Promise((r) => setTimeout(r, 500));
  child.kill(signal);
  const code = await Promise.race([exited.then((c) => c ?? -1), new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000))]);
  if (code === 'timeout') {
    process.kill(-pgid, 'SIGKILL');
    return { code: null, left: [-1] };
  }
  // Children get up to a few seconds to finish their own exit after the runner is gone.
  let left = groupMembers(pgid);
  for (let i = 0; i < 50 && left.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    left = groupMembers(pgid);
  }
  if (left.length > 0) process.kill(-pgid, 'SIGKILL');
  return { code, left };
}

const repros = await loadAllRepros();
for (const repro of repros) {
  // Every signal on the default scenario; Ctrl-C on each component (the same runner code path).
  const runs: [string, string[], readonly NodeJS.Signals[]][] = [
    [`${repro.slug} default scenario`, [repro.slug, '--scale', '0.05'], ['SIGINT', 'SIGTERM', 'SIGKILL']],
    ...Object.keys(repro.components ?? {}).map((c): [string, string[], readonly NodeJS.Signals[]] => [`${repro.slug} ${c}`, [repro.slug, c], ['SIGINT']]),
  ];
  for (const [name, args, signals] of runs) {
    for (const sig of signals) {
      test(`${name}: ${sig} leaves no process behind`, async () => {
        const r = await interruptAfterFirstOutput(args, sig);
        assert.deepEqual(r.left, [], `processes left in the group: ${r.left.join(', ')}`);
        assert.notEqual(r.code, null, 'the runner did not exit within 15 s');
        if (sig !== 'SIGKILL') assert.equal(r.code, 130, 'an interrupted run exits with 130');
      });
    }
  }
}
