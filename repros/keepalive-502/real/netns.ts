// Where the real tier runs: a network namespace that exists only while the run's processes are in it.
// `unshare -Urn` makes a new user namespace (root inside is the caller outside) and a new network
// namespace, and execs Node in them: no name under /run/netns, no rule or address on the host, and no
// clean-up to forget, because the kernel frees the namespace, its addresses, its iptables rules and
// its conntrack table when the last process in it exits. Node's parent is the runner itself (unshare
// execs without forking), so inside.ts exits when the runner dies, even by SIGKILL, and nginx inside
// has a parent-death signal. Works as root and, where the kernel allows unprivileged user
// namespaces, as any user (measured: as nobody on Linux 6.18).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { EventStream } from '../../lib/child-events.ts';
import { childArgv } from '../../lib/flags.ts';
import { toolPath } from '../../lib/real/tools.ts';
import { UsageError, type RunContext } from '../../lib/repro.ts';
import { runTempDir } from '../../lib/temp-dir.ts';
import { INSIDE_FLAGS, type REAL_SCENARIOS } from '../children.ts';
import type { InsideEvent } from '../events.ts';

/** Runs inside.ts for a scenario in a fresh user + network namespace, narrating its log lines. */
export async function runInNamespace(ctx: RunContext, scenario: (typeof REAL_SCENARIOS)[number]): Promise<Record<string, unknown>> {
  const unshare = toolPath('unshare') ?? 'unshare';
  const probe = spawnSync(unshare, ['-Urn', 'true'], { encoding: 'utf8', timeout: 10_000 });
  if (probe.status !== 0) {
    throw new UsageError(
      `the real tier runs in a user and network namespace of its own, and \`unshare -Urn\` failed here: ${(probe.stderr || probe.error?.message || '').trim()}. ` +
        'Run it as root, or allow unprivileged user namespaces (Debian: sysctl -w kernel.unprivileged_userns_clone=1; and user.max_user_namespaces above 0).',
    );
  }
  // nginx's prefix: removed here, by inside.ts when it exits, and by the run's cleanup otherwise.
  const dir = runTempDir(ctx.procs, 'keepalive-502-real');
  try {
    const s = ctx.procs.spawn(
      unshare,
      ['-Urn', '--', process.execPath, join(import.meta.dirname, 'inside.ts'), ...childArgv(INSIDE_FLAGS, { scenario, scale: ctx.scale, dir })],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let result: Record<string, unknown> | undefined;
    const events = new EventStream<InsideEvent>(s.child.stdout, (e) => {
      if (e.ev === 'log') ctx.log(e.line);
      else result = e.result;
    }, (line) => ctx.log(line));
    const onAbort = (): void => void s.child.kill('SIGTERM');
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const [{ code, signal }] = await Promise.all([s.exited, events.ended]);
    ctx.signal.removeEventListener('abort', onAbort);
    if (ctx.signal.aborted) throw ctx.signal.reason;
    if (code !== 0 || !result) {
      throw new Error(`the real tier's run in its network namespace failed (exit ${code ?? signal}); see the messages above. ` +
        'It needs unprivileged user namespaces (or root), iptables with the nf_tables backend and conntrack.');
    }
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
