// A process tree and the TCP ports it listens on, read from /proc (Linux, proc(5)); without /proc
// (macOS) the processes come from ps(1) and the ports are not seen. Each process is kept with its
// start time, so a pid the kernel has handed to someone else is not taken for a survivor; each
// listening socket is kept with its inode, so a port another program has since bound is not taken
// for ours.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

export const HAVE_PROC = existsSync('/proc/self/stat') && existsSync('/proc/net/tcp');

export interface Proc {
  pid: number;
  ppid: number;
  pgid: number;
  /** Field 22 of /proc/<pid>/stat: clock ticks after boot at which the process started. */
  start: string;
}

export interface Listener {
  /** The local address, e.g. 127.0.0.1 or 0:0:0:0:0:0:0:0. */
  address: string;
  port: number;
  /** The socket's inode: the same number for as long as the very same socket exists. */
  inode: string;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process has gone, or is not ours to read
  }
}

/**
 * The fields of /proc/<pid>/stat after the command name: state [0], ppid [1], pgrp [2], session [3],
 * start time [19] (proc(5) numbers them from 1 with pid and comm first). Undefined once it has gone.
 */
export function statFields(pid: number): string[] | undefined {
  const s = read(`/proc/${pid}/stat`);
  // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ')'.
  return s === undefined ? undefined : s.slice(s.lastIndexOf(')') + 2).split(' ');
}

/** The process as a Proc, zombies included (its parent has not reaped it yet). */
export function procOf(pid: number, f: string[]): Proc {
  return { pid, ppid: Number(f[1]), pgid: Number(f[2]), start: f[19] ?? '' };
}

function stat(pid: number): Proc | undefined {
  const f = statFields(pid);
  if (f === undefined || f[0] === 'Z') return undefined; // a zombie holds no resources; its parent has not reaped it yet
  return procOf(pid, f);
}

function allProcs(): Proc[] {
  if (!HAVE_PROC) {
    // lstart is last because it holds spaces ("Sun Nov 22 10:00:00 2026").
    const r = spawnSync('ps', ['-e', '-o', 'pid=,ppid=,pgid=,stat=,lstart='], { encoding: 'utf8' });
    return r.stdout
      .split('\n')
      .map((l) => /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(.+)$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null && !m[4]?.startsWith('Z'))
      .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), pgid: Number(m[3]), start: m[5]?.trim() ?? '' }));
  }
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => stat(Number(d)))
    .filter((p): p is Proc => p !== undefined);
}

/** The process `root`, every descendant of it, and every member of its process group. */
export function treeOf(root: number): Proc[] {
  const procs = allProcs();
  const inTree = new Set<number>([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs) {
      if (!inTree.has(p.pid) && (inTree.has(p.ppid) || p.pgid === root)) {
        inTree.add(p.pid);
        grew = true;
      }
    }
  }
  return procs.filter((p) => inTree.has(p.pid));
}

/** Those of `procs` that still run: same pid and same start time. */
export function stillRunning(procs: readonly Proc[]): Proc[] {
  if (!HAVE_PROC) {
    const now = new Map(allProcs().map((p) => [p.pid, p.start]));
    return procs.filter((p) => now.get(p.pid) === p.start);
  }
  return procs.filter((p) => stat(p.pid)?.start === p.start);
}

/**
 * A /proc/net/tcp{,6} address: 32-bit words in hex, each in host (little-endian) byte order, so
 * 0100007F is 127.0.0.1.
 */
function decodeAddress(hex: string): string {
  const bytes = (hex.match(/.{8}/g) ?? []).flatMap((word) => (word.match(/../g) ?? []).reverse().map((b) => parseInt(b, 16)));
  if (bytes.length === 4) return bytes.join('.');
  return Array.from({ length: 8 }, (_, i) => (((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0)).toString(16)).join(':');
}

/** Every TCP socket (IPv4 and IPv6) in LISTEN state, by inode. */
function listeningByInode(): Map<string, Omit<Listener, 'inode'>> {
  const out = new Map<string, Omit<Listener, 'inode'>>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of (read(file) ?? '').split('\n').slice(1)) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
      const f = line.trim().split(/\s+/);
      if (f[3] !== '0A') continue; // 0A = TCP_LISTEN
      const [address = '', port = ''] = f[1]?.split(':') ?? [];
      if (f[9] && /^[0-9A-F]+$/.test(address) && /^[0-9A-F]+$/.test(port)) out.set(f[9], { address: decodeAddress(address), port: parseInt(port, 16) });
    }
  }
  return out;
}

/** The TCP sockets the given processes listen on (none seen without /proc). */
export function listenersOf(procs: readonly Proc[]): Listener[] {
  if (!HAVE_PROC) return [];
  const listening = listeningByInode();
  const found = new Map<string, Listener>();
  for (const p of procs) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${p.pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target = '';
      try {
        target = readlinkSync(`/proc/${p.pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      const sock = inode === undefined ? undefined : listening.get(inode);
      if (inode !== undefined && sock !== undefined) found.set(inode, { ...sock, inode });
    }
  }
  return [...found.values()];
}

/** Those of `listeners` whose very socket still listens. */
export function stillListening(listeners: readonly Listener[]): Listener[] {
  const listening = listeningByInode();
  return listeners.filter((l) => listening.get(l.inode)?.port === l.port);
}
