/**
 * Rootful podman as the project runs it: its own storage and configuration under a prefix the
 * project owns (nothing of the system's podman set-up is read or written), its CLI, and its
 * Docker-compatible API service (`podman system service`), started on first use and stopped with
 * the runner. A "podman host" is one storage root with its configuration: the default one runs the
 * campaigns' guests; a migration's target host has its own.
 *
 * Two facts of this kind of host shape the configuration (measured on Debian 12, podman 4.3.1):
 * - podman's default rlimits (nofile 1048576) exceed a container host's hard limits, and every run
 *   fails with `setrlimit RLIMIT_NOFILE: Operation not permitted`: `default_ulimits = []`;
 * - crun 1.8.1 refuses a hybrid cgroup layout (v1 controllers plus a cgroup2 mount holding a
 *   controller) before it looks at the cgroup manager; runc works. crun is used where it runs
 *   (probed once per host, kernel and versions), else runc, and the reason is recorded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { execa, type Result } from 'execa';
import { containerImageChanges, type ImageSet } from '../images/index.js';
import { inNetns } from '../network/host-pair.js';
import type { OciRuntime } from './container-engine.js';
import { newDockerClient } from '../util/docker-client.js';
import { BackendError, CapabilityError, firstLine } from '../util/errors.js';
import { withTimeout } from '../util/signals.js';
import { runtimeVersion } from './container-engine.js';
import { PROJECT_CRIU, criuBinary } from './criu.js';

/** Where the project keeps its podman hosts: $GUESTBENCH_STATE/podman, else /var/lib/guestbench/podman. */
export function podmanStateRoot(): string {
  return path.join(process.env.GUESTBENCH_STATE ?? '/var/lib/guestbench', 'podman');
}

/** One podman host: a storage root and the configuration that goes with it. */
export interface PodmanHost {
  /** 'default', or a migration target's name */
  name: string;
  /** the host's directory: configuration, storage, networks */
  dir: string;
  graphroot: string;
  runroot: string;
  containersConf: string;
  storageConf: string;
  /** CNI network configurations of this host */
  networkDir: string;
  runtime: OciRuntime;
}

/** The host `name` (paths only; {@link preparePodmanHost} writes its configuration). */
export function podmanHost(name: string, runtime: OciRuntime, root = podmanStateRoot()): PodmanHost {
  const dir = path.join(root, name);
  return {
    name,
    dir,
    graphroot: path.join(dir, 'storage'),
    runroot: path.join('/run/guestbench/podman', name),
    containersConf: path.join(dir, 'containers.conf'),
    storageConf: path.join(dir, 'storage.conf'),
    networkDir: path.join(dir, 'networks'),
    runtime,
  };
}

/** The containers.conf of a host. */
export function containersConf(host: PodmanHost): string {
  return [
    '# written by guestbench (lib/backends/podman.ts): CONTAINERS_CONF replaces the system files',
    '[containers]',
    "# podman's default rlimits (nofile 1048576) exceed this kind of host's hard limits",
    'default_ulimits = []',
    '',
    '[engine]',
    `runtime = "${host.runtime}"`,
    'cgroup_manager = "cgroupfs"',
    'events_logger = "file"',
    `tmp_dir = "${path.join(host.runroot, 'tmp')}"`,
    `static_dir = "${path.join(host.graphroot, 'libpod')}"`,
    `volume_path = "${path.join(host.graphroot, 'volumes')}"`,
    '',
    '[network]',
    `network_config_dir = "${host.networkDir}"`,
    '',
  ].join('\n');
}

/** The storage.conf of a host. */
export function storageConf(host: PodmanHost): string {
  return ['[storage]', 'driver = "overlay"', `graphroot = "${host.graphroot}"`, `runroot = "${host.runroot}"`, ''].join(
    '\n',
  );
}

/** Writes the host's configuration (when it changed) and makes its directories. */
export function preparePodmanHost(host: PodmanHost): void {
  for (const dir of [host.dir, host.graphroot, host.networkDir, host.runroot])
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const [file, text] of [
    [host.containersConf, containersConf(host)],
    [host.storageConf, storageConf(host)],
  ] as const) {
    if (!existsSync(file) || readFileSync(file, 'utf8') !== text) writeFileSync(file, text);
  }
}

/**
 * The environment podman runs with: the host's configuration, and the CRIU guestbench checks ($GUESTBENCH_CRIU, else
 * the project's) first on PATH, where runc looks for `criu`.
 */
export function podmanEnv(host: PodmanHost): Record<string, string> {
  const criu = criuBinary();
  const criuDir = path.isAbsolute(criu) ? path.dirname(criu) : path.dirname(PROJECT_CRIU);
  return {
    CONTAINERS_CONF: host.containersConf,
    CONTAINERS_STORAGE_CONF: host.storageConf,
    PATH: `${criuDir}:${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`,
  };
}

