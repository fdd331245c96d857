// The repro's image: built by docker or podman from repros/<slug>/cluster/Containerfile, saved to an
// archive and loaded into every node of the kind cluster, so the nodes never pull it.
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './command.ts';
import { REPO_ROOT } from '../paths.ts';
import { ownedTempDir } from '../temp-dir.ts';
import type { Engine } from './tools.ts';

/** The image each repro runs as in the cluster (built locally, loaded into the nodes, never pulled). */
export function imageName(slug: string): string {
  return `localhost/runbook-repros/${slug}:dev`;
}

export interface ImageLoad {
  engine: Engine;
  /** The kind cluster whose nodes get the image. */
  cluster: string;
  slug: string;
  image: string;
  log(line: string): void;
}

/**
 * Builds the repro's image and loads it into every node. The build context holds only what the
 * Containerfiles copy (package.json and repros/), whatever the engine makes of ignore files.
 */
export async function buildAndLoadImage({ engine, cluster, slug, image, log }: ImageLoad): Promise<void> {
  log(`Building ${image} from repros/${slug}/cluster/Containerfile.`);
  const dir = ownedTempDir('kind-image');
  try {
    const context = join(dir, 'context');
    for (const p of ['package.json', 'repros']) cpSync(join(REPO_ROOT, p), join(context, p), { recursive: true });
    await run(engine, ['build', '-f', join(context, 'repros', slug, 'cluster', 'Containerfile'), '-t', image, context]);
    const tar = join(dir, 'image.tar');
    await run(engine, ['save', '-o', tar, image]);
    await run('kind', ['load', 'image-archive', tar, '--name', cluster]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
