/**
 * The lxc backend: system containers (LXC 5, driven through its own tools: lxc-start, lxc-attach,
 * lxc-stop, lxc-checkpoint) made from the same Debian rootfs as every other guest. The image's
 * rootfs.tar.gz is unpacked once per image key under the project's LXC root with an init of our
 * own (the image's init is the VM's PID 1 and powers off through sysrq); each container gets an
 * overlay of it (mounted on the host, handed to LXC as a `dir:` rootfs, which lxc-checkpoint can
 * restore), no network, no console (a console pty stops CRIU from restoring), and writes its ready
 * marker into its root, where the host reads it in the overlay's upper directory.
 *
 * ```ts
 * const lxc = new LxcBackend({ images: findImages(), campaign: 'c1' });
 * const guest = await lxc.start({ name: 'g1', vcpus: 1, memoryMiB: 1024 });
 * await guest.waitReady();
 * await guest.exec(['sysbench', '--version']);
 * await guest.stop();
 * ```
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import type { ImageSet } from '../images/index.js';
import type { ScratchSpec } from '../results/parameters.js';
import { AbortedError, BackendError, firstLine } from '../util/errors.js';
import { filesystemOf } from '../util/filesystems.js';
import { isProcessAlive } from '../util/signals.js';
import type { BackendCapabilities, GuestScratch, ScratchStorage } from './capabilities.js';
import type { Backend, ExecOptions, ExecResult, Guest, GuestSpec, GuestState } from './guest.js';
import { lxcSaveRestore } from './lxc-checkpoint.js';
import { LXC_INIT, LXC_PATH, LXC_READY_FILE, LXC_ROOT, cgroupLayout, lxcTool, lxcVersion } from './lxc-tools.js';
import { lxcStartTiming } from './lxc-latency.js';
export { LXC_PATH, LXC_ROOT, cgroupLayout, lxcVersion } from './lxc-tools.js';
import { containerFootprint, containerFootprintMethod } from './memory-footprint.js';

const INIT_SCRIPT = `#!/bin/sh
# guestbench's init for LXC system containers: ready marker, then wait; SIGTERM (lxc-stop) ends it
trap 'exit 0' TERM PWR INT
echo guestbench-ready >${LXC_READY_FILE}
sleep infinity &
wait
`;

/** The PATH commands run with in a container (lxc-attach --clear-env). */
const GUEST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Where the scratch directories are bind-mounted in a container. */
export const LXC_SCRATCH_MOUNT = '/scratch';

/** LXC's scratch storage: a host directory per container, bind-mounted at /scratch. */
export const LXC_DIRECTORY_SCRATCH: ScratchStorage = {
  describe: (_scratch: ScratchSpec, hostRoot: string) =>
    `a host directory per container under ${hostRoot} (${filesystemOf(hostRoot).type}), bind-mounted at ${LXC_SCRATCH_MOUNT}, removed with it`,
  hostDir: (hostRoot) => hostRoot,
  overhead: { factor: 1, bytes: 0 },
  plural: 'container directories',
};

/** The config lines that limit a container to `spec`'s CPUs and memory, in the keys the host's cgroups take. */
export function limitLines(spec: Pick<GuestSpec, 'vcpus' | 'memoryMiB'>, layout: 'v1' | 'v2'): string[] {
  const periodUs = 100_000;
  return layout === 'v1'
    ? [
        `lxc.cgroup.memory.limit_in_bytes = ${spec.memoryMiB}M`,
        `lxc.cgroup.cpu.cfs_period_us = ${periodUs}`,
        `lxc.cgroup.cpu.cfs_quota_us = ${spec.vcpus * periodUs}`,
      ]
    : [`lxc.cgroup2.memory.max = ${spec.memoryMiB}M`, `lxc.cgroup2.cpu.max = ${spec.vcpus * periodUs} ${periodUs}`];
}

/** What a container's config is made from. */
export interface LxcConfigInput {
  name: string;
  rootfs: string;
  logFile: string;
  /** cgroup limit lines (limitLines), empty for none */
  limits: readonly string[];
  /** a host directory bind-mounted at /scratch */
  scratchDir?: string;
}

