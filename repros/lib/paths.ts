// Where the repository is on disk, found from this file's own place in it: the one definition the
// CLI, the registry, the real tier's images, the cluster recipes and the live panel's server use.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** repros/ */
export const REPROS_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
/** The repository root (package.json, dist/, .cache/, node_modules/). */
export const REPO_ROOT = resolve(REPROS_DIR, '..');
