import assert from 'node:assert/strict';
import { test } from 'node:test';
import { childArgv, childFlags, COMMON_FLAGS, flagHelp, numberList, parseArgs, parseChildArgs, PORT_FLAG } from '../../repros/lib/flags.ts';
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

test('--port 0 is an ephemeral port; a negative or too large port names the range', () => {
  assert.deepEqual(parseArgs(['--port', '0'], COMMON_FLAGS).values, { port: 0 });
  assert.throws(() => parseArgs(['--port', '-1'], COMMON_FLAGS), /--port must be at least 0, got -1/);
  assert.throws(() => parseArgs(['--port', '65536'], COMMON_FLAGS), /--port must be at most 65535/);
  assert.match(flagHelp(COMMON_FLAGS), /--port <number> +port for a component started alone; 0 or omitted: a free \(ephemeral\) port/);
});

const CHILD = childFlags([
  { name: 'name', type: 'string', description: 'the pod name', required: true },
  { name: 'mode', type: 'string', choices: ['a', 'b'], description: 'a mode', fallback: 'a' },
  { name: 'ends', type: 'list', description: 'endpoints', required: true },
  { name: 'fix', type: 'boolean', description: 'fixed' },
  { name: 'limit', type: 'number', description: 'a limit', min: 1 },
  PORT_FLAG,
] as const);

test('a child\'s flags: required ones are required, fallbacks applied, values typed', () => {
  const v = parseChildArgs(CHILD, ['--name', 'pod-0', '--ends', 'x=1,y=2']);
  assert.deepEqual(v, { name: 'pod-0', mode: 'a', ends: ['x=1', 'y=2'], fix: false, limit: undefined, port: 0 });
  // Typed: these lines would not compile if the types were loose.
  const mode: 'a' | 'b' = v.mode;
  const port: number = v.port;
  const limit: number | undefined = v.limit;
  assert.deepEqual([mode, port, limit], ['a', 0, undefined]);
  assert.throws(() => parseChildArgs(CHILD, ['--ends', 'x=1']), { name: 'UsageError', message: '--name is required (the pod name)' });
  assert.throws(() => parseChildArgs(CHILD, ['--name', 'p', '--ends', 'x', 'stray']), /unexpected argument "stray"/);
  assert.throws(() => parseChildArgs(CHILD, ['--name', 'p', '--ends', 'x', '--mode', 'c']), /--mode does not accept "c"\. Valid: a, b/);
  assert.match(flagHelp(CHILD), /--mode <a\|b> +a mode \(default a\)/, 'a fallback is shown as the default');
});

test('childArgv builds what parseChildArgs reads back, and refuses what the child would refuse', () => {
  const argv = childArgv(CHILD, { name: 'pod-1', ends: ['x=1', 'y=2'], fix: true, port: 8080 });
  assert.deepEqual(argv, ['--name', 'pod-1', '--ends', 'x=1,y=2', '--fix', '--port', '8080']);
  assert.deepEqual(parseChildArgs(CHILD, argv), { name: 'pod-1', mode: 'a', ends: ['x=1', 'y=2'], fix: true, limit: undefined, port: 8080 });
  assert.deepEqual(childArgv(CHILD, { name: 'p', ends: ['e'], fix: false, limit: undefined }), ['--name', 'p', '--ends', 'e'], 'false and undefined are left out');
  assert.throws(() => childArgv(CHILD, { name: 'p', ends: ['e'], limit: 0 }), /--limit must be at least 1, got 0/);
  assert.throws(() => childArgv(CHILD, { name: 'p', ends: ['e'], nope: 1 } as never), /unknown flag --nope/);
});