/** A container's LXC config (pure). */
export function lxcConfig(input: LxcConfigInput): string {
  return [
    'lxc.include = /usr/share/lxc/config/common.conf',
    `lxc.uts.name = ${input.name}`,
    'lxc.arch = linux64',
    `lxc.rootfs.path = dir:${input.rootfs}`,
    'lxc.net.0.type = empty',
    `lxc.init.cmd = ${LXC_INIT}`,
    // a console pty makes lxc-checkpoint's restore fail ("lxc.console.path configured on source host but not target")
    'lxc.console.path = none',
    'lxc.tty.max = 0',
    'lxc.signal.halt = SIGTERM',
    `lxc.log.file = ${input.logFile}`,
    'lxc.log.level = WARN',
    ...(input.scratchDir
      ? [`lxc.mount.entry = ${input.scratchDir} ${LXC_SCRATCH_MOUNT.slice(1)} none bind,create=dir 0 0`]
      : []),
    ...input.limits,
    '',
  ].join('\n');
}

/** The base rootfs of an image set, unpacked once (with our init), shared read-only by every container. */
export function baseRootfs(images: ImageSet): string {
  return path.join(LXC_ROOT, 'rootfs', images.key);
}

/** Unpacks the image's rootfs.tar.gz into the base rootfs unless it is there; returns its path. */
export async function ensureBaseRootfs(images: ImageSet, log: (line: string) => void = () => {}): Promise<string> {
  const base = baseRootfs(images);
  if (existsSync(path.join(base, LXC_INIT.slice(1)))) return base;
  if (!existsSync(images.rootfsTar))
    throw new BackendError(`the guest image has no rootfs tarball (${images.rootfsTar})`, {
      backend: 'lxc',
      fix: 'run `guestbench images build`',
    });
  const partial = `${base}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  log(`Unpacking ${images.rootfsTar} for LXC into ${base}`);
  const untar = await execa('tar', ['-C', partial, '-xzf', images.rootfsTar, '--numeric-owner'], { reject: false });
  if (untar.exitCode !== 0) {
    rmSync(partial, { recursive: true, force: true });
    throw new BackendError(`could not unpack the rootfs for LXC: ${firstLine(untar.stderr || untar.shortMessage)}`, {
      backend: 'lxc',
    });
  }
  writeFileSync(path.join(partial, LXC_INIT.slice(1)), INIT_SCRIPT, { mode: 0o755 });
  rmSync(base, { recursive: true, force: true });
  renameSync(partial, base);
  return base;
}

/** Base rootfs directories of other image keys (older images), which `keep` does not need. */
export function staleBaseRootfs(keep: string | undefined): string[] {
  const dir = path.join(LXC_ROOT, 'rootfs');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name !== keep)
    .map((name) => path.join(dir, name));
}

/** What a container directory holds: LXC's config and log, and the overlay's layers and mount point. */
function containerPaths(name: string) {
  const dir = path.join(LXC_PATH, name);
  return {
    dir,
    config: path.join(dir, 'config'),
    log: path.join(dir, 'lxc.log'),
    upper: path.join(dir, 'upper'),
    work: path.join(dir, 'work'),
    rootfs: path.join(dir, 'rootfs'),
    owner: path.join(dir, 'guestbench-owner.json'),
  };
}

/** Who made a container: the runner's pid and the campaign, for cleanup. */
interface ContainerOwner {
  pid: number;
  campaign: string;
}

/** Removes a container whatever its state: kills it, unmounts its overlay, deletes its directory. */
export async function removeContainer(name: string): Promise<void> {
  const paths = containerPaths(name);
  if (!existsSync(paths.dir)) return;
  await lxcTool('stop', ['-n', name, '-k'], { timeoutMs: 60_000 });
  await execa('umount', [paths.rootfs], { reject: false });
  rmSync(paths.dir, { recursive: true, force: true });
}

function ownerOf(name: string): ContainerOwner | undefined {
  try {
    return JSON.parse(readFileSync(containerPaths(name).owner, 'utf8')) as ContainerOwner;
  } catch {
    return undefined;
  }
}

/**
 * The containers under the lxcpath that belong to `campaign`, or (without one) those whose runner no
 * longer runs, and the half-made ones without an owner.
 */
export function leftoverContainers(campaign?: string): string[] {
  if (!existsSync(LXC_PATH)) return [];
  return readdirSync(LXC_PATH).filter((name) => {
    const owner = ownerOf(name);
    return campaign ? owner?.campaign === campaign : !owner || !isProcessAlive(owner.pid);
  });
}

/**
 * Removes the containers of `campaign` (or of every campaign whose runner no longer runs); returns
 * how many went.
 */
export async function removeLeftoverContainers(campaign?: string): Promise<number> {
  const leftovers = leftoverContainers(campaign);
  for (const name of leftovers) await removeContainer(name);
  return leftovers.length;
}

/** Options of {@link LxcBackend}. */
export interface LxcBackendOptions {
  images: ImageSet;
  /** the campaign id, recorded with each container for cleanup */
  campaign: string;
  /** apply the guest size as cgroup limits (the thesis's Docker containers had none) */
  limits?: boolean;
}

/** LXC system containers from the guest image. */
export class LxcBackend implements Backend {
  readonly name = 'lxc' as const;
  readonly accel = 'none' as const;
  #capabilities: BackendCapabilities | undefined;

  constructor(readonly options: LxcBackendOptions) {}

  get capabilities(): BackendCapabilities {
    this.#capabilities ??= {
      scratch: LXC_DIRECTORY_SCRATCH,
      startTiming: lxcStartTiming(this),
      saveRestore: lxcSaveRestore(this),
      memoryFootprint: {
        method: containerFootprintMethod("LXC's monitor process"),
        measure: async (guest) => await containerFootprint(await (guest as LxcGuest).initPid()),
      },
    };
    return this.#capabilities;
  }

  /** The container name of a guest: LXC names allow what guest names allow. */
  containerName(spec: GuestSpec): string {
    return `guestbench-${spec.name}`;
  }

  /** Creates the container (overlay mounted, config written) and starts it; wait with `waitReady`. */
  async start(spec: GuestSpec, options: { signal?: AbortSignal } = {}): Promise<LxcGuest> {
    const guest = await this.create(spec, options);
    try {
      await guest.launch(options.signal);
    } catch (error) {
      // aborted mid lxc-start: the container may be running; nobody else holds the guest to stop it
      await guest.stop().catch(() => undefined);
      throw error;
    }
    return guest;
  }

  /** Creates the container without starting it (the timed start starts it). */
  async create(spec: GuestSpec, options: { signal?: AbortSignal } = {}): Promise<LxcGuest> {
    if (options.signal?.aborted) throw new AbortedError(`Container start aborted: ${spec.name}`);
    const base = await ensureBaseRootfs(this.options.images);
    const name = this.containerName(spec);
    const paths = containerPaths(name);
    await removeContainer(name);
    for (const dir of [paths.upper, paths.work, paths.rootfs]) mkdirSync(dir, { recursive: true });
    writeFileSync(paths.owner, JSON.stringify({ pid: process.pid, campaign: this.options.campaign }));
    const mount = await execa(
      'mount',
      [
        '-t',
        'overlay',
        'overlay',
        '-o',
        `lowerdir=${base},upperdir=${paths.upper},workdir=${paths.work}`,
        paths.rootfs,
      ],
      { reject: false },
    );
    if (mount.exitCode !== 0) {
      rmSync(paths.dir, { recursive: true, force: true });
      throw new BackendError(
        `could not mount the container's overlay: ${firstLine(mount.stderr || mount.shortMessage)}`,
        {
          backend: 'lxc',
        },
      );
    }
    const scratchDir = spec.scratch ? path.join(spec.scratch.hostRoot, `lxc-${spec.name}`) : undefined;
    if (scratchDir) mkdirSync(scratchDir, { recursive: true });
    writeFileSync(
      paths.config,
      lxcConfig({
        name,
        rootfs: paths.rootfs,
        logFile: paths.log,
        limits: this.options.limits ? limitLines(spec, cgroupLayout()) : [],
        ...(scratchDir ? { scratchDir } : {}),
      }),
    );
    return new LxcGuest(spec, name, scratchDir);
  }

  async versions(): Promise<Record<string, string>> {
    return { lxc: (await lxcVersion()) ?? 'not installed', lxcCgroups: cgroupLayout() };
  }
}

