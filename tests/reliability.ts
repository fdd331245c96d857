// npm run reliability [-- --runs 10 --loaded-runs 5]
// Runs the whole `npm test` again and again, first on an idle machine and then with every core kept
// busy by a CPU hog (one spinning worker per core), and reports every run that failed. A flaky test
// is a bug: this is how to find one.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

const ROOT = join(import.meta.dirname, '..');
const args = process.argv.slice(2);
function num(name: string, def: number): number {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return def;
  const v = Number(args[i + 1]);
  if (!Number.isInteger(v) || v < 0) {
    console.error(`--${name} must be a whole number >= 0, got "${args[i + 1]}"`);
    process.exit(2);
  }
  return v;
}
const runs = num('runs', 10);
const loadedRuns = num('loaded-runs', 5);

function hog(): () => Promise<void> {
  const workers = Array.from({ length: availableParallelism() }, () => new Worker('for (;;) {}', { eval: true }));
  return async () => {
    await Promise.all(workers.map((w) => w.terminate()));
  };
}

// Every run's full output is kept, so a failure can be read afterwards and not only counted.
const LOGS = join(ROOT, '.cache', 'reliability');
mkdirSync(LOGS, { recursive: true });

const results: { run: string; ok: boolean; seconds: number; tail: string }[] = [];
function once(label: string): void {
  const t0 = performance.now();
  const r = spawnSync('npm', ['test'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const out = (r.stdout ?? '') + (r.stderr ?? '');
  const log = join(LOGS, `${label.replace(/[^a-z0-9]+/gi, '-').replace(/-+$/, '')}.log`);
  writeFileSync(log, out);
  const tail = out.split('\n').filter((l) => /^(FAIL|PASS) |passed, \d+ failed/.test(l)).join('\n');
  results.push({ run: label, ok: r.status === 0, seconds: (performance.now() - t0) / 1000, tail });
  console.log(`${label}: ${r.status === 0 ? 'pass' : 'FAIL'} in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  if (r.status !== 0) console.log(`${tail}\n  full output: ${log}`);
}

for (let i = 1; i <= runs; i++) once(`idle run ${i}/${runs}`);
if (loadedRuns > 0) {
  const stop = hog();
  try {
    for (let i = 1; i <= loadedRuns; i++) once(`loaded run ${i}/${loadedRuns} (${availableParallelism()} cores busy)`);
  } finally {
    await stop();
  }
}
const failed = results.filter((r) => !r.ok).length;
console.log(`\nreliability: ${results.length} runs of npm test`);
console.log(`${results.length - failed} passed, ${failed} failed`);
writeFileSync(join(LOGS, 'summary.json'), `${JSON.stringify({ cores: availableParallelism(), results }, null, 2)}\n`);
process.exit(failed === 0 ? 0 : 1);
