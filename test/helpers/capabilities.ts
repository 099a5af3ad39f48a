/**
 * What the host offers the integration tests. A test that needs something missing is skipped with
 * the reason printed, never passed silently.
 */
import { imagesIfBuilt } from '../../lib/backends/availability.js';
import type { DockerBackend } from '../../lib/backends/docker.js';
import { checkDocker } from '../../lib/backends/docker-provider.js';
import type { BackendCheck } from '../../lib/backends/provider.js';
import { backendProvider } from '../../lib/backends/registry.js';
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

/** A container backend of this host (its check and, when usable, a backend made by its provider). */
export interface ContainerBackendState {
  name: 'docker' | 'podman';
  check: BackendCheck;
  /** a backend labelled with `campaign`, when the check passed */
  make(campaign: string, options?: { exitOnSigterm?: boolean }): DockerBackend;
}

async function containerBackend(name: 'docker' | 'podman'): Promise<ContainerBackendState> {
  const provider = backendProvider(name);
  const check = name === 'docker' ? dockerState : await provider.check({ images: imagesState.images });
  if (!check.usable) console.warn(`SKIPPED ${name} integration tests: ${check.reason} (fix: ${check.fix})`);
  return {
    name,
    check,
    make: (campaign, options = {}) => {
      if (!check.usable) throw new Error(`${name} is not usable here: ${check.reason}`);
      const backend = provider.create({
        accel: 'none',
        images: imagesState.images,
        campaign,
        containerLimits: false,
        ...(check.runtime ? { runtime: check.runtime } : {}),
      });
      return (backend as DockerBackend).derive(options);
    },
  };
}

/** Both container engines that speak the Docker-compatible API: the Docker engine and podman's service. */
export const containerBackends: ContainerBackendState[] = [
  await containerBackend('docker'),
  await containerBackend('podman'),
];
