// The "Reproduce on a cluster" sections (repros/<slug>/cluster/README.md), as the incident pages embed
// them under "## Reproduce": plain Markdown from ### down, links to pages that exist, commands that
// name files and scenarios that exist, and every number they state equal to the constant it comes
// from (Markdown cannot import, so this test is the one source of truth's guard).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { INCIDENT } from '../../repros/crashloop-backoff/constants.ts';
import { PROBE } from '../../repros/crashloop-backoff/cluster/manifests.ts';
import {
  INITIAL_CRASHLOOP_BACKOFF, MAX_CRASHLOOP_BACKOFF, POD_WORKER_BACKOFF_PERIOD, POD_WORKER_JITTER_FACTOR, schedule,
} from '../../repros/crashloop-backoff/kubelet-backoff.ts';
import { CLUSTER_HOLD_S, PROBE_TIMEOUT_MS, RUN, SHORT_TOLERATION_S } from '../../repros/containerd-stopped/constants.ts';
import { DEFAULT_TOLERATION_SECONDS } from '../../repros/containerd-stopped/cluster.ts';
import { LISTEN_HOST_ENV, POD_LISTEN_HOST } from '../../repros/lib/cluster/objects.ts';
import { DEFAULT_KUBELET_CONFIG } from '../../repros/containerd-stopped/kubelet.ts';
import { DEFAULT_CONTROLLER_CONFIG } from '../../repros/containerd-stopped/node-lifecycle-controller.ts';
import { GRACE_PERIOD_S } from '../../repros/containerd-stopped/node-simulation.ts';
import { GO_COPY_DEFAULT_BYTES, SHIM_BUFFER_BYTES } from '../../repros/containerd-stopped/pipe-math.ts';
import { NODE_PORT } from '../../repros/keepalive-502/cluster/manifests.ts';
import { REAL } from '../../repros/keepalive-502/constants.ts';
import { loadRepro } from '../../repros/lib/registry.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five'];
const readme = (slug: string): string => readFileSync(join(ROOT, 'repros', slug, 'cluster', 'README.md'), 'utf8');

const incident = schedule({ version: INCIDENT.version, runs: [INCIDENT.killEvery], restarts: INCIDENT.restarts });
const k = DEFAULT_KUBELET_CONFIG;

/** Phrases each section states, built from the constants the numbers come from. */
const STATED: Record<string, string[]> = {
  'crashloop-backoff': [
    `after every ${INCIDENT.killEvery} s of run time`,
    `period ${PROBE.periodSeconds} s, timeout ${PROBE.timeoutSeconds} s, ${WORDS[PROBE.failureThreshold] ?? ''}\n  failures`,
    `waits for ${INCIDENT.restarts} restarts, which takes about ${Math.round((incident.restarts.at(-1)?.restartedAt ?? 0) / 60)} minutes`,
    `doubles from ${INITIAL_CRASHLOOP_BACKOFF} s, and restart ${String(incident.firstAtCap)} is the first one that waits the full\n${MAX_CRASHLOOP_BACKOFF} s`,
    `"at the cap" from ${MAX_CRASHLOOP_BACKOFF - 1} s`,
    `every ${POD_WORKER_BACKOFF_PERIOD} to ${POD_WORKER_BACKOFF_PERIOD * (1 + POD_WORKER_JITTER_FACTOR)} s`,
    `up to about ${POD_WORKER_BACKOFF_PERIOD * (1 + POD_WORKER_JITTER_FACTOR)} s after`,
  ],
  'containerd-stopped': [
    `(${RUN.lineBytes}-byte log lines, probe timeout ${PROBE_TIMEOUT_MS / 1000} s)`,
    `the ${SHORT_TOLERATION_S} s not-ready`,
    `adds the ${DEFAULT_TOLERATION_SECONDS} s defaults`,
    `default hold of ${CLUSTER_HOLD_S} s is long enough to see the ${DEFAULT_TOLERATION_SECONDS} s toleration`,
    `(${(k.runtimeSyncThresholdMs - k.runtimeUpPeriodMs) / 1000} to ${(k.runtimeSyncThresholdMs + k.nodeStatusUpdateFrequencyMs) / 1000} s)`,
    `a ${SHIM_BUFFER_BYTES.toLocaleString('en-US')}-byte\n  buffer`,
    `ceiling by ${(GO_COPY_DEFAULT_BYTES - SHIM_BUFFER_BYTES) / 1024} KiB`,
    `\`io.Copy\`'s ${GO_COPY_DEFAULT_BYTES / 1024} KiB`,
    `checks the runtime every ${k.runtimeUpPeriodMs / 1000} s and posts\n  status every ${k.nodeStatusUpdateFrequencyMs / 1000} s, and the controller reads it every ${DEFAULT_CONTROLLER_CONFIG.nodeMonitorPeriodMs / 1000} s`,
    `(${GRACE_PERIOD_S['1.31']} s before 1.32, ${GRACE_PERIOD_S['1.32']} s from 1.32)`,
    `After ${k.plegRelistThresholdMs / 60_000} minutes without a successful relist`,
  ],
  'keepalive-502': [
    `\`sleep ${REAL.preStopS}\` and\n  then \`ok.htm?down=true\`, and a grace period of ${REAL.graceS} s`,
    `\`<node IP>:${NODE_PORT}\``,
    `(${WORDS[1] ?? ''} failure, ${REAL.failTimeoutS} s)`,
    REAL.clientIntervalS === 1 ? 'sends\n  one request a second' : `every ${REAL.clientIntervalS} s`,
    `${WORDS[REAL.tailRequests] ?? ''} more answers arrived`,
    `longer than ${REAL.preStopS} s`,
  ],
};