/** The scratch directory of a container: made on the host, bind-mounted, removed with the container. */
class LxcScratch implements GuestScratch {
  constructor(private readonly hostDir: string) {}

  async prepare(): Promise<string> {
    return LXC_SCRATCH_MOUNT;
  }

  async cleanup(): Promise<void> {
    rmSync(this.hostDir, { recursive: true, force: true });
  }
}

/** One LXC system container. */
export class LxcGuest implements Guest {
  readonly backend = 'lxc' as const;
  readonly accel = 'none' as const;
  readonly scratch: GuestScratch | undefined;
  #stopped = false;

  constructor(
    readonly spec: GuestSpec,
    /** the container's LXC name */
    readonly container: string,
    private readonly scratchDir: string | undefined,
  ) {
    this.scratch = scratchDir ? new LxcScratch(scratchDir) : undefined;
  }

  /** The host path of the container's ready marker (its overlay's upper layer). */
  get readyFile(): string {
    return path.join(containerPaths(this.container).upper, LXC_READY_FILE.slice(1));
  }

  /** `lxc-start -d`: returns once LXC has started the container's init. */
  async launch(signal?: AbortSignal): Promise<void> {
    const started = await lxcTool('start', ['-n', this.container, '-d'], { signal, timeoutMs: 60_000 });
    if (started.exitCode !== 0) {
      const log = this.logTail();
      await this.stop();
      throw new BackendError(
        `lxc-start failed for ${this.container}: ${firstLine(String(started.stderr) || log || started.shortMessage)}`,
        { backend: 'lxc' },
      );
    }
  }

