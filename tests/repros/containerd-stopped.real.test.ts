// containerd-stopped on the real tier: the app as a CRI container under a private containerd 1.6 +
// runc, the daemon stopped the way `systemctl stop containerd` stops it. Same claims as the stand-in
// runs (containerd-stopped.scenarios.test.ts), now verified against the real shim, FIFO and CRI plugin.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PREDICTIONS, RUN } from '../../repros/containerd-stopped/constants.ts';
import { DEFAULT_PIPE_BYTES, linesPerPipe, SHIM_BUFFER_BYTES } from '../../repros/containerd-stopped/pipe-math.ts';
import { REAL_TOOLS } from '../../repros/containerd-stopped/real/node.ts';
import { runScenario } from '../../repros/lib/runner.ts';
import { assertReport } from '../lib/claims.ts';
import { realTier } from '../lib/real.ts';

const SCALE = 0.01;

test('real pipe-hang: containerd stopped, the container blocks in anon_pipe_write after the predicted count; restart loses nothing', async (t) => {
  if (!realTier(t, REAL_TOOLS)) return;
  const report = await runScenario('containerd-stopped', 'pipe-hang', { scale: SCALE, tier: 'real' });
  assert.equal(report.tier, 'real');
  assert.equal(report.checks.length, 10, 'pipe-hang checks ten claims on the real tier');
  assertReport(report);
  const o = report.observations;
  assert.equal(o.fifoBytes, 65_536, "the CRI FIFO has the kernel's default capacity too");
  // The ground truth behind the stand-in's arithmetic (container pipe + the shim's buffer + FIFO),
  // read from the kernel with FIONREAD. The container pipe is always exactly 16 slots of whole lines
  // (the app writes one line per write). The shim holds what its last read(2) returned: one line when
  // it keeps up (then the count is exactly the prediction), up to a 4 KiB buffer's worth on a busy
  // machine; and a merged write can leave the end of a FIFO slot unused.
  const where = o.linesWhere as { containerPipeLines: number; shimLines: number; fifoLines: number };
  const perPipe = linesPerPipe(DEFAULT_PIPE_BYTES, RUN.lineBytes);
  assert.equal(where.containerPipeLines, perPipe, 'the container stdout pipe holds 16 page slots of whole lines');
  assert.ok(where.shimLines >= 1 && where.shimLines <= Math.floor(SHIM_BUFFER_BYTES / RUN.lineBytes), `the shim holds 1 to one 4 KiB buffer of lines, held ${where.shimLines}`);
  assert.ok(where.fifoLines <= perPipe, `the FIFO holds at most 16 slots of lines, held ${where.fifoLines}`);
  assert.equal(o.requestsAfterStop, where.containerPipeLines + where.shimLines + where.fifoLines);
  if (where.shimLines === 1 && where.fifoLines === perPipe) assert.equal(o.requestsAfterStop, PREDICTIONS.requestsBeforeHang);
});

test('real bigger-pipe: F_SETPIPE_SZ on the container pipe and the CRI FIFO', async (t) => {
  if (!realTier(t, REAL_TOOLS)) return;
  const report = await runScenario('containerd-stopped', 'bigger-pipe', { scale: SCALE, tier: 'real' });
  assertReport(report);
  const big = report.observations.bigPipes as { appPipe: { after: number }; fifo: { after: number } };
  assert.equal(big.appPipe.after, RUN.bigPipeBytes, 'the kernel granted 1 MiB for the container pipe');
  assert.equal(big.fifo.after, RUN.bigPipeBytes, 'and for the CRI FIFO');
});

test('real fixed-logger: no hang while containerd is down, drops counted exactly', async (t) => {
  if (!realTier(t, REAL_TOOLS)) return;
  const report = await runScenario('containerd-stopped', 'fixed-logger', { scale: SCALE, tier: 'real' });
  assertReport(report);
  assert.ok((report.observations.reportedDropped as number) > 0, 'with containerd down for 2,000 requests, some lines must have been dropped');
});
