/**
 * The one place a Docker client is made, so every module talks to the same engine. dockerode is
 * required when the first client is made, not when a module that may make one is imported: it
 * takes longer to load than the rest of a command's start-up.
 */
import { createRequire } from 'node:module';
import type Docker from 'dockerode';

let client: Docker | undefined;

/** A new dockerode client (dockerode loaded on first use; its entry point is CommonJS). */
export function newDockerClient(options?: Docker.DockerOptions): Docker {
  const Dockerode = createRequire(import.meta.url)('dockerode') as typeof Docker;
  return new Dockerode(options);
}

/** A shared dockerode client for the engine at DOCKER_HOST (unix socket) or /var/run/docker.sock. */
export function dockerClient(): Docker {
  if (!client) {
    const host = process.env.DOCKER_HOST;
    client = host?.startsWith('unix://')
      ? newDockerClient({ socketPath: host.slice('unix://'.length) })
      : newDockerClient();
  }
  return client;
}
