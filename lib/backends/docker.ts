/**
 * Docker containers as guests, through dockerode only. A guest is a long-lived container whose
 * main process prints a ready marker and sleeps; workloads run in it with the exec API, like
 * `docker exec`.
 */
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import type { Accel } from '../results/schema.js';
import { AbortedError, BackendError } from '../util/errors.js';
import { boundedSignal, isTimeout } from '../util/signals.js';
import { dockerClient } from './docker-client.js';
import type { Backend, ExecOptions, ExecResult, Guest, GuestSpec, GuestState } from './guest.js';

/** Label on every container guestbench creates, so leftovers can always be found. */
export const GUESTBENCH_LABEL = 'org.guestbench';
/** Label naming the campaign (or test) that created a container. */
export const CAMPAIGN_LABEL = 'org.guestbench.campaign';

/** How containers are made. */
export interface DockerBackendOptions {
  /** image reference, e.g. guestbench/bookworm:<key> */
  image: string;
  /** written to CAMPAIGN_LABEL */
  campaign?: string;
  /**
   * Apply the guest spec's vcpus and memory as cgroup limits. The thesis ran containers without
   * limits, so the default is false; the choice is recorded with the campaign.
   */
  limits?: boolean;
  /** docker network mode; default "bridge" (the engine's default, as in the thesis) */
  networkMode?: string;
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { statusCode?: number }).statusCode === 404;
}

/** Explains a failed engine call in one line with the fix. */
function engineError(what: string, cause: unknown): BackendError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  const unreachable = /ENOENT|ECONNREFUSED|EACCES/.test(detail);
  return new BackendError(`${what}: ${detail.split('\n')[0]}`, {
    cause,
    backend: 'docker',
    fix: unreachable
      ? 'start a Docker engine (`bash scripts/setup.sh` starts dockerd) and check that /var/run/docker.sock is writable'
      : 'run `guestbench doctor` to check the Docker engine and the guest image',
  });
}

/** Printed by a container's main process once it runs: the container's readiness signal. */
export const CONTAINER_READY_MARKER = 'guestbench-ready';

class DockerGuest implements Guest {
  readonly backend = 'docker' as const;
  readonly accel: Accel = 'none';
  private stopped = false;
  /** settles when the main process has printed the ready marker, or the container ended first */
  private readonly ready: Promise<void>;

  constructor(
    readonly spec: GuestSpec,
    private readonly container: Docker.Container,
    attached: NodeJS.ReadWriteStream,
  ) {
    this.ready = new Promise<void>((resolve, reject) => {
      const stdout = new PassThrough();
      let seen = '';
      stdout.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes(CONTAINER_READY_MARKER)) {
          resolve();
          // the marker is all the attach stream is for
          (attached as unknown as { destroy(): void }).destroy();
        }
      });
      container.modem.demuxStream(attached, stdout, new PassThrough());
      attached.on('end', () => reject(new BackendError(`Container ${spec.name} ended before printing its ready marker`, { backend: 'docker', fix: 'check the image: its `sh` and `sleep` must run' })));
      attached.on('error', (error) => reject(engineError(`Lost the attach stream of container ${spec.name}`, error)));
    });
    // waitReady may never be called (e.g. a start that failed half-way); do not crash on it
    this.ready.catch(() => undefined);
  }

  /** The container's id. */
  get id(): string {
    return this.container.id;
  }

  async waitReady(options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const signal = boundedSignal(options.signal, timeoutMs);
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(isTimeout(signal) ? new BackendError(`Container ${this.spec.name} was not ready after ${timeoutMs} ms`, { backend: 'docker' }) : new AbortedError(`Aborted while waiting for container ${this.spec.name}`));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.ready.then(resolve, reject).finally(() => signal?.removeEventListener('abort', onAbort));
    });
  }

  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const signal = boundedSignal(options.signal, options.timeoutMs);
    const startedNs = process.hrtime.bigint();
    let exec: Docker.Exec;
    try {
      exec = await this.container.exec({ Cmd: [...argv], AttachStdout: true, AttachStderr: true, Env: ['LC_ALL=C'] });
    } catch (cause) {
      throw engineError(`Could not create exec in container ${this.spec.name}: ${argv.join(' ')}`, cause);
    }
    const stream = await exec.start({ hijack: true, stdin: false });
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
    stdout.on('data', (chunk: Buffer) => chunks.out.push(chunk));
    stderr.on('data', (chunk: Buffer) => chunks.err.push(chunk));
    this.container.modem.demuxStream(stream, stdout, stderr);
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        stream.destroy();
        reject(new AbortedError(`${isTimeout(signal) ? 'Timed out' : 'Aborted'}: ${argv.join(' ')} in container ${this.spec.name}`));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      stream.on('end', () => resolve());
      stream.on('close', () => resolve());
      stream.on('error', (error) => reject(engineError(`Exec stream failed in container ${this.spec.name}`, error)));
    });
    // the stream ends as the process exits; the engine may need a moment to record the exit code
    let info = await exec.inspect();
    for (let tries = 0; info.Running && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      info = await exec.inspect();
    }
    const endedNs = process.hrtime.bigint();
    return {
      argv,
      exitCode: info.ExitCode ?? -1,
      stdout: Buffer.concat(chunks.out).toString('utf8'),
      stderr: Buffer.concat(chunks.err).toString('utf8'),
      startedNs,
      endedNs,
    };
  }

  async status(): Promise<GuestState> {
    if (this.stopped) return 'stopped';
    try {
      const info = await this.container.inspect();
      return info.State.Running ? 'running' : info.State.Status === 'created' ? 'starting' : 'stopped';
    } catch (error) {
      if (isNotFound(error)) return 'stopped';
      throw engineError(`Could not inspect container ${this.spec.name}`, error);
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.container.remove({ force: true });
    } catch (error) {
      if (!isNotFound(error)) throw engineError(`Could not remove container ${this.spec.name}`, error);
    }
    this.stopped = true;
  }
}

