// The repro runner's handling of bad input: a clear message and exit code 2.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { HOST } from '../../repros/lib/address.ts';
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

test('--port 0 starts a component on a free port and prints the port it bound', async () => {
  const child = spawn(process.execPath, [CLI, 'keepalive-502', 'pod', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let out = '';
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "listening on" line in 20 s: ${out}`)), 20_000);
      const onData = (c: Buffer): void => {
        out += c.toString();
        const m = new RegExp(`listening on ${HOST.replaceAll('.', '\\.')}:(\\d+)`).exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => reject(new Error(`exited ${code} before listening: ${out}`)));
    });
    assert.ok(port > 0, `bound port ${port}`);
    const res = await fetch(`http://${HOST}:${port}/ok.htm`);
    assert.equal(res.status, 200);
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGINT');
    await exited;
  }
});

test('a child started without a required flag exits 2 naming it', () => {
  const client = join(import.meta.dirname, '..', '..', 'repros', 'keepalive-502', 'client.ts');
  const r = spawnSync(process.execPath, [client, '--interval-ms', '10'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^client: --target is required \(the URL to request\)$/m);
  const bad = spawnSync(process.execPath, [client, '--target', `http://${HOST}:1/`, '--interval-ms', 'soon'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--interval-ms must be a number, got "soon"/);
});
