/**
 * The one interface every backend implements: something that can start, report readiness,
 * run a command and capture its output, report its status, and stop.
 */
import type { Accel, BackendName } from '../results/schema.js';

/** What to start. VMs honour every field; containers and the host ignore what they cannot limit. */
export interface GuestSpec {
  /** unique name within a campaign, used for the container / VM name and temp files */
  name: string;
  /** virtual CPUs (VM) or CPU quota in whole CPUs (container); thesis default 1 */
  vcpus: number;
  /** memory in MiB; thesis default 1024 */
  memoryMiB: number;
  /** private scratch storage for workloads that write (sysbench fileio, MariaDB); none when absent */
  scratch?: ScratchSpec;
}

/** QEMU's cache modes for a VM disk (`-drive cache=`); `none` opens the host file with O_DIRECT. */
export type DiskCacheMode = 'none' | 'writeback' | 'writethrough' | 'directsync' | 'unsafe';

/**
 * Scratch storage private to one guest and destroyed with it:
 * - kvm: a second virtio disk (`VM_SCRATCH_DEVICE`), a sparse raw file in the VM's run directory
 *   holding an empty ext4 made on the host; the workload mounts it;
 * - docker: an anonymous volume (local driver, outside the container's overlay2 layers) mounted at
 *   `CONTAINER_SCRATCH_PATH`, removed with the container;
 * - native: ignored (the workload makes a host directory itself).
 */
export interface ScratchSpec {
  /** capacity, MiB (the VM disk's size; a local-driver volume has no size limit) */
  sizeMiB: number;
  /** VM disk cache mode */
  cache: DiskCacheMode;
}

/** Where a VM sees its scratch disk (the second virtio disk). */
export const VM_SCRATCH_DEVICE = '/dev/vdb';
/** Where a container's scratch volume is mounted. */
export const CONTAINER_SCRATCH_PATH = '/scratch';

/** The output of one command run inside a guest. */
export interface ExecResult {
  /** the command as run, argv form */
  argv: readonly string[];
  exitCode: number;
  stdout: string;
  stderr: string;
  /** monotonic clock (process.hrtime.bigint) when the runner issued the command, nanoseconds */
  startedNs: bigint;
  /** monotonic clock when the runner had the complete result, nanoseconds */
  endedNs: bigint;
}

/** Options for one command. */
export interface ExecOptions {
  /** aborts the command; the guest kills it where it can */
  signal?: AbortSignal;
  /** upper bound on the command's run time, milliseconds */
  timeoutMs?: number;
}

export type GuestState = 'starting' | 'running' | 'stopped';

/** A started guest. */
export interface Guest {
  readonly backend: BackendName;
  readonly accel: Accel;
  readonly spec: GuestSpec;
  /** resolves once the guest can run commands; rejects with a GuestError after `timeoutMs` */
  waitReady(options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<void>;
  /** runs argv inside the guest and captures its output; a non-zero exit is returned, not thrown */
  exec(argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  status(): Promise<GuestState>;
  /** stops the guest and frees everything it held; safe to call twice */
  stop(): Promise<void>;
}

/** A way of starting guests. */
export interface Backend {
  readonly name: BackendName;
  readonly accel: Accel;
  start(spec: GuestSpec, options?: { signal?: AbortSignal }): Promise<Guest>;
  /** tool versions this backend depends on, for campaign metadata */
  versions(): Promise<Record<string, string>>;
}
