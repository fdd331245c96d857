// When a file last changed, from git history; undefined outside a git checkout or for new files.
// One `git log` per folder asked about, not one per file: a build with a thousand incident pages
// asks a thousand times for files of one folder.
import { execFileSync } from 'node:child_process';
import { dirname } from 'node:path';

const byFolder = new Map<string, Map<string, Date>>();

/** The newest commit date of every file in a folder (paths relative to the working directory, like the argument). */
function folderDates(folder: string): Map<string, Date> {
  let dates = byFolder.get(folder);
  if (dates) return dates;
  dates = new Map();
  try {
    // Newest first: a file's first appearance is its last change. --cc lists a merge's files that differ
    // from every parent, the merges `git log -1 -- file` shows; --relative keeps the paths as given.
    const out = execFileSync('git', ['log', '--format=%x00%cI', '--name-only', '--cc', '--relative', '--', folder], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 256 * 1024 * 1024,
    });
    let at: Date | undefined;
    for (const line of out.split('\n')) {
      if (line.startsWith('\0')) at = new Date(line.slice(1));
      else if (line && at && !dates.has(line)) dates.set(line, at);
    }
  } catch {
    // Not a git checkout, or git is missing: no dates.
  }
  byFolder.set(folder, dates);
  return dates;
}

export function lastCommitDate(path: string): Date | undefined {
  return folderDates(dirname(path)).get(path);
}
