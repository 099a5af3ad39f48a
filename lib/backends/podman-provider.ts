/**
 * The podman backend's provider: usable when podman runs a container here with the project's own
 * configuration (runtime: crun where it works, else runc, and why) and its storage has the guest image.
 */
import path from 'node:path';
import type { ImageSet } from '../images/index.js';
import { backendDescriptor } from '../model/backends.js';
import type { MissingCapability } from '../results/campaign-meta.js';
import { GuestbenchError, firstLine } from '../util/errors.js';
import type { ContainerEngine } from './container-engine.js';
import { containerStartTiming } from './docker-latency.js';
import { DockerBackend, containerVolumeScratch, engineContainerFootprint } from './docker.js';
import { podmanSaveRestore } from './podman-checkpoint.js';
import {
  podmanLiveMigration,
  podmanMigrationHosts,
  removeLeftoverMigrationVolumes,
  sweepStaleMigrations,
} from './podman-migration.js';
import {
  PodmanService,
  chooseRuntime,
  ensurePodmanImage,
  podman,
  podmanHost,
  podmanVersion,
  preparePodmanHost,
  removeLeftoverPodmanContainers,
  type PodmanHost,
} from './podman.js';
import type { BackendCheck, BackendProvider, CheckOptions } from './provider.js';

/** Where podman's containers keep their scratch volumes (the default host's storage). */
function podmanScratch(host: PodmanHost) {
  return containerVolumeScratch('podman', path.join(host.graphroot, 'volumes'));
}

/** podman's API service on the default host, as a container engine. */
export function podmanEngine(
  service: PodmanService,
  runtime: string,
  images: ImageSet,
  campaign?: string,
): ContainerEngine {
  return {
    backend: 'podman',
    runtime,
    client: () => service.client(),
    capabilities: (backend) => ({
      scratch: podmanScratch(service.host),
      startTiming: containerStartTiming(backend),
      saveRestore: podmanSaveRestore(backend, service.host),
      memoryFootprint: engineContainerFootprint('conmon'),
      liveMigration: podmanLiveMigration(service.host, images, campaign),
    }),
  };
}

/** Is podman installed, with the guest image in the project's storage, and which runtime runs containers? */
export async function checkPodman({ images, forceProbe }: CheckOptions): Promise<BackendCheck> {
  const version = await podmanVersion();
  if (!version) {
    return {
      backend: 'podman',
      usable: false,
      reason: 'podman is not installed',
      fix: backendDescriptor('podman').setup,
      notes: [],
    };
  }
  if (!images) {
    return {
      backend: 'podman',
      usable: false,
      reason: `podman ${version} is installed but the guest images are not built`,
      fix: 'run `guestbench images build`',
      notes: [],
    };
  }
  const probeHost = podmanHost('default', 'runc');
  preparePodmanHost(probeHost);
  const exists = await podman(probeHost, ['image', 'exists', images.dockerImage]);
  if (exists.exitCode !== 0) {
    return {
      backend: 'podman',
      usable: false,
      reason: `podman's storage (${probeHost.graphroot}) has no image ${images.dockerImage}`,
      fix: 'run `guestbench images build` (it imports the image into podman too)',
      notes: [],
    };
  }
  try {
    const choice = await chooseRuntime(images, { force: forceProbe });
    const notes: MissingCapability[] =
      choice.runtime === 'crun'
        ? []
        : [
            {
              capability: 'podman-crun',
              reason: choice.reason,
              fix: 'crun checks that the cgroup2 mount holds no controller: a host with cgroup v2 only, or with no controller on its cgroup2 mount, lets podman use crun',
            },
          ];
    return {
      backend: 'podman',
      usable: true,
      accel: 'none',
      runtime: choice.version,
      detail: `podman ${version} (${choice.version}: ${choice.reason}), image ${images.dockerImage}, storage ${probeHost.graphroot}`,
      notes,
    };
  } catch (error) {
    return {
      backend: 'podman',
      usable: false,
      reason: firstLine(error),
      fix: error instanceof GuestbenchError && error.fix ? error.fix : 'see `guestbench doctor`',
      notes: [],
    };
  }
}

export const podmanProvider: BackendProvider<'podman'> = {
  name: 'podman',
  usesImages: true,
  scratch: podmanScratch(podmanHost('default', 'runc')),
  check: checkPodman,
  create({ images, campaign, containerLimits, runtime }) {
    if (!images) throw new Error('unreachable: the podman check needs the images');
    const host = podmanHost('default', runtime?.startsWith('crun') ? 'crun' : 'runc');
    return new DockerBackend({
      engine: podmanEngine(new PodmanService(host), runtime ?? 'runc', images, campaign),
      image: images.dockerImage,
      campaign,
      limits: containerLimits,
    });
  },
  async prepareImages(images, log) {
    const host = podmanHost('default', 'runc');
    preparePodmanHost(host);
    await ensurePodmanImage(host, images, log);
  },
  async cleanup({ campaign }) {
    const lines: string[] = [];
    for (const host of podmanMigrationHosts('runc')) {
      const removed = await removeLeftoverPodmanContainers(host, campaign);
      const volumes = await removeLeftoverMigrationVolumes(host);
      lines.push(`removed ${removed} container(s) and ${volumes} migration volume(s) from ${host.graphroot}`);
    }
    const swept = sweepStaleMigrations(podmanMigrationHosts('runc'));
    lines.push(
      `removed ${swept.length} checkpoint transfer director${swept.length === 1 ? 'y' : 'ies'} and network(s) of migrations that no longer run`,
    );
    return lines;
  },
};