  /** The last lines of LXC's log of this container. */
  logTail(lines = 5): string {
    try {
      return readFileSync(containerPaths(this.container).log, 'utf8').trim().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  async waitReady(options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<void> {
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    while (!existsSync(this.readyFile)) {
      if (options.signal?.aborted) throw new AbortedError(`waiting for ${this.container} aborted`);
      if (Date.now() > deadline)
        throw new BackendError(`Container ${this.container} wrote no ready marker within the timeout`, {
          backend: 'lxc',
        });
      if ((await this.status()) === 'stopped')
        throw new BackendError(`Container ${this.container} stopped before its ready marker: ${this.logTail(2)}`, {
          backend: 'lxc',
        });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /**
   * Runs argv in the container (lxc-attach). A command that outlives its timeout or an abort is
   * killed inside the container: lxc-attach itself would wait for it, its output pipe held open.
   */
  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    if (argv.length === 0) throw new TypeError('exec needs a command');
    const startedNs = process.hrtime.bigint();
    // the command records its pid (exec keeps it), so that it can be killed by pid
    const pidFile = `/tmp/.guestbench-exec-${randomBytes(6).toString('hex')}`;
    let stoppedBy: 'timeout' | 'abort' | undefined;
    const killInside = (why: 'timeout' | 'abort'): void => {
      stoppedBy ??= why;
      void lxcTool('attach', ['-n', this.container, '--', 'sh', '-c', `kill -KILL "$(cat ${pidFile})"`], {
        timeoutMs: 30_000,
      });
    };
    const timer = options.timeoutMs ? setTimeout(() => killInside('timeout'), options.timeoutMs) : undefined;
    const onAbort = (): void => killInside('abort');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    try {
      const run = await lxcTool('attach', [
        '-n',
        this.container,
        '--clear-env',
        '--set-var',
        `PATH=${GUEST_PATH}`,
        '--',
        'sh',
        '-c',
        `echo $$ >${pidFile}; exec "$@"`,
        'sh',
        ...argv,
      ]);
      if (stoppedBy === 'timeout') throw new AbortedError(`Timed out: ${argv.join(' ')}`);
      if (stoppedBy === 'abort') throw new AbortedError(`Aborted: ${argv.join(' ')}`);
      return {
        argv,
        exitCode: run.exitCode ?? -1,
        stdout: String(run.stdout),
        stderr: String(run.stderr),
        startedNs,
        endedNs: process.hrtime.bigint(),
      };
    } finally {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  async status(): Promise<GuestState> {
    if (this.#stopped) return 'stopped';
    const info = await lxcTool('info', ['-n', this.container, '-s', '-H'], { timeoutMs: 30_000 });
    const state = String(info.stdout).trim();
    return state === 'RUNNING' ? 'running' : state === 'STARTING' ? 'starting' : 'stopped';
  }

  /** The container init's pid on the host (`lxc-info -p`). */
  async initPid(): Promise<number> {
    const info = await lxcTool('info', ['-n', this.container, '-p', '-H'], { timeoutMs: 30_000 });
    const pid = Number(String(info.stdout).trim());
    if (!Number.isInteger(pid) || pid <= 0)
      throw new BackendError(`no init pid for ${this.container}: ${firstLine(String(info.stderr) || 'not running')}`, {
        backend: 'lxc',
      });
    return pid;
  }

  /** `lxc-stop` with a grace period (SIGTERM to init); whether it had to kill the container. */
  async shutdown(timeoutS: number): Promise<{ killed: boolean }> {
    const stopped = await lxcTool('stop', ['-n', this.container, '-t', String(timeoutS)], {
      timeoutMs: (timeoutS + 30) * 1000,
    });
    if (stopped.exitCode === 0) return { killed: false };
    await lxcTool('stop', ['-n', this.container, '-k'], { timeoutMs: 60_000 });
    return { killed: true };
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await removeContainer(this.container);
    await this.scratch?.cleanup();
  }
}
