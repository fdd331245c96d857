// Loaded with `node --import` into each CLI run the live API starts (repros/lib/live/api.ts). The CLI
// stops its processes on SIGTERM; this makes it stop them too when the server that started it is
// gone, even after a SIGKILL of the server: its stdin (a pipe from the server) closes, or its parent
// changes. Either way the CLI gets SIGTERM and winds down as on Ctrl-C.
let signalled = false;
function stopSelf(): void {
  if (signalled) return;
  signalled = true;
  process.kill(process.pid, 'SIGTERM');
}

const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) stopSelf();
}, 250).unref();

process.stdin.on('end', stopSelf);
process.stdin.on('error', stopSelf);
process.stdin.resume();
process.stdin.unref?.();
export {};