test('each section is plain Markdown from ### down, titled "Reproduce on a cluster"', () => {
  for (const slug of Object.keys(STATED)) {
    const text = readme(slug);
    assert.ok(text.startsWith('### Reproduce on a cluster\n'), `${slug}: starts with the ### heading, no frontmatter`);
    const headings = [...text.matchAll(/^(#+) /gm)].map((m) => (m[1] as string).length);
    assert.ok(headings.every((h) => h >= 3), `${slug}: no # or ## headings (${headings.join(',')})`);
    assert.match(text, /cannot run on the machines that test this site/, `${slug}: says a cluster cannot run in the tests`);
  }
});

test('links go to site pages that exist, by site path', () => {
  for (const slug of Object.keys(STATED)) {
    const links = [...readme(slug).matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1] as string);
    assert.ok(links.length > 0, `${slug}: links to its alert`);
    for (const href of links) {
      const m = /^\/alerts\/([a-z0-9-]+)\/$/.exec(href);
      assert.ok(m, `${slug}: ${href} is a site path to an alert page`);
      assert.ok(existsSync(join(ROOT, 'content', 'alerts', `${m[1] ?? ''}.md`)), `${slug}: ${href} exists`);
    }
  }
});

test('commands name files and scenarios that exist', async () => {
  for (const slug of Object.keys(STATED)) {
    const blocks = [...readme(slug).matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string);
    const lines = blocks.join('').split('\n').filter((l) => l.trim() !== '');
    assert.ok(lines.length > 0, slug);
    for (const line of lines) {
      for (const file of line.match(/repros\/[\w./-]+\.ts/g) ?? []) assert.ok(existsSync(join(ROOT, file)), `${slug}: ${file}`);
      const repro = /npm run -s repro -- ([\w-]+)(?: ([a-z][\w-]*))?/.exec(line);
      if (repro) {
        const r = await loadRepro(repro[1] as string);
        if (repro[2]) assert.ok(repro[2] in r.scenarios, `${slug}: scenario ${repro[2]}`);
      }
    }
  }
});

test('every number a section states is the constant it comes from', () => {
  for (const [slug, phrases] of Object.entries(STATED)) {
    const text = readme(slug);
    for (const p of [...phrases, `\`${LISTEN_HOST_ENV}\`, which the manifests set to \`${POD_LISTEN_HOST}\``]) {
      assert.ok(text.includes(p), `${slug}: README should say "${p}"`);
    }
  }
});
