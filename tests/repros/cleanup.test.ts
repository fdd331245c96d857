// Ctrl-C (SIGINT), SIGTERM and a SIGKILL of `npm run repro` in the middle of a run stop every process
// it started and close every port those processes listened on: for every scenario of every repro
// (SIGINT and SIGKILL; SIGTERM too on the default one) and every component started alone (SIGINT).
// After a SIGKILL the runner cannot clean up; its children notice that their parent is gone.
//
// The runner is started as the leader of a new process group. Its process tree and listening
// sockets are read from /proc while it runs (tests/lib/procs.ts). It is interrupted once it has
// printed something, a scenario's processes listen (a component may only connect), and the tree has
// then stayed the same for half a second. Afterwards no process it ever had may still run, and none
// of their sockets may still listen. A model run ends on its own without starting a process and is
// reported as skipped.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadAllRepros } from '../../repros/lib/registry.ts';
import { HAVE_PROC, listenersOf, stillListening, stillRunning, treeOf, type Listener, type Proc } from '../lib/procs.ts';

const CLI = join(import.meta.dirname, '..', '..', 'repros', 'cli.ts');
const POLL_MS = 100;
/** Polls in a row with the same processes and sockets before the run counts as up. */
const SETTLED_POLLS = 5;
/** Longest wait for a run to come up; a busy 2-core machine starts a topology in a few seconds. */
const UP_WITHIN_MS = 30_000;
/** Longest wait for the runner to exit after the signal (its own shutdown is well under a second). */
const EXIT_WITHIN_MS = 15_000;
/** Children of a SIGKILLed runner poll for their parent every 250 ms (repros/lib/child.ts). */
const GONE_WITHIN_MS = 5_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Outcome {
  /** The run ended on its own before it could be interrupted. */
  endedEarly: boolean;
  code: number | null;
  /** Every process and listening socket seen while it ran. */
  procs: Proc[];
  listeners: Listener[];
  /** What was still there afterwards. */
  leftProcs: Proc[];
  leftListeners: Listener[];
}

async function interruptMidRun(args: string[], signal: NodeJS.Signals, serves: boolean): Promise<Outcome> {
  const child = spawn(process.execPath, [CLI, ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const root = child.pid as number;
  let code: number | null | undefined;
  const exited = new Promise<void>((resolve) => child.once('exit', (c) => ((code = c ?? -1), resolve())));
  let printed = false;
  const onData = (): void => {
    printed = true;
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);

  const procs = new Map<string, Proc>();
  const listeners = new Map<string, Listener>();
  let last = '';
  let same = 0;
  const upBy = performance.now() + UP_WITHIN_MS;
  while (code === undefined && performance.now() < upBy) {
    await sleep(POLL_MS);
    const tree = treeOf(root);
    const socks = listenersOf(tree);
    for (const p of tree) procs.set(`${p.pid}/${p.start}`, p);
    for (const l of socks) listeners.set(l.inode, l);
    const key = `${tree.map((p) => p.pid).sort().join()}|${socks.map((l) => l.inode).sort().join()}`;
    same = key === last ? same + 1 : 0;
    last = key;
    const up = printed && (!serves || !HAVE_PROC || socks.length > 0);
    if (up && same >= SETTLED_POLLS) break;
  }
  const endedEarly = code !== undefined;
  if (!endedEarly) {
    child.kill(signal);
    await Promise.race([exited, sleep(EXIT_WITHIN_MS)]);
  }

  const seen = [...procs.values()];
  const left = (): [Proc[], Listener[]] => {
    const running = new Map([...stillRunning(seen), ...treeOf(root)].map((p) => [p.pid, p]));
    return [[...running.values()], stillListening([...listeners.values()])];
  };
  let [leftProcs, leftListeners] = left();
  const goneBy = performance.now() + GONE_WITHIN_MS;
  while ((leftProcs.length > 0 || leftListeners.length > 0) && performance.now() < goneBy) {
    await sleep(POLL_MS);
    [leftProcs, leftListeners] = left();
  }
  // Never leave anything behind for the next test, whatever this one concludes.
  for (const p of leftProcs) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return { endedEarly, code: code ?? null, procs: seen, listeners: [...listeners.values()], leftProcs, leftListeners };
}

const repros = await loadAllRepros();
for (const repro of repros) {
  const runs: { name: string; args: string[]; signals: readonly NodeJS.Signals[]; serves: boolean }[] = [
    ...Object.keys(repro.scenarios).map((s) => ({
      name: `${repro.slug} ${s}`,
      args: [repro.slug, s],
      signals: s === repro.defaultScenario ? (['SIGINT', 'SIGTERM', 'SIGKILL'] as const) : (['SIGINT', 'SIGKILL'] as const),
      serves: true,
    })),
    // Ctrl-C on each component alone; some of them only connect (a client, the log copier).
    ...Object.keys(repro.components ?? {}).map((c) => ({ name: `${repro.slug} component ${c}`, args: [repro.slug, c], signals: ['SIGINT'] as const, serves: false })),
  ];
  for (const { name, args, signals, serves } of runs) {
    for (const sig of signals) {
      test(`${name}: ${sig} mid-run leaves no process and no listening port behind`, async (t) => {
        const r = await interruptMidRun(args, sig, serves);
        if (r.endedEarly && r.procs.length <= 1) {
          t.skip('a model run: it finished at once without starting a process, so there is nothing to interrupt');
          return;
        }
        assert.equal(r.endedEarly, false, `the run ended on its own (exit ${r.code}) before it could be interrupted`);
        if (serves && HAVE_PROC) assert.ok(r.listeners.length > 0, `none of its processes listened within ${UP_WITHIN_MS / 1000} s`);
        assert.deepEqual(r.leftProcs.map((p) => p.pid), [], `processes left: ${r.leftProcs.map((p) => p.pid).join(', ')}`);
        assert.deepEqual(r.leftListeners.map((l) => l.port), [], `ports still listening: ${r.leftListeners.map((l) => l.port).join(', ')}`);
        assert.notEqual(r.code, null, `the runner did not exit within ${EXIT_WITHIN_MS / 1000} s`);
        if (sig !== 'SIGKILL') assert.equal(r.code, 130, 'an interrupted run exits with 130');
      });
    }
  }
}
