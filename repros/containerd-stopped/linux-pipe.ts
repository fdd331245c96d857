// The Linux pipe facts this repro reads from the kernel rather than assumes: anonymous pipes made
// with pipe(2), FIFOs made with mkfifo(1), their capacity (fcntl F_GETPIPE_SZ / F_SETPIPE_SZ,
// pipe(7)) and a process's kernel wait channel (/proc/PID/wchan, proc(5)).
// Node has no binding for pipe(2) or these fcntl commands, so they go through koffi (FFI to libc).
import { execFileSync } from 'node:child_process';
import { closeSync, constants, existsSync, openSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';

/** fcntl commands from <linux/fcntl.h>: F_LINUX_SPECIFIC_BASE (1024) + 7 and + 8. */
export const F_SETPIPE_SZ = 1031;
export const F_GETPIPE_SZ = 1032;

/** Why an observation cannot be made on this platform, or undefined when it can. */
export function pipeSizeUnsupported(): string | undefined {
  if (process.platform !== 'linux') {
    return `F_GETPIPE_SZ / F_SETPIPE_SZ exist only on Linux (this is ${process.platform}); pipe capacity is not measured here`;
  }
  return undefined;
}

export function wchanUnsupported(): string | undefined {
  if (!existsSync('/proc/self/wchan')) {
    return `/proc/PID/wchan does not exist on this platform (${process.platform}); the kernel wait channel is not observed`;
  }
  return undefined;
}

/** O_CLOEXEC from <asm-generic/fcntl.h> (x86-64, arm64): the pipe must not leak into children. */
const O_CLOEXEC = 0o2000000;

/** fcntl F_SETFD / FD_CLOEXEC, for systems without pipe2 (macOS). */
const F_SETFD = 2;
const FD_CLOEXEC = 1;

interface Libc {
  /** Undefined where libc has no pipe2 (macOS). */
  pipe2: ((fds: number[], flags: number) => number) | undefined;
  pipe(fds: number[]): number;
  fcntl(fd: number, cmd: number, ...args: unknown[]): number;
  errno(): number;
}

let libc: Libc | undefined;

function load(): Libc {
  if (libc) return libc;
  const require = createRequire(import.meta.url);
  const koffi = require('koffi') as {
    load(name: string): { func(decl: string): (...args: unknown[]) => number };
    errno(): number;
  };
  const lib = koffi.load(process.platform === 'darwin' ? 'libc.dylib' : 'libc.so.6');
  let pipe2: ((...args: unknown[]) => number) | undefined;
  try {
    pipe2 = lib.func('int pipe2(_Out_ int *fds, int flags)');
  } catch {
    pipe2 = undefined;
  }
  const pipe = lib.func('int pipe(_Out_ int *fds)');
  const fcntl = lib.func('int fcntl(int fd, int cmd, ...)');
  libc = {
    pipe2: pipe2 && ((fds, flags) => (pipe2 as (...args: unknown[]) => number)(fds, flags)),
    pipe: (fds) => pipe(fds),
    fcntl: (fd, cmd, ...args) => fcntl(fd, cmd, ...args),
    errno: () => koffi.errno(),
  };
  return libc;
}

/**
 * pipe2(2): a real kernel pipe, blocking on both ends (what the shim hands runc as a container's
 * stdout). Close-on-exec, so only the fd deliberately passed as a child's stdout is inherited.
 */
export function makePipe(): { readFd: number; writeFd: number } {
  const fds = [-1, -1];
  const c = load();
  if (c.pipe2) {
    if (c.pipe2(fds, O_CLOEXEC) !== 0) throw new Error(`pipe2(2) failed, errno ${c.errno()}`);
  } else {
    if (c.pipe(fds) !== 0) throw new Error(`pipe(2) failed, errno ${c.errno()}`);
    for (const fd of fds) c.fcntl(fd, F_SETFD, 'int', FD_CLOEXEC);
  }
  const [readFd, writeFd] = fds as [number, number];
  return { readFd, writeFd };
}

/** The pipe's capacity in bytes, as the kernel reports it (fcntl F_GETPIPE_SZ). */
export function getPipeSize(fd: number): number {
  const n = load().fcntl(fd, F_GETPIPE_SZ);
  if (n < 0) throw new Error(`fcntl(${fd}, F_GETPIPE_SZ) failed, errno ${load().errno()}`);
  return n;
}

/** Asks the kernel for a new capacity; returns what it granted (rounded up to a power-of-two pages). */
export function setPipeSize(fd: number, bytes: number): number {
  const n = load().fcntl(fd, F_SETPIPE_SZ, 'int', bytes);
  if (n < 0) {
    const errno = load().errno();
    const hint = errno === 1 ? ` (EPERM: above /proc/sys/fs/pipe-max-size, ${readPipeMaxSize() ?? '?'} bytes, and not privileged)` : '';
    throw new Error(`fcntl(${fd}, F_SETPIPE_SZ, ${bytes}) failed, errno ${errno}${hint}`);
  }
  return n;
}

/**
 * Changes the capacity of a pipe you can name by path: a FIFO, or another process's pipe through
 * /proc/PID/fd/N. This is what an operator does on a node: open the pipe without blocking, fcntl,
 * close. Opening for reading adds no data and takes none.
 */
export function resizePipeAt(path: string, bytes: number): { before: number; after: number } {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const before = getPipeSize(fd);
    const after = setPipeSize(fd, bytes);
    return { before, after };
  } finally {
    closeSync(fd);
  }
}

export function pipeSizeAt(path: string): number {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    return getPipeSize(fd);
  } finally {
    closeSync(fd);
  }
}

export function readPipeMaxSize(): number | undefined {
  try {
    return Number(readFileSync('/proc/sys/fs/pipe-max-size', 'utf8').trim());
  } catch {
    return undefined;
  }
}

/**
 * mkfifo(1), the way containerd's fifo package creates a container's stdout FIFO. A FIFO that
 * already exists (another component made it first) is fine.
 */
export function makeFifo(path: string): void {
  try {
    execFileSync('mkfifo', ['-m', '0600', path], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    if (existsSync(path) && statSync(path).isFIFO()) return;
    throw err;
  }
}

/**
 * The kernel function a process (or one of its threads) sleeps in, from /proc/PID[/task/TID]/wchan:
 * "pipe_write" on older kernels, "anon_pipe_write" on newer ones, "0" when it is running. Undefined
 * where /proc has no wchan.
 */
export function readWchan(pid: number, thread?: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}${thread === undefined ? '' : `/task/${thread}`}/wchan`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Resident set size of a process in bytes, from /proc/PID/status (VmRSS), where /proc exists. */
export function readRss(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
