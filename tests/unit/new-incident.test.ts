// The scaffold writes a complete incident in the shape of every repro, which passes content validation
// and runs from the CLI, and refuses bad slugs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { validateContent } from '../../src/lib/validate.ts';
import { fillBody, type Body } from '../../src/lib/body.ts';
import { renderMarkdown } from '../lib/markdown.ts';
import { testDir } from '../lib/temp.ts';

const ROOT = join(import.meta.dirname, '..', '..');

function sandbox(): string {
  const dir = testDir('scaffold');
  for (const p of ['src', 'content', 'repros', 'package.json']) cpSync(join(ROOT, p), join(dir, p), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

test('new-incident scaffolds a page, its body module, a repro, claims and a failing test stub', async () => {
  const dir = sandbox();
  const r = spawnSync(process.execPath, [join(dir, 'repros', 'new-incident.ts'), 'dns-timeouts'], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  // The shape of every repro: constants, claims, checks, scenarios loaded on first run, the site's surface.
  for (const f of ['constants.ts', 'claims.ts', 'checks.ts', 'scenarios.ts', 'page.ts', 'repro.ts']) assert.ok(existsSync(join(dir, 'repros', 'dns-timeouts', f)), f);
  for (const f of ['content/incidents/dns-timeouts.md', 'src/components/dns-timeouts/body.ts', 'tests/repros/dns-timeouts.scenarios.test.ts']) assert.ok(existsSync(join(dir, f)), f);
  assert.match(readFileSync(join(dir, 'repros', 'dns-timeouts', 'repro.ts'), 'utf8'), /const scenarios = \(\) => import\('\.\/scenarios\.ts'\);[\s\S]*run: lazy\(scenarios, /);
  assert.match(readFileSync(join(dir, 'repros', 'lib', 'registry.ts'), 'utf8'), /import \{ repro as dnsTimeouts \} from '\.\.\/dns-timeouts\/repro\.ts';[\s\S]*\n  dnsTimeouts,\n/);
  const problems = validateContent({ root: dir, repros: ['dns-timeouts'] }).filter((p) => p.file.includes('dns-timeouts'));
  assert.deepEqual(problems, []);
  // The page and its body module agree: every directive the page uses is one the module fills.
  const pageFile = join(dir, 'content', 'incidents', 'dns-timeouts.md');
  const { body } = (await import(pathToFileURL(join(dir, 'src', 'components', 'dns-timeouts', 'body.ts')).href)) as { body: Body };
  const rendered = await renderMarkdown(readFileSync(pageFile, 'utf8'), pageFile);
  assert.match(fillBody(rendered, body, {}, 'content/incidents/dns-timeouts.md').join(''), /<section class="if-paged"[\s\S]*What you see first/);
  // The registry serves the CLI: the new repro is listed and its scenario runs (checking nothing yet).
  const run = spawnSync(process.execPath, [join(dir, 'repros', 'cli.ts'), 'dns-timeouts', '--json'], { cwd: dir, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const report = JSON.parse(run.stdout) as { slug: string; scenario: string; tier: string; results: unknown[] };
  assert.deepEqual([report.slug, report.scenario, report.tier, report.results], ['dns-timeouts', 'default', 'stand-in', []]);
  const again = spawnSync(process.execPath, [join(dir, 'repros', 'new-incident.ts'), 'dns-timeouts'], { cwd: dir, encoding: 'utf8' });
  assert.equal(again.status, 2);
  assert.match(again.stderr, /already exists/);
});

test('new-incident refuses a slug that is not kebab-case, naming what is valid', () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'repros', 'new-incident.ts'), 'DNS_Timeouts'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /"DNS_Timeouts" is not a valid slug: use lower-case letters, digits and single dashes/);
});
