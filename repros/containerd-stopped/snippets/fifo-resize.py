"""Give a full pipe room, so a process blocked writing to it can go on.

    sudo python3 fifo-resize.py PATH [BYTES]

PATH is the container's stdout FIFO (under containerd's CRI state directory, readable by root only)
or /proc/APP_PID/fd/1, the app's end of its stdout pipe. BYTES defaults to 1 MiB, the default of
/proc/sys/fs/pipe-max-size, the most an unprivileged process may ask for. The pipe keeps its new size
while any process holds it open: it changes capacity, it reads nothing and drops nothing.
"""
import fcntl
import os
import sys

F_SETPIPE_SZ = 1031  # fcntl(2), Linux: set the capacity of the pipe
F_GETPIPE_SZ = 1032  # fcntl(2), Linux: get it


def main() -> int:
    if len(sys.argv) not in (2, 3):
        print("usage: fifo-resize.py PATH [BYTES]", file=sys.stderr)
        return 2
    path = sys.argv[1]
    size = int(sys.argv[2]) if len(sys.argv) == 3 else 1 << 20
    # Opening for reading without blocking adds a reader and does not wait for a writer; this script
    # never reads, so nothing is taken out of the pipe.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        before = fcntl.fcntl(fd, F_GETPIPE_SZ)
        after = fcntl.fcntl(fd, F_SETPIPE_SZ, size)
        print(f"{path}: {before} -> {after} bytes")
    finally:
        os.close(fd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
