// Container images without a registry: an OCI image layout (one uncompressed layer holding a small
// root filesystem, a config, a manifest, index.json) packed into a tar that
// `ctr -n k8s.io images import` reads. Built once per content and cached under .cache/real-images/.
//
// Two images serve the real tier:
// - the app image: the Node 22 binary this project installs (node_modules/node), the shared libraries
//   `ldd` lists for it plus the dynamic loader, and the repro files an app needs (its transitive
//   relative imports), so the container runs the very app.ts the stand-ins run;
// - the pause image: busybox-static's `sleep`, which is all a pod sandbox's process has to do.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { toolPath } from './tools.ts';
import { REPO_ROOT } from '../paths.ts';

export const IMAGE_CACHE = join(REPO_ROOT, '.cache', 'real-images');
/** Where the repo's files sit inside the app image; the app runs as `node /app/repros/<slug>/app.ts`. */
export const APP_ROOT_IN_IMAGE = '/app';
export const NODE_IN_IMAGE = '/usr/local/bin/node';
/** Bump when the layout this file writes changes, so cached tars are rebuilt. */
const BUILDER_VERSION = 1;

export interface ImageFile {
  /** Path on this machine (followed if a symlink), or `content` for a file written from a string. */
  src?: string;
  content?: string;
  /** Absolute path inside the image. */
  dest: string;
}

export interface ImageSpec {
  /** Repository part of the reference, e.g. "runbook-repros.local/node-apps". */
  repository: string;
  files: readonly ImageFile[];
  /** Empty directories to create (mount points such as /proc, /tmp). */
  dirs: readonly string[];
  entrypoint: readonly string[];
  cmd?: readonly string[];
  env?: readonly string[];
  workingDir?: string;
}

export interface BuiltImage {
  /** The reference the CRI uses, e.g. "runbook-repros.local/node-apps:1a2b3c4d5e6f". */
  ref: string;
  /** The OCI layout tar to import. */
  tar: string;
  /** Whether this call built it (false: taken from the cache). */
  built: boolean;
  /** Bytes of the uncompressed layer. */
  layerBytes: number;
}

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

const executable = (path: string): boolean => (statSync(path).mode & 0o111) !== 0;

function fileDigest(path: string): string {
  return sha256(readFileSync(path));
}

/**
 * A file's digest for the cache key. Big files (the node binary, libc) are hashed once per
 * (path, size, mtime, inode) and remembered in the cache directory, so a cached build costs a few
 * stat calls instead of reading 130 MB.
 */
function cachedDigest(path: string): string {
  const st = statSync(path);
  if (st.size < 1_000_000) return fileDigest(path);
  const memo = join(IMAGE_CACHE, 'digests.json');
  let table: Record<string, string> = {};
  try {
    table = JSON.parse(readFileSync(memo, 'utf8')) as Record<string, string>;
  } catch {
    table = {};
  }
  const k = `${path}|${st.size}|${st.mtimeMs}|${st.ino}`;
  const hit = table[k];
  if (hit) return hit;
  const d = fileDigest(path);
  table[k] = d;
  mkdirSync(IMAGE_CACHE, { recursive: true });
  writeFileSync(memo, JSON.stringify(table));
  return d;
}

/** The image's content key: its config and every file's content, not paths or times on this machine. */
function contentKey(spec: ImageSpec): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ v: BUILDER_VERSION, repository: spec.repository, dirs: spec.dirs, entrypoint: spec.entrypoint, cmd: spec.cmd, env: spec.env, workingDir: spec.workingDir }));
  for (const f of [...spec.files].sort((a, b) => a.dest.localeCompare(b.dest))) {
    h.update(`\0${f.dest}\0${f.src ? `${executable(f.src) ? 'x' : '-'}\0${cachedDigest(realpathSync(f.src))}` : `-\0${sha256(f.content ?? '')}`}`);
  }
  return h.digest('hex');
}

