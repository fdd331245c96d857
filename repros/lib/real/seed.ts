// A containerd root with the real tier's images already imported and unpacked, built once per
// (images, containerd version) and cached under .cache/real-images/. Every run starts its private
// containerd from a copy of it (containerd.ts, populateRoot) instead of importing 130 MB of image:
// the import and unpack are what containerd does on every node once; doing them on every run
// only cost time.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { RunContext } from '../repro.ts';
import { startContainerd } from './containerd.ts';
import { IMAGE_CACHE, type BuiltImage } from './images.ts';
import { toolVersion } from './tools.ts';

/** Bump when what a seed holds changes. */
const SEED_VERSION = 1;

export interface Seed {
  root: string;
  /** Whether this call built it. */
  built: boolean;
}

export async function seededRoot(ctx: RunContext, images: readonly BuiltImage[]): Promise<Seed> {
  const key = createHash('sha256')
    .update(JSON.stringify({ v: SEED_VERSION, images: images.map((i) => i.ref), containerd: toolVersion('containerd') }))
    .digest('hex')
    .slice(0, 12);
  const root = join(IMAGE_CACHE, `containerd-root-${key}`);
  if (existsSync(join(root, '.complete'))) return { root, built: false };
  // Half-made seeds of runs that died while copying (their pid is gone).
  for (const d of existsSync(IMAGE_CACHE) ? readdirSync(IMAGE_CACHE) : []) {
    const m = /^containerd-root-[0-9a-f]{12}\.(\d+)\.tmp$/.exec(d);
    if (m && !existsSync(`/proc/${m[1]}`)) rmSync(join(IMAGE_CACHE, d), { recursive: true, force: true });
  }
  const pause = images.find((i) => i.ref.includes('/pause:'));
  const cd = await startContainerd(ctx, { pauseRef: pause?.ref ?? images[0]?.ref ?? '' });
  try {
    for (const img of images) await cd.importImage(img);
    // A clean stop, so the databases are closed; then the root as containerd left it.
    await cd.stopDaemon('SIGTERM');
    mkdirSync(IMAGE_CACHE, { recursive: true });
    const tmp = `${root}.${process.pid}.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    const r = spawnSync('cp', ['-a', join(cd.dir, 'root'), tmp], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (r.status !== 0) {
      rmSync(tmp, { recursive: true, force: true });
      throw new Error(`copying the seeded containerd root: ${r.stderr}`);
    }
    writeFileSync(join(tmp, '.complete'), images.map((i) => i.ref).join('\n') + '\n');
    try {
      renameSync(tmp, root);
    } catch {
      // Another run seeded it meanwhile: use theirs.
      rmSync(tmp, { recursive: true, force: true });
    }
    // Seeds of older images are of no further use.
    for (const d of readdirSync(IMAGE_CACHE)) {
      if (/^containerd-root-[0-9a-f]{12}$/.test(d) && d !== `containerd-root-${key}`) rmSync(join(IMAGE_CACHE, d), { recursive: true, force: true });
    }
    return { root, built: true };
  } finally {
    await cd.close();
  }
}
