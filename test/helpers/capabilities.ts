/**
 * What the host offers the integration tests. A test that needs something missing is skipped with
 * the reason printed, never passed silently.
 */
import { imagesIfBuilt } from '../../lib/backends/availability.js';
import { checkDocker } from '../../lib/backends/docker-provider.js';
import type { ImageSet } from '../../lib/images/index.js';

/** The guest images, or the reason they are unavailable. */
export const imagesState = imagesIfBuilt();

/** The docker backend's check (engine answers and has the image). */
export const dockerState = await checkDocker({ images: imagesState.images });

/** Prints why a suite is skipped and returns true when it must be. */
export function skipUnless(usable: boolean, what: string, reason: string | undefined): boolean {
  if (!usable) console.warn(`SKIPPED ${what}: ${reason ?? 'unknown reason'}`);
  return !usable;
}

export const dockerSkip = skipUnless(
  dockerState.usable,
  'Docker integration tests',
  dockerState.usable ? undefined : `${dockerState.reason} (fix: ${dockerState.fix})`,
);
export const images: ImageSet | undefined = imagesState.images;
