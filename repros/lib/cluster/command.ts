// Running kind, kubectl and the container engine from the repository root (images are built from
// there: the Containerfiles copy repros/), to completion, with the output collected and a failure
// raised with what the command printed.
import { spawn } from 'node:child_process';
import { REPO_ROOT } from '../paths.ts';


export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Resolve with a non-zero exit code instead of rejecting. */
  allowFail?: boolean;
  /** Written to the command's stdin (else stdin is closed). */
  input?: string;
  /** SIGKILL the command after this long. */
  timeoutMs?: number;
}

/** Runs a command to completion; rejects with its stderr unless allowFail. */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd: REPO_ROOT, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = opts.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const r = { code: code ?? 1, stdout, stderr };
      if (r.code !== 0 && !opts.allowFail) reject(new Error(`${cmd} ${args.join(' ')} failed (exit ${r.code}): ${stderr.trim() || stdout.trim()}`));
      else resolvePromise(r);
    });
    if (child.stdin) {
      // A command that exits without reading its input makes the write fail with EPIPE; its exit
      // code says what happened.
      child.stdin.on('error', () => undefined);
      child.stdin.end(opts.input);
    }
  });
}
