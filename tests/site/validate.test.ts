// Malformed content must stop the build with a message naming the file, the field and what is valid.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { validateContent } from '../../src/lib/validate.ts';
import { reproSlugs } from '../../repros/lib/registry.ts';
import { testDir } from '../lib/temp.ts';

const ROOT = join(import.meta.dirname, '..', '..');

const FRONT = {
  title: 'A fixture incident for the validation tests',
  summary: 'A fixture that is valid in every way, so each test can break exactly one thing and read the message that names it.',
  date: '2025-01-02',
  severity: 'SEV2',
  status: 'resolved',
  components: ['kubelet'],
  tags: ['fixture'],
  alerts: { fires: ['KubePodCrashLooping'], silent: ['KubePodNotReady'] },
  sources: [{ label: 'Kubernetes docs', url: 'https://kubernetes.io/docs/' }],
};
const SECTIONS = ['Summary', 'Impact', 'Timeline', 'Root cause', 'Detection', 'Mitigation', 'Action items', 'Lessons', 'Reproduce'];

function page(front: Record<string, unknown>, sections = SECTIONS): string {
  const yaml = Object.entries(front).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join('\n');
  return `---\n${yaml}\n---\n\n${sections.map((s) => `## ${s}\n\nText.\n`).join('\n')}`;
}

function check(text: string, name = 'fixture.md', withBody = true): string[] {
  const root = testDir('validate');
  mkdirSync(join(root, 'content', 'incidents'), { recursive: true });
  if (withBody) {
    const id = name.replace(/\.mdx?$/, '');
    mkdirSync(join(root, 'src', 'components', id), { recursive: true });
    writeFileSync(join(root, 'src', 'components', id, 'body.ts'), 'export const body = { values: {} };\n');
  }
  cpSync(join(ROOT, 'content', 'alerts'), join(root, 'content', 'alerts'), { recursive: true });
  writeFileSync(join(root, 'content', 'incidents', name), text);
  return validateContent({ root, repros: ['fixture'] }).map((p) => `${p.file}: ${p.message}`);
}

test('the real content is valid', () => {
  assert.deepEqual(validateContent({ root: ROOT, repros: reproSlugs() }), []);
});

test('a valid fixture has no problems', () => {
  assert.deepEqual(check(page(FRONT)), []);
});

test('a bad enum value names the file, the field and the allowed values', () => {
  const [msg, ...rest] = check(page({ ...FRONT, severity: 'high' }));
  assert.equal(rest.length, 0);
  assert.match(msg ?? '', /^content\/incidents\/fixture\.md: field "severity": .*"SEV1".*"SEV2".*"SEV3".*"SEV4"/);
});

test('a missing field is named', () => {
  const { summary: _omit, ...rest } = FRONT;
  assert.match(check(page(rest)).join('\n'), /fixture\.md: field "summary": .*(expected string|received undefined)/i);
});

test('an unknown field is named with the list of allowed fields', () => {
  assert.match(check(page({ ...FRONT, owner: 'sre' })).join('\n'), /field "\(frontmatter\)": unknown field "owner"; allowed fields: title, summary, date, severity/);
});

test('a component outside the vocabulary lists the valid ones', () => {
  assert.match(check(page({ ...FRONT, components: ['kubelet', 'etcd'] })).join('\n'), /field "components\.1": .*"kubelet".*"containerd"/);
});

test('a summary of more than one paragraph is refused', () => {
  assert.match(check(page({ ...FRONT, summary: `${FRONT.summary}\n\nSecond paragraph.` })).join('\n'), /field "summary": must be a single paragraph/);
});

test('a bad source URL and a bad date are named', () => {
  const msgs = check(page({ ...FRONT, date: 'last tuesday', sources: [{ label: 'docs', url: 'kubernetes.io' }] })).join('\n');
  assert.match(msgs, /field "date": must be a date, YYYY-MM-DD/);
  assert.match(msgs, /field "sources\.0\.url": must be an http\(s\) URL/);
});

