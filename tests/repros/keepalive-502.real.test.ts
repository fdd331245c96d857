// keepalive-502 on the real tier: the kernel's NAT in kube-proxy-shaped chains and Debian's nginx, in a
// network namespace each run creates (unshare -Urn), at scale 0.2 like the stand-in tests: preStop 3 s,
// grace period 6 s, one request every 200 ms, nginx fail_timeout 2 s. Each run takes about 8-10 s.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { runScenario } from '../../repros/lib/runner.ts';
import { assertReport } from '../lib/claims.ts';
import { realTier } from '../lib/real.ts';

const SCALE = 0.2;
import { REAL_TOOLS as TOOLS } from '../../repros/keepalive-502/repro.ts';

/** Processes whose command line names a run directory of this repro's real tier (none may outlive a run). */
function strays(): string[] {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).flatMap((pid) => {
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      return [];
    }
    return cmd.includes('keepalive-502-real-') ? [`${pid}: ${cmd}`] : [];
  });
}

test('real broken: through stock nginx and the kernel\'s NAT, the old connection serves through preStop, 503 passed through, conntrack -D resets', { timeout: 60_000 }, async (t) => {
  if (!realTier(t, TOOLS, false)) return;
  const r = await runScenario('keepalive-502', 'broken', { scale: SCALE, tier: 'real' });
  assert.equal(r.tier, 'real');
  assert.match(r.versions?.nginx ?? '', /^\d+\.\d+\.\d+$/);
  assertReport(r);
  const o = r.observations as { status502: number; freshConnectionsAfterDeletion: string[]; deletedPod: string };
  assert.equal(o.status502, 0, 'stock nginx never answered 502');
  assert.ok(o.freshConnectionsAfterDeletion.length > 0, 'fresh connections were opened after the deletion');
  assert.ok(o.freshConnectionsAfterDeletion.every((p) => p !== o.deletedPod && p.startsWith('pod-')), `every fresh connection reached the ready pod: ${o.freshConnectionsAfterDeletion.join(', ')}`);
  assert.deepEqual(strays(), []);
});

test('real single-replica-service: a terminating single replica keeps getting connections; stock nginx passes 503s, two servers with http_503 burst', { timeout: 60_000 }, async (t) => {
  if (!realTier(t, TOOLS, false)) return;
  const r = await runScenario('keepalive-502', 'single-replica-service', { scale: SCALE, tier: 'real' });
  assertReport(r);
  const o = r.observations as { freshConnectionsAfterDeletion: string[]; errorLogSample: string[] };
  assert.ok(o.freshConnectionsAfterDeletion.every((p) => p === 'pod-0'), 'every fresh connection reached the terminating pod');
  assert.ok(o.errorLogSample.some((l) => l.startsWith('[error] no live upstreams while connecting to upstream')));
  assert.deepEqual(strays(), []);
});

test('real tier: a scenario without one is refused with the list of those that have one (exit 2 in the CLI)', async () => {
  await assert.rejects(runScenario('keepalive-502', 'fixed', { scale: SCALE, tier: 'real' }), /no real tier\. Scenarios with one: broken, single-replica-service/);
});
