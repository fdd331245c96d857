// The log-pipe hang with real processes and real pipes: one run per scenario, each feeding several
// claims, plus the pieces the claims rest on (the CRI log format, the page-slot arithmetic).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { EventStream } from '../../repros/lib/child-events.ts';
import { waitFor } from '../../repros/lib/clock.ts';
import { childArgv } from '../../repros/lib/flags.ts';
import { COPIER_FLAGS, type CopierEvent } from '../../repros/containerd-stopped/children.ts';
import { CriLineSplitter, MAX_CONTAINER_LOG_LINE_BYTES } from '../../repros/containerd-stopped/cri-logger.ts';
import { makeFifo } from '../../repros/containerd-stopped/linux-pipe.ts';
import { COPIER_SCRIPT } from '../../repros/containerd-stopped/pipe-chain.ts';
import { runScenario } from '../../repros/lib/runner.ts';
import { claims } from '../../repros/containerd-stopped/claims.ts';
import { PREDICTIONS, RUN } from '../../repros/containerd-stopped/constants.ts';
import { accessLogLine, auditLog, criLogEntry, reassemble, requestNumberOf, rfc3339Nano } from '../../repros/containerd-stopped/log-line.ts';
import { chainCeilingBytes, linesPerPipe, predictedRequestsBeforeHang } from '../../repros/containerd-stopped/pipe-math.ts';
import { judge } from '../../repros/lib/claims.ts';
import { assertReport } from '../lib/claims.ts';

const SCALE = 0.01;

test('pipe-hang: the app hangs in the pipe write, probes disagree, and containerd coming back loses nothing', async () => {
  const report = await runScenario('containerd-stopped', 'pipe-hang', { scale: SCALE });
  const ids = report.checks.map((c) => c.claim.id);
  for (const id of ['default-pipe-capacity', 'hang-bytes', 'hang-requests', 'wchan', 'tcp-connect-while-hung', 'http-no-response-while-hung', 'tcp-probe-passes', 'http-probe-fails', 'waiting-requests-complete', 'log-exactly-once']) {
    assert.ok(ids.includes(id), `pipe-hang checks ${id}`);
  }
  assertReport(report);
  assert.equal(report.observations.fifoBytes, 65_536, 'the FIFO has the default capacity too');
});

test('bigger-pipe: 1 MiB pipes last about 16 times longer', async () => {
  const report = await runScenario('containerd-stopped', 'bigger-pipe', { scale: SCALE });
  assertReport(report);
  const big = report.observations.bigPipes as { appPipe: { after: number }; fifo: { after: number } };
  assert.equal(big.appPipe.after, RUN.bigPipeBytes, 'the kernel granted 1 MiB for the app pipe');
  assert.equal(big.fifo.after, RUN.bigPipeBytes, 'and for the FIFO');
});

test('fixed-logger: never hangs, and its drop count accounts for every missing line', async () => {
  const report = await runScenario('containerd-stopped', 'fixed-logger', { scale: SCALE });
  assertReport(report);
  assert.ok((report.observations.reportedDropped as number) > 0, 'with containerd down for 2,000 requests, some lines must have been dropped');
  const audit = report.observations.logAudit as { duplicated: number; outOfOrder: number };
  assert.equal(audit.duplicated, 0);
  assert.equal(audit.outOfOrder, 0);
});

test('console-log: no hang, the unsent log grows in memory', async () => {
  const report = await runScenario('containerd-stopped', 'console-log', { scale: SCALE });
  assertReport(report);
});

test('a wrong observation does not pass a claim (the checks can fail)', () => {
  assert.equal(judge(claims['log-exactly-once'], { missing: 1, duplicated: 0, outOfOrder: 0 }).pass, false);
  assert.equal(judge(claims['hang-bytes'], 200_000).pass, false);
  assert.equal(judge(claims.wchan, 'do_epoll_wait').pass, false);
});

test('page-slot arithmetic: 243-byte lines fill 16 x 16 lines per 64 KiB pipe, not 65,536 / 243', () => {
  assert.equal(linesPerPipe(65_536, 243), 256);
  assert.equal(linesPerPipe(65_536, 1550), 32);
  assert.equal(chainCeilingBytes(65_536, 65_536), 135_168);
  assert.equal(predictedRequestsBeforeHang(243, 65_536, 65_536), 513);
  assert.equal(PREDICTIONS.naiveRequests, 556);
  assert.throws(() => linesPerPipe(65_536, 5000));
});

