// How many bytes wait unread in a pipe or FIFO: ioctl(FIONREAD) (pipe(7), "I/O on pipes and FIFOs"),
// through koffi as ../linux-pipe.ts does for fcntl. Opening a pipe by path (/proc/PID/fd/N or a FIFO)
// with O_RDONLY | O_NONBLOCK and closing it again reads nothing and changes nothing.
import { closeSync, constants, openSync } from 'node:fs';
import { createRequire } from 'node:module';

/** FIONREAD from <asm-generic/ioctls.h> (x86-64, arm64). */
export const FIONREAD = 0x541b;

let ioctl: ((fd: number, req: number, out: number[]) => number) | undefined;

function load(): (fd: number, req: number, out: number[]) => number {
  if (ioctl) return ioctl;
  const require = createRequire(import.meta.url);
  const koffi = require('koffi') as { load(name: string): { func(decl: string): (...args: unknown[]) => number } };
  const f = koffi.load('libc.so.6').func('int ioctl(int fd, unsigned long request, _Out_ int *n)');
  ioctl = (fd, req, out) => f(fd, req, out);
  return ioctl;
}

/** Bytes waiting in the pipe or FIFO at `path`. */
export function unreadBytesAt(path: string): number {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const out = [0];
    if (load()(fd, FIONREAD, out) !== 0) throw new Error(`ioctl(FIONREAD) on ${path} failed`);
    return out[0] as number;
  } finally {
    closeSync(fd);
  }
}
