/**
 * Removing image sets of older recipes: every recipe change builds a new set beside the old ones.
 */
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { dockerClient } from '../util/docker-client.js';
import { resolveCacheDir } from './find-images.js';
import { DOCKER_REPOSITORY, GUEST_RECIPE, recipeKey } from './recipe.js';

/** What pruning removed. */
export interface PruneResult {
  /** the key kept (the current recipe's) */
  kept: string;
  /** keys whose cache directory was removed */
  removedDirs: string[];
  /** Docker image references removed */
  removedDockerImages: string[];
}

/** Removes cached image sets and Docker images of every recipe but the current one. */
export async function pruneImages(options: { cacheDir?: string } = {}): Promise<PruneResult> {
  const kept = recipeKey(GUEST_RECIPE);
  const imagesRoot = path.join(resolveCacheDir(options.cacheDir), 'images');
  let entries: string[] = [];
  try {
    entries = readdirSync(imagesRoot);
  } catch {
    // no cache yet: nothing to prune
  }
  // .build-* folders belong to a build that may be running: buildImages cleans its own
  const removedDirs = entries.filter((name) => /^[0-9a-f]{12}$/.test(name) && name !== kept);
  for (const key of removedDirs) rmSync(path.join(imagesRoot, key), { recursive: true, force: true });
  const docker = dockerClient();
  const images = await docker.listImages({ filters: { reference: [`${DOCKER_REPOSITORY}:*`] } });
  const removedDockerImages: string[] = [];
  for (const image of images) {
    for (const tag of image.RepoTags ?? []) {
      if (tag === `${DOCKER_REPOSITORY}:${kept}`) continue;
      await docker.getImage(tag).remove();
      removedDockerImages.push(tag);
    }
  }
  // a re-import under the same tag leaves the previous image untagged: ours carry the key label
  const dangling = await docker.listImages({ filters: { dangling: ['true'], label: ['org.guestbench.key'] } });
  for (const image of dangling) {
    try {
      await docker.getImage(image.Id).remove();
      removedDockerImages.push(
        `${image.Id.replace(/^sha256:/, '').slice(0, 12)} (untagged, key ${image.Labels?.['org.guestbench.key'] ?? '?'})`,
      );
    } catch {
      // still used by a container: left for the next prune
    }
  }
  return { kept, removedDirs, removedDockerImages };
}