/** Starts containers from the guest image. */
export class DockerBackend implements Backend {
  readonly name = 'docker' as const;
  readonly accel: Accel = 'none';
  private readonly docker = dockerClient();

  constructor(private readonly options: DockerBackendOptions) {}

  async start(spec: GuestSpec, options: { signal?: AbortSignal } = {}): Promise<Guest> {
    const labels: Record<string, string> = { [GUESTBENCH_LABEL]: '1' };
    if (this.options.campaign) labels[CAMPAIGN_LABEL] = this.options.campaign;
    const limits = this.options.limits ? { Memory: spec.memoryMiB * 2 ** 20, NanoCpus: spec.vcpus * 1e9 } : {};
    let container: Docker.Container;
    try {
      container = await this.docker.createContainer({
        name: `guestbench-${spec.name}`,
        Image: this.options.image,
        // the marker tells the runner the container's own process is running (like a VM's agent answering)
        Cmd: ['sh', '-c', `echo ${CONTAINER_READY_MARKER}; exec sleep infinity`],
        Labels: labels,
        Tty: false,
        HostConfig: { NetworkMode: this.options.networkMode ?? 'bridge', ...limits },
        abortSignal: options.signal,
      } as Docker.ContainerCreateOptions);
    } catch (cause) {
      const missingImage = /No such image/i.test(String(cause));
      const error = engineError(`Could not create container ${spec.name} from ${this.options.image}`, cause);
      if (missingImage) {
        throw new BackendError(error.message, { cause, backend: 'docker', fix: 'run `guestbench images build` to build the guest image' });
      }
      throw error;
    }
    let guest: DockerGuest;
    try {
      // attach before start (with logs) so the marker cannot be missed
      const attached = await container.attach({ stream: true, stdout: true, stderr: true, logs: true, abortSignal: options.signal } as Docker.ContainerAttachOptions);
      guest = new DockerGuest(spec, container, attached);
    } catch (cause) {
      await container.remove({ force: true }).catch(() => undefined);
      throw engineError(`Could not attach to container ${spec.name}`, cause);
    }
    try {
      await container.start({ abortSignal: options.signal } as object);
    } catch (cause) {
      await guest.stop().catch(() => undefined);
      throw engineError(`Could not start container ${spec.name}`, cause);
    }
    return guest;
  }

  async versions(): Promise<Record<string, string>> {
    try {
      const version = await this.docker.version();
      return { 'docker engine': version.Version, 'docker api': version.ApiVersion };
    } catch (cause) {
      throw engineError('Could not reach the Docker engine', cause);
    }
  }
}

/** Removes every container guestbench created (optionally only one campaign's); returns how many. */
export async function removeLeftoverContainers(campaign?: string): Promise<number> {
  const docker = dockerClient();
  const label = campaign ? [`${CAMPAIGN_LABEL}=${campaign}`] : [`${GUESTBENCH_LABEL}=1`];
  const containers = await docker.listContainers({ all: true, filters: { label } });
  await Promise.all(
    containers.map((info) =>
      docker
        .getContainer(info.Id)
        .remove({ force: true })
        .catch((error: unknown) => {
          if (!isNotFound(error)) throw error;
        }),
    ),
  );
  return containers.length;
}
