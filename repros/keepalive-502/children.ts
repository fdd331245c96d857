// What this repro's child processes take on their command line, one flag list each. The parent builds
// the argv with childArgv and the child parses it with childArgsOrExit, from the same list; their
// events are in events.ts. Durations come from constants.ts, scaled by the parent.
import { childFlags, PORT_FLAG } from '../lib/flags.ts';
import { POLICIES } from './endpoints.ts';
import { KEEPALIVE_TIMEOUT_MS } from './constants.ts';

/** The pod's name when none is given (a pod started alone, or the image's default command). */
export const DEFAULT_POD_NAME = 'pod-0';

const ms = (what: string) => ({ type: 'number', description: what, min: 0, required: true }) as const;

export const POD_FLAGS = childFlags([
  { name: 'name', type: 'string', description: 'the pod\'s name (x-pod of every response)', fallback: DEFAULT_POD_NAME },
  PORT_FLAG,
  { name: 'keepalive-ms', type: 'number', description: 'keep-alive idle timeout, ms', min: 0, fallback: KEEPALIVE_TIMEOUT_MS },
  { name: 'fix', type: 'boolean', description: 'the fixed graceful shutdown (Connection: close while draining)' },
] as const);

export const BALANCER_FLAGS = childFlags([
  { name: 'endpoints', type: 'list', description: 'name=host:port of each pod', required: true },
  { name: 'policy', type: 'string', choices: POLICIES, description: 'which endpoints get new connections', required: true },
  PORT_FLAG,
] as const);

export const GATEWAY_FLAGS = childFlags([
  { name: 'upstreams', type: 'list', description: 'name=host:port of each upstream', required: true },
  PORT_FLAG,
  { name: 'fail-timeout-ms', ...ms('how long one failure marks an upstream unavailable, ms') },
  { name: 'keepalive-ms', ...ms('keep-alive idle timeout, ms') },
] as const);

export const POD_DELETION_FLAGS = childFlags([
  { name: 'pods', type: 'list', description: 'name=host:port of each pod', required: true },
  { name: 'pids', type: 'list', description: 'name=pid of each pod', required: true },
  { name: 'balancer-admin', type: 'string', description: 'the balancer\'s admin URL (none: pods are upstreams directly)' },
  { name: 'prestop-ms', ...ms('the preStop hook\'s sleep, ms') },
  { name: 'grace-ms', ...ms('terminationGracePeriodSeconds, ms, counted from the deletion') },
  PORT_FLAG,
] as const);

export const CLIENT_FLAGS = childFlags([
  { name: 'target', type: 'string', description: 'the URL to request', required: true },
  { name: 'interval-ms', ...ms('one request per this many ms') },
] as const);

export const REAL_SCENARIOS = ['broken', 'single-replica-service'] as const;

export const INSIDE_FLAGS = childFlags([
  { name: 'scenario', type: 'string', choices: REAL_SCENARIOS, description: 'the real-tier scenario', required: true },
  { name: 'scale', type: 'number', description: 'time scale', min: 0.0001, max: 10, required: true },
  { name: 'dir', type: 'string', description: 'the run\'s directory (nginx prefix), removed at exit', required: true },
] as const);
