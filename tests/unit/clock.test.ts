// The shared waits of repros/lib/clock.ts: waitFor woken by an event, its timeout message, within and tickFor.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stopwatch, tickFor, Wakeup, waitFor, within } from '../../repros/lib/clock.ts';

test('waitFor with a Wakeup checks again when notified, not only at its interval', async () => {
  const wake = new Wakeup();
  let ready = false;
  setTimeout(() => {
    ready = true;
    wake.notify();
  }, 20);
  const elapsed = stopwatch();
  // An interval far longer than the test: only the notify can end the wait in time.
  const v = await waitFor('the flag', () => (ready ? 'done' : undefined), { timeoutMs: 10_000, intervalMs: 5_000, wake });
  assert.equal(v, 'done');
  assert.ok(elapsed() < 4_000, `woken early, after ${Math.round(elapsed())} ms`);
});

test('waitFor names what it awaited and what it saw when it times out; an abort rejects with the reason', async () => {
  await assert.rejects(
    waitFor('a NEW entry', () => undefined, { timeoutMs: 20, intervalMs: 5, detail: () => 'saw: [DESTROY]' }),
    /timed out after 20 ms waiting for a NEW entry; saw: \[DESTROY\]/,
  );
  const ac = new AbortController();
  setTimeout(() => ac.abort(new Error('stopped')), 10);
  await assert.rejects(waitFor('nothing', () => undefined, { timeoutMs: 10_000, intervalMs: 1_000, signal: ac.signal, wake: new Wakeup() }), /stopped/);
});

test('within gives the value in time, undefined when late or rejected', async () => {
  assert.equal(await within(Promise.resolve(7), 1_000), 7);
  assert.equal(await within(new Promise(() => undefined), 10), undefined);
  assert.equal(await within(Promise.reject(new Error('no')), 1_000), undefined);
});

test('tickFor ticks at once and then every interval until the duration is over', async () => {
  const ticks: number[] = [];
  const elapsed = stopwatch();
  await tickFor(60, 20, (ms) => void ticks.push(ms));
  assert.ok(elapsed() >= 59, `lasted ${elapsed()} ms`);
  // A busy machine may make the timers late (fewer ticks), never early.
  assert.ok(ticks.length >= 1 && ticks.length <= 4, `ticks at ${ticks.map(Math.round).join(', ')} ms`);
  assert.ok(ticks.every((t) => t < 60), 'no tick after the duration');
  assert.ok((ticks[0] ?? 20) < 20, 'the first tick comes at once');
});
