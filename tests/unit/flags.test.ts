import assert from 'node:assert/strict';
import { test } from 'node:test';
import { numberList, parseArgs } from '../../repros/lib/flags.ts';
import type { FlagSpec } from '../../repros/lib/repro.ts';

const specs: FlagSpec[] = [
  { name: 'scale', type: 'number', description: 'time scale', min: 0.0001, max: 10 },
  { name: 'json', type: 'boolean', description: 'json' },
  { name: 'version', type: 'string', description: 'k8s version', choices: ['1.31', '1.32'] },
  { name: 'runs', type: 'list', description: 'run lengths', min: 0 },
];

test('parses values in both --flag value and --flag=value forms', () => {
  const r = parseArgs(['broken', '--scale', '0.01', '--json', '--version=1.32', '--runs', '1,2,3'], specs);
  assert.deepEqual(r.positionals, ['broken']);
  assert.deepEqual(r.values, { scale: 0.01, json: true, version: '1.32', runs: ['1', '2', '3'] });
});

test('an unknown flag names itself and lists the valid ones', () => {
  assert.throws(() => parseArgs(['--sclae', '1'], specs), { name: 'UsageError', message: /unknown flag --sclae\. Valid flags: --scale, --json, --version, --runs/ });
});

test('bad values say what is allowed', () => {
  assert.throws(() => parseArgs(['--scale', 'fast'], specs), /--scale must be a number, got "fast"/);
  assert.throws(() => parseArgs(['--scale', '0'], specs), /--scale must be at least 0.0001/);
  assert.throws(() => parseArgs(['--version', '1.20'], specs), /--version does not accept "1.20"\. Valid: 1\.31, 1\.32/);
  assert.throws(() => parseArgs(['--scale'], specs), /--scale needs a value/);
  assert.throws(() => parseArgs(['--runs', '1,,2'], specs), /without empty items/);
  assert.throws(() => parseArgs(['--json=yes'], specs), /--json takes no value/);
  assert.throws(() => numberList(specs[3] as FlagSpec, ['5', '-1']), /--runs item must be at least 0/);
});
