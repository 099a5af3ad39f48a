/**
 * The one place a Docker client is made, so every module talks to the same engine.
 */
import Docker from 'dockerode';

let client: Docker | undefined;

/** A shared dockerode client for the engine at DOCKER_HOST (unix socket) or /var/run/docker.sock. */
export function dockerClient(): Docker {
  if (!client) {
    const host = process.env.DOCKER_HOST;
    client = host?.startsWith('unix://') ? new Docker({ socketPath: host.slice('unix://'.length) }) : new Docker();
  }
  return client;
}
