// Claims: the behaviour a page documents, as data. The page renders these objects, the repro
// checks its measurements against them and the tests assert them: one copy of each statement,
// expected value and source.
import type { Tier, Versions } from './tiers.ts';

export interface Source {
  /** What a reader sees, e.g. "k/k pkg/kubelet/kuberuntime/kuberuntime_manager.go: doBackOff". */
  label: string;
  url?: string;
}

export type Expected =
  /** The observation must equal this value exactly (deep equality for arrays and objects). */
  | { kind: 'equals'; value: unknown; unit?: string }
  /** A measurement: |observed - value| <= tolerance. */
  | { kind: 'approx'; value: number; tolerance: number; unit: string }
  /** A measurement within bounds (inclusive); either bound may be left open. */
  | { kind: 'range'; min?: number; max?: number; unit: string }
  /** The observation must be one of these values. */
  | { kind: 'oneOf'; values: readonly unknown[] };

export interface ClaimSpec {
  /** The sentence a reader sees on the page. */
  statement: string;
  expected: Expected;
  /** What the claim rests on; at least one. A claim that rests on the incident's write-up says so here. */
  sources: readonly Source[];
  /** Optional note on how the repro measures it, shown under the statement. */
  method?: string;
  /**
   * The tiers whose runs check this claim (default: stand-ins only). `npm test` must assert it on
   * every tier listed here except 'cluster', which the cluster recipe checks when run by hand.
   */
  tiers?: readonly Tier[];
}

export interface Claim extends ClaimSpec {
  /** Stable id, unique within the incident; also the page anchor (#claim-<id>). */
  id: string;
  /** 1-based position, the number a reader sees. */
  n: number;
  /** The incident (repro) slug the claim belongs to. */
  slug: string;
}

export type Claims<K extends string> = { readonly [P in K]: Claim };

/** Turns a record of claim specs into numbered claims keyed by their id. */
export function defineClaims<K extends string>(slug: string, specs: Record<K, ClaimSpec>): Claims<K> {
  const out = {} as Record<K, Claim>;
  let n = 0;
  for (const id of Object.keys(specs) as K[]) {
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id)) {
      throw new Error(`claim id "${id}" in ${slug} must be kebab-case (a-z, 0-9, single dashes)`);
    }
    if (specs[id].sources.length === 0) {
      throw new Error(`claim "${id}" in ${slug} has no source: name the upstream code, documentation or the incident's write-up it rests on`);
    }
    n += 1;
    out[id] = { ...specs[id], id, n, slug };
  }
  return out;
}

/** The tiers a claim is checked on (stand-ins when the claim does not say). */
export function claimTiers(claim: ClaimSpec): readonly Tier[] {
  return claim.tiers ?? ['stand-in'];
}

export function claimList(claims: Claims<string>): Claim[] {
  return Object.values(claims).sort((a, b) => a.n - b.n);
}

export interface Verdict {
  pass: boolean;
  /** One line: what was expected and what was observed. */
  detail: string;
}

export function formatValue(value: unknown, unit?: string): string {
  const text = Array.isArray(value)
    ? value.map((v) => formatValue(v)).join(', ')
    : typeof value === 'number'
      ? Number.isInteger(value) ? value.toLocaleString('en-US') : String(Number(value.toFixed(3)))
      : typeof value === 'string' ? value : JSON.stringify(value);
  return unit ? `${text} ${unit}` : text;
}

/** The expected value as a reader sees it, e.g. "300 s ± 2 s" or "≤ 139,264 bytes". */
export function formatExpected(e: Expected): string {
  switch (e.kind) {
    case 'equals':
      return formatValue(e.value, e.unit);
    case 'approx':
      return `${formatValue(e.value)} ± ${formatValue(e.tolerance, e.unit)}`;
    case 'range':
      if (e.min !== undefined && e.max !== undefined) return `${formatValue(e.min)} to ${formatValue(e.max, e.unit)}`;
      if (e.min !== undefined) return `≥ ${formatValue(e.min, e.unit)}`;
      if (e.max !== undefined) return `≤ ${formatValue(e.max, e.unit)}`;
      return `any ${e.unit}`;
    case 'oneOf':
      return `one of ${e.values.map((v) => formatValue(v)).join(' | ')}`;
  }
}

export function judge(claim: Claim, observed: unknown): Verdict {
  const e = claim.expected;
  let pass: boolean;
  switch (e.kind) {
    case 'equals':
      pass = sameValue(observed, e.value);
      break;
    case 'approx':
      pass = typeof observed === 'number' && Math.abs(observed - e.value) <= e.tolerance;
      break;
    case 'range':
      pass = typeof observed === 'number' && Number.isFinite(observed) &&
        (e.min === undefined || observed >= e.min) && (e.max === undefined || observed <= e.max);
      break;
    case 'oneOf':
      pass = e.values.some((v) => sameValue(v, observed));
      break;
  }
  const unit = 'unit' in e ? e.unit : undefined;
  return { pass, detail: `expected ${formatExpected(e)}, observed ${formatValue(observed, unit)}` };
}

/** A claim with the value a run measured for it. */
export interface ClaimCheck {
  claim: Claim;
  observed: unknown;
  /** The tier the observation came from; the runner stamps it (stand-ins when absent). */
  tier?: Tier;
  /** Versions of the real software the observation came from (real tier). */
  versions?: Versions;
}

export interface ClaimResult {
  slug: string;
  id: string;
  n: number;
  pass: boolean;
  observed: unknown;
  detail: string;
  tier: Tier;
  versions?: Versions;
}

export function evaluate(check: ClaimCheck): ClaimResult {
  const v = judge(check.claim, check.observed);
  const { slug, id, n } = check.claim;
  const tier = check.tier ?? 'stand-in';
  return { slug, id, n, pass: v.pass, observed: check.observed, detail: v.detail, tier, ...(check.versions ? { versions: check.versions } : {}) };
}

/**
 * Deep equality for the JSON-shaped values claims compare (numbers, strings, booleans, null, arrays,
 * plain objects): as node:util's isDeepStrictEqual for those, without node: so the module stays
 * loadable in the browser (the back-off calculator's page surface includes the claims).
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
