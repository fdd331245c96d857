import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defineClaims, formatExpected, judge } from '../../repros/lib/claims.ts';

const src = [{ label: 'FACTS' }];
const c = defineClaims('example', {
  exact: { statement: 's', expected: { kind: 'equals', value: [0, 10, 20] }, sources: src },
  near: { statement: 's', expected: { kind: 'approx', value: 300, tolerance: 2, unit: 's' }, sources: src },
  bounded: { statement: 's', expected: { kind: 'range', max: 139264, unit: 'bytes' }, sources: src },
  either: { statement: 's', expected: { kind: 'oneOf', values: ['pipe_write', 'anon_pipe_write'] }, sources: src },
});

test('claims are numbered in order and carry their id and slug', () => {
  assert.deepEqual([c.exact.n, c.near.n, c.bounded.n, c.either.n], [1, 2, 3, 4]);
  assert.equal(c.near.id, 'near');
  assert.equal(c.near.slug, 'example');
});

test('claim ids must be kebab-case', () => {
  assert.throws(() => defineClaims('x', { Bad_Id: { statement: 's', expected: { kind: 'equals', value: 1 }, sources: src } } as never), /kebab-case/);
});

test('judge: equals is deep equality, not a loose match', () => {
  assert.equal(judge(c.exact, [0, 10, 20]).pass, true);
  assert.equal(judge(c.exact, [0, 10, 21]).pass, false);
  assert.equal(judge(c.exact, '0,10,20').pass, false);
});

test('judge: approx holds within the tolerance, inclusive', () => {
  assert.equal(judge(c.near, 302).pass, true);
  assert.equal(judge(c.near, 298).pass, true);
  assert.equal(judge(c.near, 302.01).pass, false);
  assert.equal(judge(c.near, Number.NaN).pass, false);
});

test('judge: range and oneOf', () => {
  assert.equal(judge(c.bounded, 139264).pass, true);
  assert.equal(judge(c.bounded, 139265).pass, false);
  assert.equal(judge(c.bounded, undefined).pass, false);
  assert.equal(judge(c.either, 'anon_pipe_write').pass, true);
  assert.equal(judge(c.either, 'do_wait').pass, false);
});

test('expected values read as a person would write them', () => {
  assert.equal(formatExpected(c.exact.expected), '0, 10, 20');
  assert.equal(formatExpected(c.near.expected), '300 ± 2 s');
  assert.equal(formatExpected(c.bounded.expected), '≤ 139,264 bytes');
  assert.equal(formatExpected(c.either.expected), 'one of pipe_write | anon_pipe_write');
  assert.match(judge(c.near, 310).detail, /expected 300 ± 2 s, observed 310 s/);
});