test('log lines: fixed length, request number recoverable, CRI entries round-trip with partial lines, a half-written entry waits', () => {
  const line = accessLogLine(42, '/orders', 200, RUN.lineBytes, new Date('2026-01-02T03:04:05.678Z'));
  assert.equal(line.length, RUN.lineBytes);
  assert.ok(line.endsWith('\n'));
  assert.equal(requestNumberOf(line), 42);
  assert.equal(rfc3339Nano(1_767_323_045_678_900_000n), '2026-01-02T03:04:05.6789Z');
  assert.equal(rfc3339Nano(1_767_323_045_000_000_000n), '2026-01-02T03:04:05Z');
  const body = line.slice(0, -1);
  const text = criLogEntry(1n, 'stdout', 'P', body.slice(0, 100)) + criLogEntry(2n, 'stdout', 'F', body.slice(100));
  assert.deepEqual(reassemble(text), [body]);
  // A log read while the runtime appends to it: the entry not yet ended by its newline waits.
  const next = criLogEntry(3n, 'stdout', 'F', 'next');
  assert.deepEqual(reassemble(text + next.slice(0, 20)), [body]);
  assert.deepEqual(reassemble(text + next), [body, 'next']);
  const audit = auditLog([accessLogLine(1, '/', 200, 243), accessLogLine(3, '/', 200, 243), accessLogLine(3, '/', 200, 243), accessLogLine(2, '/', 200, 243)], 1, 3);
  assert.deepEqual({ missing: audit.missing, duplicated: audit.duplicated, outOfOrder: audit.outOfOrder }, { missing: 0, duplicated: 1, outOfOrder: 2 });
});

test('CRI logger port (redirectLogs): F per line, P parts of 16 KiB for longer lines, P for a tail only at end of input', () => {
  const sp = new CriLineSplitter();
  const show = (es: { tag: string; content: Buffer }[]) => es.map((e) => `${e.tag}${e.content.length}`);
  assert.deepEqual(show(sp.push(Buffer.from('abc\n\nxy\r\n'))), ['F3', 'F0', 'F2'], 'empty lines are entries; CRLF loses the CR');
  const long = Buffer.alloc(40_000, 0x61);
  assert.deepEqual(show(sp.push(Buffer.concat([long, Buffer.from('\n')]))), [`P${MAX_CONTAINER_LOG_LINE_BYTES}`, `P${MAX_CONTAINER_LOG_LINE_BYTES}`, `F${40_000 - 2 * MAX_CONTAINER_LOG_LINE_BYTES}`]);
  const exact = Buffer.alloc(MAX_CONTAINER_LOG_LINE_BYTES, 0x62);
  assert.deepEqual(show(sp.push(Buffer.concat([exact, Buffer.from('\n')]))), [`F${MAX_CONTAINER_LOG_LINE_BYTES}`], 'exactly the limit is one entry');
  // Arrival in pieces does not change the entries.
  const pieces = new CriLineSplitter();
  const out = [...pieces.push(Buffer.from('hel')), ...pieces.push(Buffer.from('lo\nwor')), ...pieces.push(Buffer.from('ld\n'))];
  assert.deepEqual(out.map((e) => e.content.toString()), ['hello', 'world']);
  // An unfinished line: held, not written, until its newline or the end of input.
  assert.deepEqual(pieces.push(Buffer.from('half')), []);
  assert.equal(pieces.heldBytes(), 4);
  assert.deepEqual(pieces.end().map((e) => `${e.tag}:${e.content.toString()}`), ['P:half']);
});

test('cri-log-copier stopped with half a line read: no flush, the half is lost, like containerd', { timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cri-copier-'));
  const fifo = join(dir, 'stdout');
  const log = join(dir, '0.log');
  makeFifo(fifo);
  const writer = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
  const start = async () => {
    const child = spawn(process.execPath, [COPIER_SCRIPT, ...childArgv(COPIER_FLAGS, { fifo, log })], { stdio: ['ignore', 'pipe', 'pipe'] });
    await Promise.race([
      new EventStream<CopierEvent>(child.stdout).waitFor('the copier to attach', (e) => e.ev === 'attached', { timeoutMs: 20_000 }),
      new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`copier exited ${code}`)))),
    ]);
    return child;
  };
  const entries = () => {
    try {
      return readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => l.split(' ').slice(2).join(' '));
    } catch {
      return [];
    }
  };
  try {
    const first = await start();
    writeSync(writer, 'line-1\nhal');
    await waitFor('line-1 in the log', () => (entries().length >= 1 ? true : undefined), { timeoutMs: 10_000, intervalMs: 20 });
    const exited = new Promise((r) => first.once('exit', r));
    first.kill('SIGTERM');
    await exited;
    assert.deepEqual(entries(), ['F line-1'], 'no P entry written on the stop');
    const second = await start();
    writeSync(writer, 'f-line\nline-3\n');
    await waitFor('line-3 in the log', () => (entries().includes('F line-3') ? true : undefined), { timeoutMs: 10_000, intervalMs: 20 });
    assert.deepEqual(entries(), ['F line-1', 'F f-line', 'F line-3'], 'the 3 bytes the first copier had read are gone');
    const gone = new Promise((r) => second.once('exit', r));
    second.kill('SIGTERM');
    await gone;
  } finally {
    closeSync(writer);
    rmSync(dir, { recursive: true, force: true });
  }
});
