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
import { dockerClient } from '../util/docker-client.js';
import type { BackendCapabilities, GuestScratch, ScratchStorage } from './capabilities.js';
import { containerFootprint, containerFootprintMethod, type MemoryFootprint } from './memory-footprint.js';
import type { ContainerEngine } from './container-engine.js';
import { CONTAINER_READY_MARKER, containerCommand } from './docker-main-process.js';

export { CONTAINER_READY_MARKER, containerCommand };
import {
  type Backend,
  type ExecOptions,
  type ExecResult,
  type Guest,
  type GuestSpec,
  type GuestState,
} from './guest.js';

/** Where a container's scratch volume is mounted. */
export const CONTAINER_SCRATCH_PATH = '/scratch';

/** Where an engine's containers keep their scratch storage, for planning: an anonymous volume under `dataRoot`. */
export function containerVolumeScratch(engine: string, dataRoot: string): ScratchStorage {
  return {
    describe: () =>
      `an anonymous volume per container at ${CONTAINER_SCRATCH_PATH} (${engine}'s local driver: a directory under ${dataRoot}, outside the overlay layers), removed with the container`,
    hostDir: () => dataRoot,
    overhead: { factor: 1, bytes: 0 },
    plural: 'container volumes',
  };
}

/** The Docker engine's volumes (its default data root). */
export const CONTAINER_VOLUME_SCRATCH: ScratchStorage = {
  ...containerVolumeScratch('the Docker engine', '/var/lib/docker'),
};

/** A container's scratch volume: mounted by the engine at create, removed with the container. */
class ContainerVolume implements GuestScratch {
  constructor(private readonly guest: DockerGuest) {}

  async prepare(signal?: AbortSignal): Promise<string> {
    const mounted = await this.guest.exec(['sh', '-c', `grep -q ' ${CONTAINER_SCRATCH_PATH} ' /proc/mounts`], {
      signal,
      timeoutMs: 60_000,
    });
    if (mounted.exitCode !== 0) {
      throw new BackendError(`No scratch volume at ${CONTAINER_SCRATCH_PATH} in container ${this.guest.spec.name}`, {
        backend: this.guest.backend,
        fix: 'start the container with GuestSpec.scratch',
      });
    }
    return CONTAINER_SCRATCH_PATH;
  }

  async cleanup(): Promise<void> {}
}

/** Label on every container guestbench creates, so leftovers can always be found. */
export const GUESTBENCH_LABEL = 'org.guestbench';
/** Label naming the campaign (or test) that created a container. */
export const CAMPAIGN_LABEL = 'org.guestbench.campaign';

/** How containers are made. */
export interface DockerBackendOptions {
  /** the engine that runs them (the Docker engine, or podman's API service) */
  engine: ContainerEngine;
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
  /**
   * The main process exits (status 0) on SIGTERM, as a well-behaved service does, so `docker stop`
   * returns as soon as it has exited. Default false: the main process is `sleep`, which as PID 1 of
   * its namespace ignores SIGTERM, so a stop waits out the grace period and the engine kills it.
   */
  exitOnSigterm?: boolean;
}

/** Monotonic-clock times (process.hrtime.bigint, nanoseconds) of one container start, as the runner saw them. */
export interface DockerStartTimes {
  /** just before the create request */
  requestedNs: bigint;
  /** create answered */
  createdNs: bigint;
  /** attach answered */
  attachedNs: bigint;
  /** start answered */
  startedNs: bigint;
  /** the ready marker arrived on the attach stream; undefined until then */
  markerNs: bigint | undefined;
}

/** What {@link DockerGuest.shutdown} measured (monotonic clock, nanoseconds) and how the main process ended. */
export interface DockerShutdownTimes {
  /** just before the stop request */
  requestedNs: bigint;
  /** the engine answered the stop request: the container has stopped */
  stoppedNs: bigint;
  /** the main process's exit status (137: killed after the grace period) */
  exitCode: number;
  /** the grace period between SIGTERM and SIGKILL, seconds */
  graceSeconds: number;
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { statusCode?: number }).statusCode === 404;
}

/**
 * A guest's scratch storage: an anonymous volume (local driver: a directory on the engine's data
 * root, outside the overlay2 layers) at CONTAINER_SCRATCH_PATH, labelled like the container and
 * removed with it (`remove({v: true})`).
 */
function scratchMount(labels: Record<string, string>): Docker.MountSettings {
  return { Type: 'volume', Target: CONTAINER_SCRATCH_PATH, VolumeOptions: { Labels: labels } } as Docker.MountSettings;
}

/** The container backends. */
type EngineBackend = 'docker' | 'podman';

/** Explains a failed engine call in one line with the fix. */
function engineError(what: string, cause: unknown, backend: EngineBackend): BackendError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  const unreachable = /ENOENT|ECONNREFUSED|EACCES/.test(detail);
  return new BackendError(`${what}: ${detail.split('\n')[0]}`, {
    cause,
    backend,
    fix: unreachable
      ? `start the ${backend} engine (\`bash scripts/setup.sh\` sets it up) and check that its socket is writable`
      : `run \`guestbench doctor\` to check the ${backend} engine and the guest image`,
  });
}