function tarDir(dir: string, out: string, entries: readonly string[]): void {
  // Reproducible: sorted names, fixed times and owners, GNU format (no pax headers with atimes).
  execFileSync('tar', ['--create', '--file', out, '--format=gnu', '--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '-C', dir, ...entries], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

function writeBlob(blobs: string, content: Buffer | string): { digest: string; size: number } {
  const buf = typeof content === 'string' ? Buffer.from(content) : content;
  const digest = sha256(buf);
  writeFileSync(join(blobs, digest), buf);
  return { digest: `sha256:${digest}`, size: buf.length };
}

/** Builds the image's OCI layout tar unless the cache has it already. */
export function buildImage(spec: ImageSpec): BuiltImage {
  const key = contentKey(spec);
  const ref = `${spec.repository}:${key.slice(0, 12)}`;
  const tar = join(IMAGE_CACHE, `${spec.repository.replace(/[^a-z0-9]+/g, '-')}-${key.slice(0, 12)}.tar`);
  const meta = `${tar}.json`;
  if (existsSync(tar) && existsSync(meta)) {
    const m = JSON.parse(readFileSync(meta, 'utf8')) as { layerBytes: number };
    return { ref, tar, built: false, layerBytes: m.layerBytes };
  }
  mkdirSync(IMAGE_CACHE, { recursive: true });
  const work = join(IMAGE_CACHE, `build-${key.slice(0, 12)}-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  try {
    const rootfs = join(work, 'rootfs');
    for (const d of spec.dirs) mkdirSync(join(rootfs, d), { recursive: true });
    chmodSync(join(rootfs), 0o755);
    for (const f of spec.files) {
      const to = join(rootfs, f.dest);
      mkdirSync(dirname(to), { recursive: true });
      if (f.src) copyFileSync(realpathSync(f.src), to);
      else writeFileSync(to, f.content ?? '');
      chmodSync(to, f.src && executable(f.src) ? 0o755 : 0o644);
    }
    if (existsSync(join(rootfs, 'tmp'))) chmodSync(join(rootfs, 'tmp'), 0o1777);

    const layout = join(work, 'layout');
    const blobs = join(layout, 'blobs', 'sha256');
    mkdirSync(blobs, { recursive: true });
    const layerTmp = join(work, 'layer.tar');
    tarDir(rootfs, layerTmp, ['.']);
    const layerBytes = statSync(layerTmp).size;
    const layerDigest = fileDigest(layerTmp);
    renameSync(layerTmp, join(blobs, layerDigest));
    const layer = { digest: `sha256:${layerDigest}`, size: layerBytes };

    const config = writeBlob(
      blobs,
      JSON.stringify({
        architecture: goArch(),
        os: 'linux',
        config: {
          Entrypoint: spec.entrypoint,
          ...(spec.cmd ? { Cmd: spec.cmd } : {}),
          Env: spec.env ?? ['PATH=/usr/local/bin:/usr/bin:/bin'],
          ...(spec.workingDir ? { WorkingDir: spec.workingDir } : {}),
        },
        rootfs: { type: 'layers', diff_ids: [layer.digest] },
        history: [{ created_by: 'runbook-repros repros/lib/real/images.ts' }],
      }),
    );
    const manifest = writeBlob(
      blobs,
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
      }),
    );
    writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    writeFileSync(
      join(layout, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            ...manifest,
            platform: { architecture: goArch(), os: 'linux' },
            annotations: { 'io.containerd.image.name': ref, 'org.opencontainers.image.ref.name': key.slice(0, 12) },
          },
        ],
      }),
    );
    const tmpTar = `${tar}.${process.pid}.tmp`;
    tarDir(layout, tmpTar, ['oci-layout', 'index.json', 'blobs']);
    renameSync(tmpTar, tar);
    writeFileSync(meta, JSON.stringify({ ref, layerBytes, files: spec.files.length }));
    // Older builds of the same image are of no further use: 130 MB each.
    const prefix = `${spec.repository.replace(/[^a-z0-9]+/g, '-')}-`;
    for (const f of readdirSync(IMAGE_CACHE)) {
      if (f.startsWith(prefix) && /^[-a-z0-9]+-[0-9a-f]{12}\.tar(\.json)?$/.test(f) && !f.startsWith(`${prefix}${key.slice(0, 12)}`)) rmSync(join(IMAGE_CACHE, f), { force: true });
    }
    return { ref, tar, built: true, layerBytes };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function goArch(): string {
  const m: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return m[process.arch] ?? process.arch;
}

/** The shared libraries and the dynamic loader a binary needs, as `ldd` lists them. */
export function sharedLibraries(binary: string): string[] {
  const out = execFileSync('ldd', [binary], { encoding: 'utf8' });
  const libs = new Set<string>();
  for (const line of out.split('\n')) {
    const arrow = /=>\s*(\/\S+)/.exec(line);
    if (arrow?.[1]) libs.add(arrow[1]);
    else {
      const bare = /^\s*(\/\S+)\s+\(/.exec(line);
      if (bare?.[1]) libs.add(bare[1]);
    }
  }
  return [...libs];
}

/** The Node binary this project runs on (node_modules/node), or the running one. */
export function projectNode(): string {
  const local = join(REPO_ROOT, 'node_modules', '.bin', 'node');
  return realpathSync(existsSync(local) ? local : process.execPath);
}

/** An entry file and every repo file it imports at run time (relative imports; `import type` is erased). */
export function importClosure(entries: readonly string[]): string[] {
  const seen = new Set<string>();
  const queue = entries.map((e) => resolve(e));
  const re = /^\s*(import|export)\s+(?!type\s)[^'";]*?from\s+['"](\.{1,2}\/[^'"]+)['"]|^\s*import\s+['"](\.{1,2}\/[^'"]+)['"]/gm;
  while (queue.length) {
    const f = queue.pop() as string;
    if (seen.has(f)) continue;
    seen.add(f);
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(re)) {
      const spec = m[2] ?? m[3];
      if (spec) queue.push(resolve(dirname(f), spec));
    }
  }
  return [...seen].sort();
}

/** The image that runs this project's Node apps: node, its libraries, and the apps' files. */
export function appImageSpec(entries: readonly string[]): ImageSpec {
  const node = projectNode();
  const files: ImageFile[] = [{ src: node, dest: NODE_IN_IMAGE }];
  for (const lib of sharedLibraries(node)) files.push({ src: lib, dest: lib });
  for (const f of importClosure(entries)) files.push({ src: f, dest: join(APP_ROOT_IN_IMAGE, relative(REPO_ROOT, f)) });
  // A package.json with "type": "module", so Node reads the .ts files as ES modules as it does here.
  files.push({ content: '{ "type": "module" }\n', dest: join(APP_ROOT_IN_IMAGE, 'package.json') });
  return {
    repository: 'runbook-repros.local/node-apps',
    files,
    dirs: ['proc', 'sys', 'dev', 'etc', 'tmp', 'run'],
    entrypoint: [NODE_IN_IMAGE],
    env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'NODE_DISABLE_COLORS=1'],
    workingDir: APP_ROOT_IN_IMAGE,
  };
}

/**
 * The apps the real tier runs in containers. One image holds them all, so it is built and cached
 * once for every incident.
 */
export const PROJECT_APPS: readonly string[] = ['repros/containerd-stopped/app.ts', 'repros/crashloop-backoff/app.ts'];

/** The real tier's two images, built or taken from the cache. */
export function projectImages(): { app: BuiltImage; pause: BuiltImage } {
  return { app: buildImage(appImageSpec(PROJECT_APPS.map((f) => join(REPO_ROOT, f)))), pause: buildImage(pauseImageSpec()) };
}

/** The pod sandbox image: busybox-static's sleep, for ever. */
export function pauseImageSpec(): ImageSpec {
  const busybox = toolPath('busybox');
  if (!busybox) throw new Error('busybox not found (apt-get install -y busybox-static)');
  return {
    repository: 'runbook-repros.local/pause',
    files: [{ src: busybox, dest: '/bin/busybox' }],
    dirs: ['proc', 'sys', 'dev', 'etc', 'tmp'],
    entrypoint: ['/bin/busybox', 'sleep', '2147483647'],
  };
}

/** Where an app file of this repo is inside the app image. */
export function inImage(repoFile: string): string {
  return join(APP_ROOT_IN_IMAGE, relative(REPO_ROOT, resolve(repoFile)));
}
