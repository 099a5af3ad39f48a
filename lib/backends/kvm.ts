/**
 * The kvm backend: each guest is a qemu-system-x86_64 process booting the guest image's kernel and
 * initramfs on a copy-on-write view of the shared raw disk, driven over QMP and reached through
 * qemu-guest-agent. Works with `-accel kvm` and, where hardware virtualisation is missing, with QEMU's
 * software emulator TCG (every result is labelled with the accelerator).
 *
 * ```ts
 * const kvm = new KvmBackend({ images: findImages(), accel: 'tcg' });
 * const vm = await kvm.start({ name: 'vm1', vcpus: 1, memoryMiB: 1024 });
 * await vm.waitReady();
 * const run = await vm.exec(['sysbench', 'cpu', 'run']);
 * await vm.stop();
 * ```
 */
import { accessSync, constants, readdirSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rm, rmdir, statfs, truncate } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa, type Result, type ResultPromise } from 'execa';
import type { ImageSet } from '../images/find-images.js';
import { GUEST_NET_PARAMETER, GUEST_READY_MARKER } from '../images/recipe.js';
import type { ScratchSpec } from '../results/parameters.js';
import { AbortedError, BackendError, UsageError } from '../util/errors.js';
import { filesystemOf, pathExists } from '../util/filesystems.js';
import type { BackendCapabilities, GuestScratch, ScratchStorage } from './capabilities.js';
import type { Backend, ExecOptions, ExecResult, Guest, GuestSpec, GuestState } from './guest.js';
import { kvmStartTiming } from './kvm-latency.js';
import { kvmLiveMigration } from './kvm-live-migration.js';
import { kvmSaveRestore } from './kvm-snapshot.js';
import { kernelCommandLine, qemuArgs, type QemuLaunch, type VmNic } from './kvm-args.js';
import { PC, type HostTsc, type VmMachine } from './vm-machine.js';
import { VM_FOOTPRINT_METHOD, vmFootprint } from './memory-footprint.js';
import { sleep } from './kvm-json-socket.js';
import { anySignal, boundedSignal, isProcessAlive } from '../util/signals.js';
import { QgaClient, QgaCommandError } from './qga.js';
import { QmpClient } from './qmp.js';

/** Options of {@link KvmBackend}. */
export interface KvmBackendOptions {
  images: ImageSet;
  /** accelerator; decide with `probeAccelCached()` */
  accel: 'kvm' | 'tcg';
  /** the machine type (default: the standard PC, the kvm backend; MICROVM: the microvm backend) */
  machine?: VmMachine;
  /** the host's TSC rate, for a machine that needs the guest kernel told it (microvm under TCG) */
  hostTsc?: HostTsc;
  /** parent of the per-VM run directories (default: <tmpdir>/guestbench-<pid>) */
  runDir?: string;
  /** QEMU binary (default: qemu-system-x86_64 from PATH) */
  qemuBinary?: string;
  /** `-cpu` model (default: `host` under KVM, QEMU's default qemu64 under TCG) */
  cpu?: string;
  /** extra kernel command-line arguments */
  kernelArgs?: readonly string[];
  /** default `waitReady` timeout, milliseconds (default 120 000: TCG boots take seconds, more when busy) */
  readyTimeoutMs?: number;
  /** first and largest gap between guest-exec-status polls, milliseconds (default 2 and 50) */
  pollMs?: { min: number; max: number };
  /** every raw chunk on the QMP and agent sockets, for transcripts and debugging */
  wireLog?: WireLog;
  /**
   * The root disk, instead of the image's raw disk with a throwaway overlay: e.g. a qcow2 overlay
   * that outlives the VM, for snapshot and restore (lib/backends/kvm-snapshot.ts). With `snapshot`
   * the VM's writes go to a throwaway layer on top of `file`, as they do by default.
   */
  rootDisk?: RootDisk;
  /** `-incoming` URI: QEMU starts paused, loads the VM state from it, then runs (e.g. `exec:cat FILE`) */
  incoming?: string;
  /** run QEMU inside this network namespace (`ip netns exec`): one "host" of a migration */
  netns?: string;
  /** a NIC on a tap device the caller made, and the address the guest's init gives it (`10.213.0.10/24`) */
  nic?: VmNic & { address: string };
}

/** A root disk other than the image's raw disk (see {@link KvmBackendOptions.rootDisk}). */
export interface RootDisk {
  file: string;
  format: 'raw' | 'qcow2';
  /** writes go to a throwaway layer in the VM directory (QEMU `snapshot=on`) */
  snapshot: boolean;
}

