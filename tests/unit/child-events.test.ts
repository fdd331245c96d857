// The one channel between a repro and its children: typed event lines, waited for with a deadline.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { emitter, EventStream, parseEvent } from '../../repros/lib/child-events.ts';

type Ev = { ev: 'listening'; port: number } | { ev: 'tick'; n: number };

test('events written by emitter are read back in order; other lines pass through', async () => {
  const pipe = new PassThrough();
  const passed: string[] = [];
  const seen: Ev[] = [];
  const stream = new EventStream<Ev>(pipe, (e) => seen.push(e), (l) => passed.push(l));
  const emit = emitter<Ev>(pipe);
  emit({ ev: 'listening', port: 8080 });
  pipe.write('a stack trace line\n{"not": "an event"}\n');
  emit({ ev: 'tick', n: 1 });
  const l = await stream.waitFor('the port', (e): e is Extract<Ev, { ev: 'listening' }> => e.ev === 'listening', { timeoutMs: 1000 });
  assert.equal(l.port, 8080);
  const t = await stream.waitUntil('a tick', () => seen.find((e) => e.ev === 'tick'), { timeoutMs: 1000 });
  assert.deepEqual(t, { ev: 'tick', n: 1 });
  assert.deepEqual(passed, ['a stack trace line', '{"not": "an event"}']);
  pipe.end();
  await stream.ended;
});

test('a wait names what it awaited when the deadline passes or the stream ends first', async () => {
  const pipe = new PassThrough();
  const stream = new EventStream<Ev>(pipe);
  await assert.rejects(stream.waitFor('the port', (e) => e.ev === 'listening', { timeoutMs: 20 }), /timed out after 20 ms waiting for the port/);
  const pending = stream.waitFor('the port', (e) => e.ev === 'listening', { timeoutMs: 5000 });
  pipe.end();
  await assert.rejects(pending, /process output ended while waiting for the port/);
  const ac = new AbortController();
  const aborted = new EventStream<Ev>(new PassThrough()).waitFor('x', () => false, { timeoutMs: 5000, signal: ac.signal });
  ac.abort(new Error('stopped'));
  await assert.rejects(aborted, /stopped/);
});

test('parseEvent takes only JSON objects with a string ev', () => {
  assert.deepEqual(parseEvent('{"ev":"tick","n":2}'), { ev: 'tick', n: 2 });
  for (const line of ['', 'text', '{"ev": 3}', '[1]', '{bad json', 'null']) assert.equal(parseEvent(line), undefined, line);
});