/** Runs `podman ARGS` on a host (`netns`: inside that network namespace); never rejects. */
export async function podman(
  host: PodmanHost,
  args: readonly string[],
  options: { netns?: string; timeoutMs?: number; signal?: AbortSignal; input?: string } = {},
): Promise<Result> {
  // nsenter, not `ip netns exec`: that remounts /sys, and runc then finds no cgroup mount
  const [file, ...argv] = options.netns ? inNetns(options.netns, ['podman', ...args]) : ['podman', ...args];
  return await execa(file as string, argv, {
    reject: false,
    env: podmanEnv(host),
    extendEnv: true,
    timeout: options.timeoutMs ?? 300_000,
    cancelSignal: options.signal,
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
  });
}

/** The last line a failed podman command printed. */
export function podmanFailure(result: Result): string {
  return firstLine(String(result.stderr).trim().split('\n').at(-1) || result.shortMessage);
}

/** podman's version, e.g. "4.3.1", or undefined when podman is not installed. */
export async function podmanVersion(): Promise<string | undefined> {
  const result = await execa('podman', ['--version'], { reject: false, stdin: 'ignore' });
  return result.exitCode === 0 ? /version\s+(\S+)/.exec(String(result.stdout))?.[1] : undefined;
}

/** Imports the guest image into the host's storage from the rootfs tarball, unless it is there. */
export async function ensurePodmanImage(
  host: PodmanHost,
  images: ImageSet,
  log?: (line: string) => void,
): Promise<void> {
  const exists = await podman(host, ['image', 'exists', images.dockerImage]);
  if (exists.exitCode === 0) return;
  try {
    accessSync(images.rootfsTar, constants.R_OK);
  } catch {
    throw new CapabilityError(
      `podman has no image ${images.dockerImage} and the rootfs tarball to import it from is missing: ${images.rootfsTar}`,
      {
        fix: 'run `guestbench images build`',
      },
    );
  }
  log?.(`podman (${host.name}): importing ${images.dockerImage} from ${images.rootfsTar} (about 10-20 s)`);
  const changes = containerImageChanges(images.key).flatMap((change) => ['--change', change]);
  const imported = await podman(host, ['import', ...changes, images.rootfsTar, images.dockerImage], {
    timeoutMs: 600_000,
  });
  if (imported.exitCode !== 0) {
    throw new BackendError(`podman import failed: ${podmanFailure(imported)}`, { backend: 'podman' });
  }
}

/** The image's ID in a host's storage, or undefined when it has none. */
async function imageId(host: PodmanHost, image: string): Promise<string | undefined> {
  const inspected = await podman(host, ['image', 'inspect', '--format', '{{.Id}}', image]);
  return inspected.exitCode === 0 ? String(inspected.stdout).trim() : undefined;
}

/**
 * Gives `target` the very image `source` has (the same ID): a checkpoint archive names its image by
 * ID, and two separate `podman import`s of one tarball make two IDs, so the target's is copied from
 * the source (`podman save` | `podman load`) whenever they differ.
 */
export async function ensureSameImage(
  source: PodmanHost,
  target: PodmanHost,
  images: ImageSet,
  log?: (line: string) => void,
): Promise<void> {
  await ensurePodmanImage(source, images, log);
  const wanted = await imageId(source, images.dockerImage);
  if (wanted === undefined || (await imageId(target, images.dockerImage)) === wanted) return;
  log?.(`podman (${target.name}): copying ${images.dockerImage} from ${source.name} (the same image ID)`);
  await podman(target, ['rmi', '--force', images.dockerImage]);
  const archive = path.join(os.tmpdir(), `guestbench-podman-image-${process.pid}.tar`);
  try {
    const saved = await podman(source, ['save', '--output', archive, images.dockerImage], { timeoutMs: 600_000 });
    if (saved.exitCode !== 0)
      throw new BackendError(`podman save failed: ${podmanFailure(saved)}`, { backend: 'podman' });
    const loaded = await podman(target, ['load', '--input', archive], { timeoutMs: 600_000 });
    if (loaded.exitCode !== 0)
      throw new BackendError(`podman load failed: ${podmanFailure(loaded)}`, { backend: 'podman' });
  } finally {
    rmSync(archive, { force: true });
  }
  if ((await imageId(target, images.dockerImage)) !== wanted)
    throw new BackendError(
      `podman (${target.name}) does not hold ${images.dockerImage} as ${wanted} after loading it`,
      {
        backend: 'podman',
      },
    );
}

/** Which runtime podman uses on this host, and why. */
export interface RuntimeChoice {
  runtime: OciRuntime;
  /** e.g. "runc 1.1.5+ds1" */
  version: string;
  /** why this one: crun runs here, or what crun said */
  reason: string;
}

/** What a runtime probe is valid for. */
function probeKey(versions: Record<string, string | undefined>): string {
  return JSON.stringify({ kernel: os.release(), ...versions });
}

/**
 * crun where it runs a container here, else runc: one `podman run --rm IMG true` with each (the
 * image must be in the default host's storage), cached per kernel and versions.
 */
