/**
 * A container engine that serves the Docker-compatible API: the Docker engine itself, or podman's
 * API service. The container backends drive guests through it with one client (dockerode), so the
 * difference they measure is the engine and its runtime, not the client. What an engine's guests can
 * do beyond that API (checkpoints, migration) is the engine's own: its capabilities.
 */
import type Docker from 'dockerode';
import { execa } from 'execa';
import type { BackendCapabilities } from './capabilities.js';
import type { DockerBackend } from './docker.js';

/** One engine. */
export interface ContainerEngine {
  /** the backend whose guests it runs */
  readonly backend: 'docker' | 'podman';
  /** the OCI runtime its containers run under, e.g. "runc 1.1.5+ds1" (recorded on every row) */
  readonly runtime: string;
  /** the API client (an engine that is a service of ours is started on first use) */
  client(): Promise<Docker>;
  /** what a backend of this engine can do beyond start, exec and stop */
  capabilities(backend: DockerBackend): BackendCapabilities;
}

/** The OCI runtimes the engines can run containers with here. */
export type OciRuntime = 'crun' | 'runc';

/** An OCI runtime's version line, e.g. "runc 1.1.5+ds1", or undefined. */
export async function runtimeVersion(runtime: string): Promise<string | undefined> {
  const result = await execa(runtime, ['--version'], { reject: false, stdin: 'ignore' });
  if (result.exitCode !== 0) return undefined;
  const version = /version\s+(\S+)/.exec(String(result.stdout))?.[1];
  return version ? `${runtime} ${version}` : runtime;
}