/** What {@link KvmGuest.shutdown} measured, on the runner's monotonic clock (process.hrtime.bigint), nanoseconds. */
export interface KvmShutdownTimes {
  /** just before `guest-shutdown` was sent to the agent */
  requestedNs: bigint;
  /** when QMP reported the guest's power-off (SHUTDOWN event); undefined if QEMU exited without it */
  poweredOffNs: bigint | undefined;
  /** when the QEMU process exited */
  exitedNs: bigint;
}

/** Receives every raw chunk read from (rx) or written to (tx) a VM's QMP or agent socket. */
export type WireLog = (channel: 'qmp' | 'qga', direction: 'rx' | 'tx', bytes: Buffer) => void;

const QEMU = 'qemu-system-x86_64';
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
// sun_path is 108 bytes on Linux, including the terminating NUL
const MAX_SOCKET_PATH = 107;

/** QEMU's version line, e.g. "7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)". */
export async function qemuVersion(binary = QEMU): Promise<string> {
  const result = await execa(binary, ['--version'], { reject: false });
  if (result.failed) {
    throw new BackendError(`Command failed: ${binary} --version: ${result.stderr || result.shortMessage}`, {
      backend: 'kvm',
      fix: 'apt-get install qemu-system-x86',
    });
  }
  const match = /version\s+(\S+(?:\s+\([^)]*\))?)/.exec(result.stdout);
  return match?.[1] ?? result.stdout.split('\n')[0] ?? 'unknown';
}

/** Where a VM sees its scratch disk (the second virtio disk). */
export const VM_SCRATCH_DEVICE = '/dev/vdb';
/** Where a VM mounts its scratch disk. */
export const VM_SCRATCH_MOUNT = '/scratch';

/** The scratch disk's ext4 needs room beyond the files: journal, inode tables, block groups. */
export const EXT4_OVERHEAD = { factor: 1.05, bytes: 128 * 2 ** 20 };

/** Where VMs' scratch storage is, for planning: a disk file per VM in its run directory. */
export const VM_DISK_SCRATCH: ScratchStorage = {
  describe: (scratch: ScratchSpec) => {
    const runRoot = os.tmpdir();
    return `a second virtio-blk disk per VM (${VM_SCRATCH_DEVICE}, mounted at ${VM_SCRATCH_MOUNT}): a sparse raw file of ${scratch.sizeMiB} MiB in the VM's run directory under ${runRoot} (${filesystemOf(runRoot).type}), ext4 made on the host, cache=${scratch.cache}, removed with the VM`;
  },
  hostDir: () => os.tmpdir(),
  overhead: EXT4_OVERHEAD,
  plural: 'VM disks',
};

/** The VM's scratch disk: an ext4 made on the host, mounted by the guest. */
class VmScratchDisk implements GuestScratch {
  constructor(private readonly guest: KvmGuest) {}

  async prepare(signal?: AbortSignal): Promise<string> {
    // the host made the ext4; a second prepare in the same VM finds it mounted
    const mount = `grep -q ' ${VM_SCRATCH_MOUNT} ' /proc/mounts || { mkdir -p ${VM_SCRATCH_MOUNT} && mount -t ext4 ${VM_SCRATCH_DEVICE} ${VM_SCRATCH_MOUNT}; }`;
    const result = await this.guest.exec(['sh', '-c', mount], { signal, timeoutMs: 60_000 });
    if (result.exitCode !== 0) {
      throw new BackendError(
        `Could not mount the scratch disk in VM ${this.guest.spec.name} (exit code ${result.exitCode}): ${result.stderr.trim() || result.stdout.trim()}`,
        { backend: 'kvm' },
      );
    }
    return VM_SCRATCH_MOUNT;
  }

  async cleanup(): Promise<void> {}
}

/** Starts QEMU/KVM (or QEMU/TCG) guests from an image set, on a PC or a microvm machine. */
export class KvmBackend implements Backend {
  readonly accel: 'kvm' | 'tcg';
  readonly machine: VmMachine;
  readonly #options: KvmBackendOptions;
  readonly #runRoot: string;
  readonly #defaultRoot: boolean;
  #capabilities: BackendCapabilities | undefined;