/** One container guest (returned by DockerBackend.start). */
export class DockerGuest implements Guest {
  readonly accel: Accel = 'none';
  readonly scratch: GuestScratch | undefined;
  private stopped = false;
  /** settles when the main process has printed the ready marker, or the container ended first */
  private readonly ready: Promise<void>;

  /** @internal use DockerBackend.start */
  constructor(
    /** the backend (engine) it runs on */
    readonly backend: EngineBackend,
    readonly spec: GuestSpec,
    /** the engine's handle on the container (checkpoints use it) */
    readonly container: Docker.Container,
    attached: NodeJS.ReadWriteStream,
    /** when each step of the start happened (the start's timings for latency measurements) */
    readonly times: DockerStartTimes,
  ) {
    this.scratch = spec.scratch ? new ContainerVolume(this) : undefined;
    this.ready = new Promise<void>((resolve, reject) => {
      const stdout = new PassThrough();
      let seen = '';
      stdout.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes(CONTAINER_READY_MARKER)) {
          this.times.markerNs ??= process.hrtime.bigint();
          resolve();
          // the marker is all the attach stream is for
          (attached as unknown as { destroy(): void }).destroy();
        }
      });
      container.modem.demuxStream(attached, stdout, new PassThrough());
      attached.on('end', () =>
        reject(
          new BackendError(`Container ${spec.name} ended before printing its ready marker`, {
            backend: this.backend,
            fix: 'check the image: its `sh` and `sleep` must run',
          }),
        ),
      );
      attached.on('error', (error) =>
        reject(engineError(`Lost the attach stream of container ${spec.name}`, error, this.backend)),
      );
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
      const onAbort = () =>
        reject(
          isTimeout(signal)
            ? new BackendError(`Container ${this.spec.name} was not ready after ${timeoutMs} ms`, {
                backend: this.backend,
              })
            : new AbortedError(`Aborted while waiting for container ${this.spec.name}`),
        );
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
      throw engineError(`Could not create exec in container ${this.spec.name}: ${argv.join(' ')}`, cause, this.backend);
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
        reject(
          new AbortedError(
            `${isTimeout(signal) ? 'Timed out' : 'Aborted'}: ${argv.join(' ')} in container ${this.spec.name}`,
          ),
        );
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = (then: () => void) => () => {
        signal?.removeEventListener('abort', onAbort);
        then();
      };
      stream.on('end', settle(resolve));
      stream.on('close', settle(resolve));
      stream.on('error', (error) =>
        settle(() => reject(engineError(`Exec stream failed in container ${this.spec.name}`, error, this.backend)))(),
      );
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
      throw engineError(`Could not inspect container ${this.spec.name}`, error, this.backend);
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    try {
      // v: also its anonymous volumes (the scratch volume)
      await this.container.remove({ force: true, v: true });
    } catch (error) {
      if (!isNotFound(error)) throw engineError(`Could not remove container ${this.spec.name}`, error, this.backend);
    }
    this.stopped = true;
  }

  /**
   * `docker stop` semantics, then removal: the engine sends SIGTERM to the main process and SIGKILL
   * after `graceSeconds` (default 10, the engine's own default) if it is still running. Resolves once
   * the container is removed, with the time the engine took to stop it and how the process ended.
   */
  async shutdown(options: { graceSeconds?: number; signal?: AbortSignal } = {}): Promise<DockerShutdownTimes> {
    const graceSeconds = options.graceSeconds ?? 10;
    if (this.stopped) throw new BackendError(`Container is not running: ${this.spec.name}`, { backend: this.backend });
    const requestedNs = process.hrtime.bigint();
    try {
      await this.container.stop({ t: graceSeconds, abortSignal: options.signal } as object);
    } catch (error) {
      // 304: already stopped
      if ((error as { statusCode?: number }).statusCode !== 304) {
        await this.stop().catch(() => undefined);
        throw engineError(`Could not stop container ${this.spec.name}`, error, this.backend);
      }
    }
    const stoppedNs = process.hrtime.bigint();
    let exitCode: number;
    try {
      exitCode = (await this.container.inspect()).State.ExitCode;
    } finally {
      await this.stop();
    }
    return { requestedNs, stoppedNs, exitCode, graceSeconds };
  }
}

/** Starts containers from the guest image. */
export class DockerBackend implements Backend {
  readonly name: 'docker' | 'podman';
  readonly accel: Accel = 'none';
  #capabilities: BackendCapabilities | undefined;

  /** What the engine's guests can do: private volumes, a timed start and stop, checkpoints, ... */
  get capabilities(): BackendCapabilities {
    this.#capabilities ??= this.options.engine.capabilities(this);
    return this.#capabilities;
  }

  constructor(private readonly options: DockerBackendOptions) {
    this.name = options.engine.backend;
  }