export async function chooseRuntime(images: ImageSet, options: { force?: boolean } = {}): Promise<RuntimeChoice> {
  const versions = {
    podman: await podmanVersion(),
    crun: await runtimeVersion('crun'),
    runc: await runtimeVersion('runc'),
  };
  const cacheFile = path.join(podmanStateRoot(), 'runtime-probe.json');
  const key = probeKey(versions);
  if (!options.force && existsSync(cacheFile)) {
    try {
      const cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as { key: string; choice: RuntimeChoice };
      if (cached.key === key) return cached.choice;
    } catch {
      // probe again
    }
  }
  const tryRuntime = async (runtime: OciRuntime): Promise<string | undefined> => {
    const host = podmanHost('default', runtime);
    preparePodmanHost(host);
    await ensurePodmanImage(host, images);
    const run = await podman(host, ['run', '--rm', '--network', 'none', images.dockerImage, 'true'], {
      timeoutMs: 120_000,
    });
    return run.exitCode === 0 ? undefined : podmanFailure(run);
  };
  let choice: RuntimeChoice;
  const crunFailure = versions.crun ? await tryRuntime('crun') : 'crun is not installed';
  if (crunFailure === undefined) {
    choice = {
      runtime: 'crun',
      version: versions.crun ?? 'crun',
      reason: "crun (podman's default) runs containers here",
    };
  } else {
    const runcFailure = versions.runc ? await tryRuntime('runc') : 'runc is not installed';
    if (runcFailure !== undefined) {
      throw new CapabilityError(`podman runs no container here: crun: ${crunFailure}; runc: ${runcFailure}`, {
        fix: 'apt-get install podman crun runc (or run `bash scripts/setup.sh`); see `guestbench doctor`',
      });
    }
    choice = {
      runtime: 'runc',
      version: versions.runc ?? 'runc',
      reason: `runc, because crun does not run containers here: ${crunFailure}`,
    };
  }
  mkdirSync(path.dirname(cacheFile), { recursive: true });
  writeFileSync(cacheFile, `${JSON.stringify({ key, choice, probedAt: new Date().toISOString() }, null, 2)}\n`);
  return choice;
}

// ---------------------------------------------------------------------------------------------
// the API service

/** A running `podman system service` for one host, this process's own. */
export class PodmanService {
  #child: ChildProcess | undefined;
  #client: Docker | undefined;
  #starting: Promise<Docker> | undefined;

  constructor(readonly host: PodmanHost) {}

  /** The socket the service listens on (in the host's run directory, named after this process). */
  get socket(): string {
    return path.join(this.host.runroot, `api-${process.pid}.sock`);
  }

  /** A client of the service, started on first use (it dies with this process). */
  async client(): Promise<Docker> {
    if (this.#client) return this.#client;
    this.#starting ??= this.#start();
    return await this.#starting;
  }

  async #start(): Promise<Docker> {
    preparePodmanHost(this.host);
    rmSync(this.socket, { force: true });
    // setpriv --pdeathsig: the kernel ends the service if the runner dies, even by SIGKILL
    const argv = ['--pdeathsig', 'KILL', '--', 'podman', 'system', 'service', '--time=0', `unix://${this.socket}`];
    this.#child = spawn('setpriv', argv, {
      env: { ...process.env, ...podmanEnv(this.host) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    this.#child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    // the service must not keep the runner alive: it is stopped at exit (and dies with the runner)
    this.#child.unref();
    (this.#child.stderr as unknown as { unref?(): void } | null)?.unref?.();
    liveServices.add(this);
    registerExitHook();
    const client = newDockerClient({ socketPath: this.socket });
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (this.#child.exitCode !== null) {
        throw new BackendError(
          `podman system service exited (code ${this.#child.exitCode}): ${firstLine(stderr.trim() || 'no output')}`,
          {
            backend: 'podman',
            fix: 'run `guestbench doctor`',
          },
        );
      }
      if (existsSync(this.socket)) {
        const ok = await withTimeout(client.ping(), 2000, 'no answer').then(
          () => true,
          () => false,
        );
        if (ok) break;
      }
      if (Date.now() > deadline)
        throw new BackendError(`podman system service did not answer on ${this.socket} within 30 s`, {
          backend: 'podman',
        });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    this.#client = client;
    return client;
  }

  /** Stops the service (its containers live on in storage; the backend removes its own). */
  stop(): void {
    this.#child?.kill('SIGTERM');
    this.#child = undefined;
    this.#client = undefined;
    this.#starting = undefined;
    rmSync(this.socket, { force: true });
    liveServices.delete(this);
  }
}

const liveServices = new Set<PodmanService>();
let exitHookRegistered = false;
function registerExitHook(): void {
  if (exitHookRegistered) return;
  exitHookRegistered = true;
  process.once('exit', () => {
    for (const service of liveServices) service.stop();
  });
}

/** Removes every container guestbench created in a host's storage (optionally one campaign's); returns how many. */
export async function removeLeftoverPodmanContainers(host: PodmanHost, campaign?: string): Promise<number> {
  if (!existsSync(host.storageConf)) return 0;
  const label = campaign ? `org.guestbench.campaign=${campaign}` : 'org.guestbench=1';
  const listed = await podman(host, ['ps', '-aq', '--filter', `label=${label}`]);
  const ids = String(listed.stdout).split('\n').filter(Boolean);
  if (ids.length > 0) await podman(host, ['rm', '-f', '-t', '0', '-v', ...ids]);
  return ids.length;
}