  /** Scratch disks, a timed boot and shutdown, snapshot restore, live migration. */
  get capabilities(): BackendCapabilities {
    this.#capabilities ??= {
      scratch: VM_DISK_SCRATCH,
      startTiming: kvmStartTiming(this),
      saveRestore: kvmSaveRestore(this),
      liveMigration: kvmLiveMigration(this),
      memoryFootprint: {
        method: VM_FOOTPRINT_METHOD,
        async measure(guest) {
          const pid = (guest as KvmGuest).pid;
          if (pid === undefined)
            throw new BackendError(`VM ${guest.spec.name} is not running`, { backend: guest.backend });
          return await vmFootprint(pid);
        },
      },
    };
    return this.#capabilities;
  }

  constructor(options: KvmBackendOptions) {
    if (options.accel !== 'kvm' && options.accel !== 'tcg') {
      throw new UsageError(`Expected \`accel\` to be 'kvm' or 'tcg', got \`${String(options.accel)}\``);
    }
    this.#options = options;
    this.accel = options.accel;
    this.machine = options.machine ?? PC;
    this.#defaultRoot = options.runDir === undefined;
    this.#runRoot = path.resolve(options.runDir ?? path.join(os.tmpdir(), `guestbench-${process.pid}`));
    if (this.#defaultRoot) sweepStaleRunRoots();
  }

  /** kvm for PC guests, microvm for microvm guests */
  get name(): VmMachine['backend'] {
    return this.machine.backend;
  }

  /** A backend like this one with some options changed (e.g. `rootDisk` and `incoming` for a restore). */
  derive(overrides: Partial<KvmBackendOptions>): KvmBackend {
    return new KvmBackend({ ...this.#options, ...overrides });
  }

  /** The guest image set VMs boot from. */
  get images(): ImageSet {
    return this.#options.images;
  }

  /** Launches QEMU and connects to its QMP socket; the guest then boots (see `waitReady`). */
  async start(spec: GuestSpec, options: { signal?: AbortSignal } = {}): Promise<KvmGuest> {
    validateSpec(spec);
    if (options.signal?.aborted)
      throw new AbortedError(`VM start aborted: ${spec.name}`, { cause: options.signal.reason });
    const vmDir = await makeVmDir(this.#runRoot, spec.name);
    const launch: QemuLaunch = {
      name: spec.name,
      machine: this.machine,
      accel: this.accel,
      cpu: this.#options.cpu ?? (this.accel === 'kvm' ? 'host' : undefined),
      vcpus: spec.vcpus,
      memoryMiB: spec.memoryMiB,
      kernel: this.#options.images.kernel,
      initrd: this.#options.images.initrd,
      rootDisk: this.#options.rootDisk ?? { file: this.#options.images.disk, format: 'raw', snapshot: true },
      append: kernelCommandLine([
        ...this.machine.kernelArgs(this.accel, this.#options.hostTsc),
        ...(this.#options.kernelArgs ?? []),
        ...(this.#options.nic ? [`${GUEST_NET_PARAMETER}=${this.#options.nic.address}`] : []),
      ]),
      qmpSocket: path.join(vmDir, 'qmp.sock'),
      qgaSocket: path.join(vmDir, 'qga.sock'),
      consoleLog: path.join(vmDir, 'console.log'),
      ...(this.#options.nic ? { nic: { tap: this.#options.nic.tap, mac: this.#options.nic.mac } } : {}),
    };
    if (launch.qmpSocket.length > MAX_SOCKET_PATH) {
      await rm(vmDir, { recursive: true, force: true });
      throw new UsageError(
        `Expected \`runDir\` to be short enough for unix socket paths, got ${launch.qmpSocket} (${launch.qmpSocket.length} bytes)`,
      );
    }
    if (spec.scratch) {
      try {
        launch.scratch = {
          file: await makeScratchDisk(vmDir, spec.scratch, options.signal),
          format: 'raw',
          cache: spec.scratch.cache,
        };
      } catch (error) {
        await rm(vmDir, { recursive: true, force: true });
        throw error;
      }
    }
    const guest = new KvmGuest({
      spec,
      accel: this.accel,
      launch,
      vmDir,
      runRoot: this.#defaultRoot ? this.#runRoot : undefined,
      qemuBinary: this.#options.qemuBinary ?? QEMU,
      readyTimeoutMs: this.#options.readyTimeoutMs ?? 120_000,
      pollMs: this.#options.pollMs ?? { min: 2, max: 50 },
      wireLog: this.#options.wireLog,
      incoming: this.#options.incoming,
      netns: this.#options.netns,
    });
    await guest.launch(options.signal);
    return guest;
  }

  /** QEMU version, accelerator and what the guest image holds, for campaign metadata. */
  async versions(): Promise<Record<string, string>> {
    const manifest = this.#options.images.manifest;
    return {
      qemu: await qemuVersion(this.#options.qemuBinary),
      accel: this.accel,
      guestImage: manifest.key,
      guestKernel: manifest.kernel.release,
      guestKernelPackage: `${manifest.kernel.package} ${manifest.kernel.version}`,
      guestSysbench: manifest.sysbenchVersion,
      guestAgent: manifest.packages['qemu-guest-agent'] ?? 'unknown',
      guestMariadb: manifest.packages['mariadb-server'] ?? 'not installed',
    };
  }
}

interface GuestInit {
  spec: GuestSpec;
  accel: 'kvm' | 'tcg';
  launch: QemuLaunch;
  vmDir: string;
  /** the backend's default run root, removed when it empties */
  runRoot: string | undefined;
  qemuBinary: string;
  readyTimeoutMs: number;
  pollMs: { min: number; max: number };
  wireLog: WireLog | undefined;
  incoming?: string;
  netns?: string;
}

/** qemuArgs() with -incoming added, when asked for. */
function launchArgs(init: GuestInit): string[] {
  const args = qemuArgs(init.launch);
  if (init.incoming !== undefined) args.push('-incoming', init.incoming);
  return args;
}

/** One running VM. */
export class KvmGuest implements Guest {
  readonly backend: VmMachine['backend'];
  readonly accel: 'kvm' | 'tcg';
  readonly spec: GuestSpec;
  readonly scratch: GuestScratch | undefined;
  /** per-VM directory: QMP and agent sockets, console log, disk overlay; removed by stop() */
  readonly vmDir: string;
  /** monotonic clock (process.hrtime.bigint) just before QEMU was spawned, nanoseconds */
  launchedNs = 0n;
  /** monotonic clock when the guest agent first answered, nanoseconds */
  readyNs: bigint | undefined;
  /** monotonic clock when QMP answered (QEMU is up: the guest is booting, or loading its state), nanoseconds */
  qmpReadyNs: bigint | undefined;
  /** monotonic clock when the QEMU process exited, nanoseconds */
  exitedNs: bigint | undefined;
  readonly #init: GuestInit;
  #process: ResultPromise<{ reject: false; stdin: 'ignore'; cleanup: true }> | undefined;
  #exit: Result | undefined;
  #qmp: QmpClient | undefined;
  #qga: QgaClient | undefined;
  #ready = false;
  #stopping: Promise<void> | undefined;

  /** @internal use KvmBackend.start */
  constructor(init: GuestInit) {
    this.#init = init;
    this.backend = init.launch.machine.backend;
    this.spec = init.spec;
    this.accel = init.accel;
    this.vmDir = init.vmDir;
    this.scratch = init.launch.scratch ? new VmScratchDisk(this) : undefined;
  }

  /** QEMU's pid (undefined before launch). */
  get pid(): number | undefined {
    return this.#process?.pid;
  }

  /** The full command line QEMU was started with (behind `ip netns exec NS` when it runs in a namespace). */
  get command(): string[] {
    // `ip netns exec` enters the namespace and execs QEMU: same process, so pdeathsig still holds
    return [
      ...(this.#init.netns ? ['ip', 'netns', 'exec', this.#init.netns] : []),
      this.#init.qemuBinary,
      ...launchArgs(this.#init),
    ];
  }

  /** The QMP session (for migration, snapshots, query-* commands). */
  get qmp(): QmpClient {
    if (!this.#qmp) throw new BackendError(`VM is not running: ${this.spec.name}`, { backend: this.backend });
    return this.#qmp;
  }

  /** The guest-agent session (after waitReady). */
  get agent(): QgaClient {
    if (!this.#qga || !this.#ready)
      throw new BackendError(`Guest agent is not ready: ${this.spec.name}`, { backend: this.backend });
    return this.#qga;
  }

  /** @internal spawns QEMU and connects QMP; on any failure nothing is left behind */
  async launch(signal: AbortSignal | undefined): Promise<void> {
    // setpriv --pdeathsig: the kernel kills QEMU if this Node process dies, even by SIGKILL
    const [file, ...argv] = hasSetpriv() ? ['setpriv', '--pdeathsig', 'KILL', '--', ...this.command] : this.command;
    liveGuests.add(this);
    registerExitHook();
    this.launchedNs = process.hrtime.bigint();
    try {
      this.#process = execa(file ?? this.#init.qemuBinary, argv, {
        reject: false,
        stdin: 'ignore',
        cleanup: true,
        // snapshot=on puts its overlay in $TMPDIR: keep it in the VM directory
        env: { TMPDIR: this.vmDir },
      });
      void this.#process.then((result) => {
        this.#exit = result;
      });
      // the moment of exit, before execa has drained QEMU's output (shutdown latency)
      this.#process.once('exit', () => {
        this.exitedNs ??= process.hrtime.bigint();
      });
      this.#qmp = await this.#connectQmp(signal);
      this.qmpReadyNs = process.hrtime.bigint();
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  async #connectQmp(signal: AbortSignal | undefined): Promise<QmpClient> {
    const timeoutMs = 30_000;
    const deadline = boundedSignal(signal, timeoutMs);
    for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
      if (this.#exit) throw this.#exitError('QEMU exited before its QMP socket was ready');
      if (deadline?.aborted) {
        if (signal?.aborted) throw new AbortedError(`VM start aborted: ${this.spec.name}`, { cause: signal.reason });
        throw new BackendError(
          `QEMU did not open its QMP socket within ${timeoutMs / 1000} s: ${this.command.join(' ')}`,
          { backend: this.backend },
        );
      }
      if (await pathExists(this.#init.launch.qmpSocket)) {
        try {
          const wireLog = this.#init.wireLog;
          return await QmpClient.connect(this.#init.launch.qmpSocket, {
            signal,
            timeoutMs: 10_000,
            onWire: wireLog && ((direction, bytes) => wireLog('qmp', direction, bytes)),
          });
        } catch (error) {
          if (error instanceof AbortedError) throw error;
          // the socket file appears a moment before QEMU listens on it
        }
      }
      await sleep(wait, signal).catch(() => {});
    }
  }

  /**
   * Resolves once qemu-ga answers inside the guest (guest-sync-delimited, then guest-ping), polling with
   * backoff. Rejects with BackendError (the console's last lines in the message) after `timeoutMs`, or
   * at once if QEMU exits.
   */
  async waitReady(options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<void> {
    if (this.#ready) return;
    if (this.#stopping || !this.#qmp)
      throw new BackendError(`VM is not running: ${this.spec.name}`, { backend: this.backend });
    const timeoutMs = options.timeoutMs ?? this.#init.readyTimeoutMs;
    const deadline = Date.now() + timeoutMs;
    let interval = 250;
    for (;;) {
      if (options.signal?.aborted)
        throw new AbortedError(`Waiting for the guest agent aborted: ${this.spec.name}`, {
          cause: options.signal.reason,
        });
      if (this.#stopping)
        throw new BackendError(`VM was stopped while waiting for the guest agent: ${this.spec.name}`, {
          backend: this.backend,
        });
      if (this.#exit) throw this.#exitError('QEMU exited before the guest agent answered');
      const left = deadline - Date.now();
      if (left <= 0) {
        const console = await this.consoleTail(5);
        throw new BackendError(
          `Guest agent did not answer within ${Math.round(timeoutMs / 1000)} s (accel ${this.accel}): ${this.spec.name}\nlast console lines:\n${console}`,
          {
            backend: this.backend,
            fix:
              this.accel === 'kvm'
                ? 'run `guestbench doctor` to probe KVM; TCG may be the only accelerator that boots here'
                : 'allow more time (TCG is slow on a busy host)',
          },
        );
      }
      try {
        const wireLog = this.#init.wireLog;
        this.#qga ??= await QgaClient.connect(this.#init.launch.qgaSocket, {
          signal: options.signal,
          timeoutMs: Math.min(left, 5_000),
          onWire: wireLog && ((direction, bytes) => wireLog('qga', direction, bytes)),
        });
        // until qemu-ga runs, QEMU leaves our bytes in the socket; the agent answers them once it starts
        await this.#qga.sync({ signal: options.signal, timeoutMs: Math.min(interval, left) });
        await this.#qga.ping({ signal: options.signal, timeoutMs: Math.min(5_000, Math.max(left, 1)) });
        this.#ready = true;
        this.readyNs = process.hrtime.bigint();
        return;
      } catch (error) {
        if (error instanceof AbortedError) throw error;
        if (this.#qga?.isClosed) this.#qga = undefined;
      }
      interval = Math.min(interval * 1.5, 2_000);
    }
  }

  /**
   * Runs argv in the guest through the agent (guest-exec, then guest-exec-status polls) and returns its
   * output. A non-zero exit, and a program that cannot be started (exit code 127), are returned; an
   * abort or timeout kills the guest process and rejects.
   */
  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    if (argv.length === 0 || argv[0] === '') throw new UsageError('Expected `argv` to be a non-empty list');
    await this.waitReady({ signal: options.signal });
    const qga = this.#qga;
    if (!qga) throw new BackendError(`VM is not running: ${this.spec.name}`, { backend: this.backend });
    const startedNs = process.hrtime.bigint();
    try {
      const result = await qga.exec(argv, {
        signal: options.signal,
        timeoutMs: options.timeoutMs,
        pollMs: this.#init.pollMs,
      });
      const endedNs = process.hrtime.bigint();
      return {
        argv: [...argv],
        exitCode: result.exitCode ?? (result.signal !== null ? 128 + result.signal : -1),
        stdout: result.stdout,
        stderr: result.stderr,
        startedNs,
        endedNs,
      };
    } catch (error) {
      // qemu-ga reports a program it cannot spawn as a command error; a shell would say 127
      if (
        error instanceof QgaCommandError &&
        error.command === 'guest-exec' &&
        /Failed to execute child process/.test(error.message)
      ) {
        return {
          argv: [...argv],
          exitCode: 127,
          stdout: '',
          stderr: `${error.message}\n`,
          startedNs,
          endedNs: process.hrtime.bigint(),
        };
      }
      // the agent's socket closes as QEMU dies: give its exit a moment to be seen, to say so
      if (qga.isClosed) await this.#exitWithin(2_000);
      if (this.#exit) throw this.#exitError(`QEMU exited while running \`${argv.slice(0, 2).join(' ')} ...\``);
      if (error instanceof AbortedError) {
        const what = options.signal?.aborted ? 'Aborted' : 'Timed out';
        throw new AbortedError(`${what}: ${argv.join(' ')} in VM ${this.spec.name}`, { cause: error });
      }
      throw error;
    }
  }

  async status(): Promise<GuestState> {
    if (this.#stopping || this.#exit || !this.#process) return 'stopped';
    return this.#ready ? 'running' : 'starting';
  }

  /**
   * Stops the VM: QMP `quit`, then SIGKILL if QEMU has not exited after `timeoutMs`; closes the
   * sockets and removes the VM directory. Safe to call any number of times.
   */
  async stop(options: { timeoutMs?: number } = {}): Promise<void> {
    this.#stopping ??= this.#stop(options.timeoutMs ?? 5_000);
    return await this.#stopping;
  }

  async #stop(timeoutMs: number): Promise<void> {
    this.#qga?.close();
    const subprocess = this.#process;
    try {
      if (subprocess && !this.#exit) {
        // QMP quit when we have the session; otherwise SIGTERM, which QEMU also handles cleanly
        if (this.#qmp)
          await this.#qmp.quit({ timeoutMs: Math.min(timeoutMs, 3_000) }).catch(() => subprocess.kill('SIGTERM'));
        else subprocess.kill('SIGTERM');
        const exited = await Promise.race([subprocess.then(() => true), sleep(timeoutMs).then(() => false)]);
        if (!exited) {
          subprocess.kill('SIGKILL');
          await subprocess;
        }
      }
    } finally {
      this.#qmp?.close();
      await rm(this.vmDir, { recursive: true, force: true });
      if (this.#init.runRoot) await rmdir(this.#init.runRoot).catch(() => {});
      liveGuests.delete(this);
    }
  }

  /**
   * Clean shutdown, as an operator would ask for it: the guest agent's `guest-shutdown` (the
   * guest's init stops the agent, syncs, remounts / read-only and powers off through ACPI), then
   * QEMU exits on its own. Resolves once QEMU has exited, with the times it measured, and frees
   * everything as stop() does. If the guest refuses or is not gone within `timeoutMs` (default
   * 60 000), stop() kills it and this rejects with a BackendError saying so.
   */
  async shutdown(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<KvmShutdownTimes> {
    const timeoutMs = options.timeoutMs ?? 60_000;
    const subprocess = this.#process;
    if (this.#stopping || !subprocess || !this.#qmp || this.#exit)
      throw new BackendError(`VM is not running: ${this.spec.name}`, { backend: this.backend });
    await this.waitReady({ signal: options.signal });
    const qga = this.#qga;
    if (!qga) throw new BackendError(`Guest agent is not ready: ${this.spec.name}`, { backend: this.backend });
    let poweredOffNs: bigint | undefined;
    const unsubscribe = this.#qmp.onEvent((event) => {
      if (event.event === 'SHUTDOWN') poweredOffNs ??= process.hrtime.bigint();
    });
    const exited = subprocess.then(() => 'exited' as const);
    const timer = new AbortController();
    const requestedNs = process.hrtime.bigint();
    // guest-shutdown sends no reply on success: the agent's connection closes as QEMU exits;
    // a reply is the agent saying it could not run /sbin/shutdown
    const refused = qga
      .execute('guest-shutdown', { mode: 'powerdown' }, { timeoutMs })
      .then(
        () =>
          new BackendError(`The guest agent answered guest-shutdown instead of powering off: ${this.spec.name}`, {
            backend: this.backend,
          }),
        (error: unknown) => (error instanceof QgaCommandError ? error : undefined),
      )
      .then((error) => (error ? { error } : new Promise<never>(() => {})));
    const outcome = await Promise.race([
      exited,
      refused,
      sleep(timeoutMs, anySignal(options.signal, timer.signal)).then(
        () => 'timeout' as const,
        () => 'aborted' as const,
      ),
    ]);
    timer.abort();
    unsubscribe();
    if (outcome === 'exited') {
      const exitedNs = this.exitedNs ?? process.hrtime.bigint();
      await this.stop();
      return { requestedNs, poweredOffNs, exitedNs };
    }
    const console = await this.consoleTail(3);
    await this.stop();
    if (outcome === 'aborted') throw new AbortedError(`Shutdown of VM ${this.spec.name} aborted`);
    if (outcome === 'timeout') {
      throw new BackendError(
        `VM did not power off within ${Math.round(timeoutMs / 1000)} s of guest-shutdown (killed): ${this.spec.name}\nlast console lines:\n${console}`,
        { backend: this.backend },
      );
    }
    throw new BackendError(`Clean shutdown failed (killed instead): ${outcome.error.message}`, {
      cause: outcome.error,
      backend: this.backend,
      fix: 'rebuild the guest image (`guestbench images build`): its init provides /sbin/shutdown',
    });
  }

  /** The file QEMU writes the guest's serial console to (until stop() removes it). */
  get consoleLog(): string {
    return this.#init.launch.consoleLog;
  }

  /** The serial console so far (until stop() removes it). */
  async consoleText(): Promise<string> {
    return await readFile(this.#init.launch.consoleLog, 'utf8').catch(() => '');
  }

  /** The console's last `lines` non-empty lines. */
  async consoleTail(lines: number): Promise<string> {
    const text = await this.consoleText();
    const tail = text
      .split(/\r?\n/)
      .filter((line) => line.trim() !== '')
      .slice(-lines);
    return tail.length > 0 ? tail.join('\n') : '(no console output)';
  }

  /** Seconds since boot when the init script printed its ready marker, from the console; undefined before. */
  async guestUptimeAtReady(): Promise<number | undefined> {
    const match = new RegExp(`${GUEST_READY_MARKER} uptime=([0-9.]+)`).exec(await this.consoleText());
    return match?.[1] ? Number(match[1]) : undefined;
  }

  /** @internal the synchronous last resort on process exit */
  killNow(): void {
    const pid = this.#process?.pid;
    if (pid !== undefined && !this.#exit) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(this.vmDir, { recursive: true, force: true });
  }

  /** Waits until QEMU's exit has been seen, at most `ms` (it may be dying: its sockets closed). */
  async #exitWithin(ms: number): Promise<void> {
    const subprocess = this.#process;
    if (!subprocess || this.#exit) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      subprocess.then(
        () => undefined,
        () => undefined,
      ),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
    ]);
    clearTimeout(timer);
  }

  #exitError(what: string): BackendError {
    const exit = this.#exit;
    const code = exit?.signal ? `signal ${exit.signal}` : `code ${exit?.exitCode ?? '?'}`;
    const stderr = String(exit?.stderr ?? '').trim();
    // one line for rows and logs; QEMU's own words and its command line below it
    return new BackendError(
      `${what} (${code}) in VM ${this.spec.name}${stderr ? `\n${stderr}` : ''}\ncommand: ${this.command.join(' ')}`,
      { backend: this.backend },
    );
  }
}

function validateSpec(spec: GuestSpec): void {
  if (!NAME_PATTERN.test(spec.name)) {
    throw new UsageError(`Expected \`name\` to be 1-64 letters, digits, '.', '_' or '-', got \`${spec.name}\``);
  }
  if (!Number.isInteger(spec.vcpus) || spec.vcpus < 1 || spec.vcpus > 255) {
    throw new UsageError(`Expected \`vcpus\` to be an integer from 1 to 255, got \`${spec.vcpus}\``);
  }
  if (!Number.isInteger(spec.memoryMiB) || spec.memoryMiB < 128) {
    throw new UsageError(`Expected \`memoryMiB\` to be an integer of at least 128, got \`${spec.memoryMiB}\``);
  }
}

const TMPFS_MAGIC = 0x01021994;

/**
 * The scratch disk of one VM: a sparse raw file in its run directory (removed with it) holding an
 * empty ext4 made here, so the guest only mounts it. Inode tables and journal are written now
 * (no lazy init) so the guest kernel does no background initialisation during a measurement.
 */
async function makeScratchDisk(vmDir: string, scratch: ScratchSpec, signal: AbortSignal | undefined): Promise<string> {
  if (!Number.isInteger(scratch.sizeMiB) || scratch.sizeMiB < 16) {
    throw new UsageError(`Expected \`scratch.sizeMiB\` to be an integer of at least 16, got \`${scratch.sizeMiB}\``);
  }
  const fsInfo = await statfs(vmDir);
  if (fsInfo.type === TMPFS_MAGIC) {
    throw new BackendError(`A VM scratch disk would live in RAM: ${vmDir} is on tmpfs`, {
      backend: 'kvm',
      fix: "point TMPDIR (or the backend's runDir) at a disk-backed directory, e.g. TMPDIR=/var/tmp",
    });
  }
  const needed = scratch.sizeMiB * 2 ** 20;
  const free = fsInfo.bavail * fsInfo.bsize;
  if (free < needed) {
    throw new BackendError(
      `No room for a ${scratch.sizeMiB} MiB VM scratch disk in ${vmDir}: ${Math.floor(free / 2 ** 20)} MiB free`,
      {
        backend: 'kvm',
        fix: 'free disk space, use a smaller file set, or point TMPDIR at a larger filesystem',
      },
    );
  }
  const file = path.join(vmDir, 'scratch.raw');
  await (await open(file, 'w')).close();
  await truncate(file, needed);
  // one inode per 64 KiB, at least 4096: MariaDB's data directory has a few hundred files
  const inodes = Math.max(4096, scratch.sizeMiB * 16);
  const mkfs = await execa(
    'mkfs.ext4',
    [
      '-q',
      '-F',
      '-L',
      'gb-scratch',
      '-m',
      '0',
      '-N',
      String(inodes),
      '-E',
      'lazy_itable_init=0,lazy_journal_init=0',
      file,
    ],
    {
      reject: false,
      cancelSignal: signal,
      stdin: 'ignore',
    },
  );
  if (mkfs.failed) {
    throw new BackendError(
      `Could not make the VM scratch disk (exit code ${mkfs.exitCode ?? '?'}): ${mkfs.command}: ${String(mkfs.stderr).trim()}`,
      {
        backend: 'kvm',
        fix: 'apt-get install e2fsprogs',
      },
    );
  }
  return file;
}

async function makeVmDir(root: string, name: string): Promise<string> {
  // a stopping guest may remove an empty root between our mkdir and mkdtemp: retry once
  for (let attempt = 0; ; attempt++) {
    await mkdir(root, { recursive: true, mode: 0o700 });
    try {
      return await mkdtemp(path.join(root, `${name}-`));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt > 2) throw error;
    }
  }
}

let setprivAvailable: boolean | undefined;
function hasSetpriv(): boolean {
  if (setprivAvailable === undefined) {
    setprivAvailable = ['/usr/bin/setpriv', '/bin/setpriv'].some((file) => {
      try {
        accessSync(file, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
  }
  return setprivAvailable;
}

// every guest not yet stopped, so that process exit can kill them
const liveGuests = new Set<KvmGuest>();
let exitHookRegistered = false;
function registerExitHook(): void {
  if (exitHookRegistered) return;
  exitHookRegistered = true;
  process.once('exit', () => {
    for (const guest of liveGuests) guest.killNow();
  });
}

let swept = false;
// run roots of guestbench processes that died without cleaning up (SIGKILL): their QEMUs died with
// them (pdeathsig), their directories did not
export function sweepStaleRunRoots(): void {
  if (swept) return;
  swept = true;
  const tmp = os.tmpdir();
  let names: string[];
  try {
    names = readdirSync(tmp);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = /^guestbench-(\d+)$/.exec(name)?.[1];
    if (!pid || Number(pid) === process.pid || isProcessAlive(Number(pid))) continue;
    rmSync(path.join(tmp, name), { recursive: true, force: true });
  }
}