test('an alert without a page and a page without a repro of its name list what exists', () => {
  const msgs = check(page({ ...FRONT, alerts: { fires: [], silent: ['KubeEverythingOnFire'] } }), 'nope.md').join('\n');
  assert.match(msgs, /field "alerts\.silent": KubeEverythingOnFire has no alert page\. Known alerts: .*KubePodCrashLooping/);
  assert.match(msgs, /content\/incidents\/nope\.md: has no repro: an incident page owns the repro of its file name, repros\/nope\/repro\.ts .*Repros: fixture$/m);
});

test('the page does not name its repro: the file name does', () => {
  assert.match(check(page({ ...FRONT, repro: 'fixture' })).join('\n'), /field "\(frontmatter\)": unknown field "repro"/);
});

test('missing, extra and misordered sections are named by their anchors', () => {
  assert.match(check(page(FRONT, SECTIONS.filter((s) => s !== 'Lessons'))).join('\n'), /sections must be exactly #summary, .* missing #lessons/);
  assert.match(check(page(FRONT, [...SECTIONS, 'Appendix'])).join('\n'), /unexpected #appendix/);
  const swapped = [...SECTIONS];
  [swapped[0], swapped[1]] = [swapped[1] as string, swapped[0] as string];
  assert.match(check(page(FRONT, swapped)).join('\n'), /out of order \(found #impact, #summary/);
});

test('an incident page must be Markdown with a body module, and each message says how to get there', () => {
  assert.match(check(page(FRONT), 'fixture.mdx').join('\n'), /fixture\.mdx: incident pages are Markdown: rename it to content\/incidents\/fixture\.md and move its imports and exports to src\/components\/fixture\/body\.ts; write each \{expression\} as :v\[name\].*<IfPaged> as :::if-paged/);
  assert.match(check(page(FRONT), 'fixture.md', false).join('\n'), /fixture\.md: has no body module: src\/components\/fixture\/body\.ts holds the values and parts .*export const body: Body = \{ values: \{\} \};/);
});

test('a file without frontmatter or with broken YAML says so', () => {
  assert.match(check('## Summary\n').join('\n'), /fixture\.md: has no frontmatter/);
  assert.match(check('---\ntitle: [unclosed\n---\n## Summary\n').join('\n'), /fixture\.md: has frontmatter that is not valid YAML/);
});

test('alerts must be split into those that fire and those that stay silent', () => {
  assert.match(check(page({ ...FRONT, alerts: ['KubePodCrashLooping'] })).join('\n'), /field "alerts": /);
  assert.match(check(page({ ...FRONT, alerts: { fires: [], silent: [] } })).join('\n'), /field "alerts": must name at least one alert/);
  assert.match(check(page({ ...FRONT, alerts: { fires: ['KubePodNotReady'], silent: ['KubePodNotReady'] } })).join('\n'), /field "alerts": an alert cannot both fire and stay silent/);
  assert.match(check(page({ ...FRONT, alerts: { fires: ['KubePodNotReady'], quiet: [] } })).join('\n'), /unknown field.*"quiet"|Unrecognized key.*quiet/);
});

test('an alert page gives one expression, or one per gateway kind', () => {
  const root = testDir('validate');
  mkdirSync(join(root, 'content', 'alerts'), { recursive: true });
  const alert = (expr: string) => `---\nname: GatewayFixture\norigin: site\nseverity: warning\nsummary: A fixture alert page.\nexpr:${expr}\nsources:\n  - label: fixture\n    url: https://example.com/\n---\n\n## Meaning\n\n## Impact\n\n## Diagnosis\n\n## Mitigation\n`;
  writeFileSync(join(root, 'content', 'alerts', 'gatewayfixture.md'), alert('\n  envoy: up == 0'));
  const msgs = validateContent({ root, repros: [] }).map((p) => p.message).join('\n');
  assert.match(msgs, /field "expr": must be a PromQL expression, or a map with one expression per gateway kind: ingress-nginx, envoy, nginx-log-exporter/);
  writeFileSync(join(root, 'content', 'alerts', 'gatewayfixture.md'), alert(' up == 0'));
  assert.deepEqual(validateContent({ root, repros: [] }), []);
});
