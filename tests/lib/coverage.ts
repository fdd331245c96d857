// After the unit and repro tests: every claim defined in any repros/<slug>/claims.ts must have been
// asserted (tests/lib/claims.ts records each assertion). Writes test-results/claims.json, which the
// site shows as each claim's verified status.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { claimList } from '../../repros/lib/claims.ts';
import { loadAllRepros } from '../../repros/lib/registry.ts';
import { RESULTS_DIR } from './claims.ts';

interface Recorded {
  slug: string;
  id: string;
  pass: boolean;
  detail: string;
  at: string;
}

export interface Coverage {
  total: number;
  verified: number;
  failed: string[];
  unchecked: string[];
}

export async function claimCoverage(outFile: string): Promise<Coverage> {
  const recorded = new Map<string, Recorded>();
  if (existsSync(RESULTS_DIR)) {
    for (const f of readdirSync(RESULTS_DIR).filter((x) => x.endsWith('.jsonl')).sort()) {
      for (const line of readFileSync(join(RESULTS_DIR, f), 'utf8').split('\n')) {
        if (!line.trim()) continue;
        const r = JSON.parse(line) as Recorded;
        const key = `${r.slug}#${r.id}`;
        const prev = recorded.get(key);
        // A claim asserted several times is verified only if every assertion passed.
        if (!prev || (prev.pass && !r.pass) || (prev.pass === r.pass && r.at > prev.at)) recorded.set(key, r);
      }
    }
  }
  const claims = (await loadAllRepros()).flatMap((r) => claimList(r.claims));
  const out: Record<string, { pass: boolean; detail: string; at: string }> = {};
  const failed: string[] = [];
  const unchecked: string[] = [];
  for (const c of claims) {
    const key = `${c.slug}#${c.id}`;
    const r = recorded.get(key);
    if (!r) unchecked.push(`${key} ("${c.statement}")`);
    else {
      out[key] = { pass: r.pass, detail: r.detail, at: r.at };
      if (!r.pass) failed.push(`${key}: ${r.detail}`);
    }
  }
  writeFileSync(outFile, JSON.stringify({ finishedAt: new Date().toISOString(), claims: out }, null, 2) + '\n');
  return { total: claims.length, verified: claims.length - failed.length - unchecked.length, failed, unchecked };
}
