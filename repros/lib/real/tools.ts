// The real software the real tier runs, where it comes from, and its version. One table serves the
// repros (which refuse to start without a tool, naming the command that installs it), `npm test`
// (which installs what is missing as root on Debian) and the claim results (which record versions).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { release } from 'node:os';
import { UsageError } from '../repro.ts';
import type { Versions } from '../tiers.ts';

export interface Tool {
  /** The binary, looked up on PATH (and in /usr/sbin, /sbin, where Debian puts some). */
  bin: string;
  /** Debian package that installs it. */
  deb: string;
  /** Arguments that print the version, and how to read it from the output. */
  versionArgs: readonly string[];
  versionRe: RegExp;
}

export const TOOLS = {
  containerd: { bin: 'containerd', deb: 'containerd', versionArgs: ['--version'], versionRe: /containerd\S*\s+\S+\s+v?(\d+\.\d+\.\d+)/ },
  // "ctr github.com/containerd/containerd 1.6.20~ds1" (Debian), "ctr version v1.7.x" elsewhere.
  ctr: { bin: 'ctr', deb: 'containerd', versionArgs: ['--version'], versionRe: /(?:version\s+|containerd\s+)v?(\d+\.\d+\.\d+)/ },
  runc: { bin: 'runc', deb: 'runc', versionArgs: ['--version'], versionRe: /runc version\s+(\d+\.\d+\.\d+)/ },
  nginx: { bin: 'nginx', deb: 'nginx-light', versionArgs: ['-v'], versionRe: /nginx\/(\d+\.\d+\.\d+)/ },
  iptables: { bin: 'iptables', deb: 'iptables', versionArgs: ['--version'], versionRe: /v(\d+\.\d+\.\d+)/ },
  conntrack: { bin: 'conntrack', deb: 'conntrack', versionArgs: ['--version'], versionRe: /v(\d+\.\d+\.\d+)/ },
  ip: { bin: 'ip', deb: 'iproute2', versionArgs: ['-V'], versionRe: /iproute2-(?:ss)?([^\s,]+)/ },
  unshare: { bin: 'unshare', deb: 'util-linux', versionArgs: ['--version'], versionRe: /(\d+\.\d+(?:\.\d+)?)/ },
  busybox: { bin: 'busybox', deb: 'busybox-static', versionArgs: [], versionRe: /BusyBox v(\d+\.\d+\.\d+)/ },
  promtool: { bin: 'promtool', deb: 'prometheus', versionArgs: ['--version'], versionRe: /promtool, version (\d+\.\d+\.\d+)/ },
} as const satisfies Record<string, Tool>;

export type ToolName = keyof typeof TOOLS;

/** Everything the real tier and the alert-rule tests use: what `npm test` installs when it can. */
export const ALL_TOOLS = Object.keys(TOOLS) as ToolName[];

const SEARCH = [...(process.env.PATH ?? '').split(':').filter(Boolean), '/usr/local/sbin', '/usr/sbin', '/sbin'];

/** Absolute path of a tool's binary, or undefined when it is not installed. */
export function toolPath(name: ToolName): string | undefined {
  const bin = TOOLS[name].bin;
  for (const dir of SEARCH) {
    const p = `${dir}/${bin}`;
    if (existsSync(p)) return p;
  }
  return undefined;
}

const versionCache = new Map<ToolName, string>();

/** The installed version, e.g. "1.6.20", read from the tool itself; "unknown" if it prints none. */
export function toolVersion(name: ToolName): string {
  const cached = versionCache.get(name);
  if (cached) return cached;
  const path = toolPath(name);
  if (!path) throw new UsageError(missingMessage([name]));
  // Some tools print their version to stderr (nginx -v) or exit non-zero (busybox without arguments).
  const r = spawnSync(path, [...TOOLS[name].versionArgs], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  const v = TOOLS[name].versionRe.exec(out)?.[1] ?? 'unknown';
  versionCache.set(name, v);
  return v;
}

/** The running kernel's version, e.g. "6.18.44" (from uname -r, without the build suffix). */
export function kernelVersion(): string {
  return /^(\d+\.\d+(?:\.\d+)?)/.exec(release())?.[1] ?? release();
}

/** Versions of the named tools plus the kernel, for a claim result. */
export function versionsOf(names: readonly ToolName[]): Versions {
  const out: Record<string, string> = {};
  for (const n of names) out[n === 'ctr' ? 'containerd' : n] = toolVersion(n);
  out.linux = kernelVersion();
  return out;
}

export function missingTools(names: readonly ToolName[]): ToolName[] {
  return names.filter((n) => toolPath(n) === undefined);
}

/** Debian packages that provide the named tools, without duplicates. */
export function debPackages(names: readonly ToolName[]): string[] {
  return [...new Set(names.map((n) => TOOLS[n].deb))];
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Whether packages can be installed with apt-get here (Debian, Ubuntu and their kin). */
export function isDebianLike(): boolean {
  return SEARCH.some((dir) => existsSync(`${dir}/apt-get`));
}

function missingMessage(missing: readonly ToolName[]): string {
  return (
    `the real tier needs ${missing.map((n) => TOOLS[n].bin).join(', ')}, not found on PATH. ` +
    `Install with: ${isRoot() ? '' : 'sudo '}apt-get install -y ${debPackages(missing).join(' ')}`
  );
}

/** Why the real tier cannot run here (not Linux, not root, a tool missing), or undefined if it can. */
export function realTierProblem(names: readonly ToolName[], needsRoot: boolean): string | undefined {
  if (process.platform !== 'linux') return `the real tier runs on Linux only (this is ${process.platform})`;
  if (needsRoot && !isRoot()) return 'the real tier needs root (it creates network namespaces, mounts and containers). Run it with sudo.';
  const missing = missingTools(names);
  if (missing.length) return missingMessage(missing);
  return undefined;
}

/** Throws a UsageError (exit 2) naming what is missing and the command that installs it. */
export function requireRealTier(names: readonly ToolName[], needsRoot: boolean): void {
  const problem = realTierProblem(names, needsRoot);
  if (problem) throw new UsageError(problem);
}
