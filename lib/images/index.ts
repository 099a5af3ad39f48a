/**
 * Guest images: one Debian bookworm rootfs, built once per recipe, as a VM disk (kernel, initramfs,
 * raw ext4) and as a Docker image.
 *
 * ```ts
 * import { buildImages } from './lib/images/index.js';
 * const images = await buildImages({ log: console.log }); // ~1-3 min the first time, ms after
 * images.disk;        // ~/.cache/guestbench/images/<key>/disk.raw
 * images.dockerImage; // guestbench/bookworm:<key>
 * ```
 */
export {
  buildImages,
  containerImageChanges,
  ImageBuildError,
  parseExt4Free,
  parsePackageList,
  type BuildImagesOptions,
} from './build-images.js';
export {
  IMAGE_FILES,
  dockerImageId,
  findImages,
  imageDir,
  readImageSet,
  resolveCacheDir,
  type CacheOptions,
  type ImageSet,
} from './find-images.js';
export {
  checkManifest,
  readManifest,
  readManifestSync,
  type DockerImageInfo,
  type ImageFileInfo,
  type ImageManifest,
} from './manifest.js';
export {
  DOCKER_EXCLUDES,
  DOCKER_REPOSITORY,
  GUEST_AGENT_PORT,
  GUEST_INIT_PATH,
  GUEST_INIT_SCRIPT,
  GUEST_PACKAGES,
  GUEST_READY_MARKER,
  GUEST_RECIPE,
  INITRAMFS_MODULES,
  RECIPE_VERSION,
  recipeKey,
  type ImageRecipe,
} from './recipe.js';
export { pruneImages, type PruneResult } from './prune-images.js';
