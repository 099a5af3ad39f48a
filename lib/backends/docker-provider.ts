/**
 * The Docker backend's provider: usable when an engine answers and has the guest image.
 */
import * as fs from 'node:fs';
import { backendDescriptor } from '../model/backends.js';
import { dockerClient } from '../util/docker-client.js';
import { firstLine } from '../util/errors.js';
import { withTimeout } from '../util/signals.js';
import { runtimeVersion, type ContainerEngine } from './container-engine.js';
import { dockerSaveRestore } from './docker-checkpoint.js';
import { containerStartTiming } from './docker-latency.js';
import {
  CONTAINER_VOLUME_SCRATCH,
  DockerBackend,
  engineContainerFootprint,
  removeLeftoverContainers,
} from './docker.js';
import type { BackendCheck, BackendProvider, CheckOptions } from './provider.js';

/** The Docker engine at $DOCKER_HOST or /var/run/docker.sock, with its default runtime. */
export function dockerEngine(runtime: string): ContainerEngine {
  return {
    backend: 'docker',
    runtime,
    client: async () => dockerClient(),
    // private volumes, a timed start and stop with the engine's own events, CRIU checkpoints; no migration
    capabilities: (backend) => ({
      scratch: CONTAINER_VOLUME_SCRATCH,
      startTiming: containerStartTiming(backend),
      saveRestore: dockerSaveRestore(backend),
      memoryFootprint: engineContainerFootprint('containerd-shim-runc-v2'),
    }),
  };
}

/** The engine's default OCI runtime and its version, e.g. "runc 1.1.5+ds1". */
async function dockerRuntime(): Promise<string> {
  const info = (await dockerClient().info()) as { DefaultRuntime?: string };
  const runtime = info.DefaultRuntime ?? 'runc';
  return (await runtimeVersion(runtime)) ?? runtime;
}

/** Does a Docker engine answer, and does it have the guest image? */
export async function checkDocker({ images }: CheckOptions): Promise<BackendCheck> {
  const fix = backendDescriptor('docker').setup;
  try {
    const version = await withTimeout(dockerClient().version(), 5000, 'no answer within 5 s');
    if (!images) {
      return {
        backend: 'docker',
        usable: false,
        reason: `Docker engine ${version.Version} answers but the guest images are not built`,
        fix: 'run `guestbench images build`',
        notes: [],
      };
    }
    try {
      await dockerClient().getImage(images.dockerImage).inspect();
    } catch {
      return {
        backend: 'docker',
        usable: false,
        reason: `the Docker engine has no image ${images.dockerImage}`,
        fix: 'run `guestbench images build` (it re-imports the image)',
        notes: [],
      };
    }
    const runtime = await dockerRuntime();
    return {
      backend: 'docker',
      usable: true,
      accel: 'none',
      runtime,
      detail: `engine ${version.Version} (${runtime}), image ${images.dockerImage}`,
      notes: [],
    };
  } catch (error) {
    const socket = process.env.DOCKER_HOST ?? '/var/run/docker.sock';
    const why = firstLine(error);
    const reason = fs.existsSync(socket.replace(/^unix:\/\//, ''))
      ? `the Docker engine at ${socket} does not answer: ${why}`
      : `no Docker engine: ${socket} does not exist`;
    return { backend: 'docker', usable: false, reason, fix, notes: [] };
  }
}

export const dockerProvider: BackendProvider<'docker'> = {
  name: 'docker',
  usesImages: true,
  scratch: CONTAINER_VOLUME_SCRATCH,
  check: checkDocker,
  create({ images, campaign, containerLimits, runtime }) {
    if (!images) throw new Error('unreachable: the docker check needs the images');
    return new DockerBackend({
      engine: dockerEngine(runtime ?? 'runc'),
      image: images.dockerImage,
      campaign,
      limits: containerLimits,
    });
  },
  async cleanup({ campaign }) {
    const removed = await removeLeftoverContainers(campaign);
    return [`removed ${removed} container(s)`];
  },
};
