// When a file last changed, from git history; undefined outside a git checkout or for new files.
import { execFileSync } from 'node:child_process';

export function lastCommitDate(path: string): Date | undefined {
  try {
    const out = execFileSync('git', ['log', '-1', '--format=%cI', '--', path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return out ? new Date(out) : undefined;
  } catch {
    return undefined;
  }
}
