/**
 * Locating a built image set in the cache, without building anything.
 */
import { accessSync, constants } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dockerClient } from '../util/docker-client.js';
import { CapabilityError } from '../util/errors.js';
import { readManifestSync, type ImageManifest } from './manifest.js';
import { DOCKER_REPOSITORY, GUEST_RECIPE, recipeKey, type ImageRecipe } from './recipe.js';

/** One built guest image, usable by the kvm backend (kernel, initrd, disk) and the docker backend. */
export interface ImageSet {
  /** recipe key, 12 hex characters */
  key: string;
  /** absolute path of the image directory */
  dir: string;
  /** absolute path of the guest kernel (vmlinuz) */
  kernel: string;
  /** absolute path of the guest initramfs */
  initrd: string;
  /** absolute path of the raw ext4 root disk (use read-only or with snapshot=on) */
  disk: string;
  /** Docker image name, guestbench/bookworm:<key> (container engines import it from `rootfsTar`) */
  dockerImage: string;
  /** absolute path of the rootfs tarball the container images are imported from (may be absent) */
  rootfsTar: string;
  manifest: ImageManifest;
}

/** Options shared by `findImages` and `buildImages`. */
export interface CacheOptions {
  /** cache root (default: $GUESTBENCH_CACHE or ~/.cache/guestbench) */
  cacheDir?: string;
  /** the recipe to look for (default: GUEST_RECIPE) */
  recipe?: ImageRecipe;
}

/** The cache root: `cacheDir`, else $GUESTBENCH_CACHE, else ~/.cache/guestbench. */
export function resolveCacheDir(cacheDir?: string): string {
  return path.resolve(cacheDir ?? process.env.GUESTBENCH_CACHE ?? path.join(os.homedir(), '.cache', 'guestbench'));
}

/** The directory an image set with `key` lives in. */
export function imageDir(cacheDir: string, key: string): string {
  return path.join(cacheDir, 'images', key);
}

/** File names inside an image directory. */
export const IMAGE_FILES = {
  kernel: 'vmlinuz',
  initrd: 'initrd.img',
  disk: 'disk.raw',
  rootfsTar: 'rootfs.tar.gz',
  manifest: 'manifest.json',
  buildLog: 'build.log',
} as const;

const BUILD_FIX = 'run `guestbench images build`';

/**
 * Finds the image set of the current recipe (synchronous: a few stat calls and one small JSON file).
 * Throws CapabilityError (fix: run `guestbench images build`) when it is missing or incomplete. It
 * does not ask the Docker engine: use {@link dockerImageId} for that, or `buildImages()`, which
 * re-imports a missing Docker image.
 */
export function findImages(options: CacheOptions = {}): ImageSet {
  const cacheDir = resolveCacheDir(options.cacheDir);
  const key = recipeKey(options.recipe ?? GUEST_RECIPE);
  const set = readImageSet(cacheDir, key);
  if (!set) {
    throw new CapabilityError(`No guest image for recipe ${key} in ${imageDir(cacheDir, key)}`, { fix: BUILD_FIX });
  }
  return set;
}

/**
 * The image set in the cache for `key`, or undefined when any file is missing. Throws ParseError when
 * the manifest is malformed.
 */
export function readImageSet(cacheDir: string, key: string): ImageSet | undefined {
  const dir = imageDir(cacheDir, key);
  const files = {
    kernel: path.join(dir, IMAGE_FILES.kernel),
    initrd: path.join(dir, IMAGE_FILES.initrd),
    disk: path.join(dir, IMAGE_FILES.disk),
    manifest: path.join(dir, IMAGE_FILES.manifest),
  };
  for (const file of Object.values(files)) {
    try {
      accessSync(file, constants.R_OK);
    } catch {
      return undefined;
    }
  }
  const manifest = readManifestSync(files.manifest);
  if (manifest.key !== key) return undefined;
  return {
    key,
    dir,
    kernel: files.kernel,
    initrd: files.initrd,
    disk: files.disk,
    dockerImage: `${DOCKER_REPOSITORY}:${key}`,
    rootfsTar: path.join(dir, IMAGE_FILES.rootfsTar),
    manifest,
  };
}

/** The engine's id of a Docker image, or undefined when the engine does not have it. */
export async function dockerImageId(name: string): Promise<string | undefined> {
  try {
    // no AbortSignal: dockerode's image inspect would put it in the query string
    const info = await dockerClient().getImage(name).inspect();
    return info.Id;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw new CapabilityError(`Docker engine did not answer: ${(error as Error).message}`, {
      cause: error,
      fix: 'start the engine (`dockerd`) or set DOCKER_HOST',
    });
  }
}