  /** The engine its containers run on. */
  get engine(): ContainerEngine {
    return this.options.engine;
  }

  /** The OCI runtime its containers run under. */
  get runtime(): string {
    return this.options.engine.runtime;
  }

  /** A backend like this one with some options changed (e.g. `exitOnSigterm` for the latency experiment). */
  derive(overrides: Partial<DockerBackendOptions>): DockerBackend {
    return new DockerBackend({ ...this.options, ...overrides });
  }

  /** The image containers start from. */
  get image(): string {
    return this.options.image;
  }

  async start(spec: GuestSpec, options: { signal?: AbortSignal } = {}): Promise<DockerGuest> {
    const labels: Record<string, string> = { [GUESTBENCH_LABEL]: '1' };
    if (this.options.campaign) labels[CAMPAIGN_LABEL] = this.options.campaign;
    const limits = this.options.limits ? { Memory: spec.memoryMiB * 2 ** 20, NanoCpus: spec.vcpus * 1e9 } : {};
    let container: Docker.Container;
    const requestedNs = process.hrtime.bigint();
    try {
      const client = await this.options.engine.client();
      container = await client.createContainer({
        name: `guestbench-${spec.name}`,
        Image: this.options.image,
        // the marker tells the runner the container's own process is running (like a VM's agent answering)
        Cmd: containerCommand(this.options.exitOnSigterm ?? false),
        Labels: labels,
        Tty: false,
        HostConfig: {
          NetworkMode: this.options.networkMode ?? 'bridge',
          ...limits,
          ...(spec.scratch ? { Mounts: [scratchMount(labels)] } : {}),
        },
        // no abortSignal: an aborted create request still creates the container, and the client
        // never learns its id (a campaign interrupted here left it behind); creating takes a moment
      } as Docker.ContainerCreateOptions);
    } catch (cause) {
      const missingImage = /No such image/i.test(String(cause));
      const error = engineError(`Could not create container ${spec.name} from ${this.options.image}`, cause, this.name);
      if (missingImage) {
        throw new BackendError(error.message, {
          cause,
          backend: this.name,
          fix: 'run `guestbench images build` to build the guest image',
        });
      }
      throw error;
    }
    const createdNs = process.hrtime.bigint();
    if (options.signal?.aborted) {
      await container.remove({ force: true, v: true }).catch(() => undefined);
      throw new AbortedError(`Container start aborted: ${spec.name}`);
    }
    let guest: DockerGuest;
    try {
      // attach before start (with logs) so the marker cannot be missed
      const attached = await container.attach({
        stream: true,
        stdout: true,
        stderr: true,
        logs: true,
        abortSignal: options.signal,
      } as Docker.ContainerAttachOptions);
      const attachedNs = process.hrtime.bigint();
      guest = new DockerGuest(this.name, spec, container, attached, {
        requestedNs,
        createdNs,
        attachedNs,
        startedNs: 0n,
        markerNs: undefined,
      });
    } catch (cause) {
      await container.remove({ force: true }).catch(() => undefined);
      if (options.signal?.aborted) throw new AbortedError(`Container start aborted: ${spec.name}`);
      throw engineError(`Could not attach to container ${spec.name}`, cause, this.name);
    }
    try {
      // no abortSignal either: the engine goes on starting a container whose request was aborted,
      // and a removal racing that start can fail; it is stopped once started instead
      await container.start();
      guest.times.startedNs = process.hrtime.bigint();
    } catch (cause) {
      await guest.stop().catch(() => undefined);
      throw engineError(`Could not start container ${spec.name}`, cause, this.name);
    }
    if (options.signal?.aborted) {
      await guest.stop().catch(() => undefined);
      throw new AbortedError(`Container start aborted: ${spec.name}`);
    }
    return guest;
  }

  async versions(): Promise<Record<string, string>> {
    try {
      const version = await (await this.options.engine.client()).version();
      return {
        [`${this.name} engine`]: version.Version,
        [`${this.name} api`]: version.ApiVersion,
        [`${this.name} runtime`]: this.runtime,
      };
    } catch (cause) {
      throw engineError(`Could not reach the ${this.name} engine`, cause, this.name);
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
        .remove({ force: true, v: true })
        .catch((error: unknown) => {
          if (!isNotFound(error)) throw error;
        }),
    ),
  );
  return containers.length;
}

/**
 * An engine container's memory footprint: its cgroup and its engine process (`shim`: containerd-shim
 * for Docker, conmon for podman), found from the container's init pid (the engine's inspect).
 */
export function engineContainerFootprint(shim: string): MemoryFootprint {
  return {
    method: containerFootprintMethod(shim),
    async measure(guest) {
      const info = (await (guest as DockerGuest).container.inspect()) as { State?: { Pid?: number } };
      const pid = info.State?.Pid;
      if (!pid)
        throw new BackendError(`no init pid for ${guest.spec.name}: is it running?`, { backend: guest.backend });
      return await containerFootprint(pid);
    },
  };
}
