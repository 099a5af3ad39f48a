/**
 * The one interface every backend implements: something that can start, report readiness, run a
 * command and capture its output, report its status, and stop. What else a backend can do is a
 * capability (capabilities.ts); what it is (kind, label, colour) is its row in lib/model/backends.ts.
 */
import type { BackendName } from '../model/backends.js';
import type { ScratchSpec } from '../results/parameters.js';
import type { Accel } from '../results/schema.js';
import type { BackendCapabilities, GuestScratch } from './capabilities.js';

/** What to start. VMs honour every field; containers and the host ignore what they cannot limit. */
export interface GuestSpec {
  /** unique name within a campaign, used for the container / VM name and temp files */
  name: string;
  /** virtual CPUs (VM) or CPU quota in whole CPUs (container); thesis default 1 */
  vcpus: number;
  /** memory in MiB; thesis default 1024 */
  memoryMiB: number;
  /**
   * private scratch storage for workloads that write (sysbench fileio, MariaDB), destroyed with the
   * guest; only backends with the scratch capability take it (Guest.scratch); none when absent
   */
  scratch?: GuestScratchSpec;
}

/** Scratch storage as a guest is started with it. */
export interface GuestScratchSpec extends ScratchSpec {
  /** where guests whose storage is a host directory (the bare host) make theirs: a disk-backed directory */
  hostRoot: string;
}

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
  /** its private storage, when started with `spec.scratch` on a backend with the scratch capability */
  readonly scratch?: GuestScratch;
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
  /** a container backend's OCI runtime, e.g. "runc 1.1.5+ds1" (recorded on every row) */
  readonly runtime?: string;
  /** what it can do beyond start, exec and stop */
  readonly capabilities: BackendCapabilities;
  start(spec: GuestSpec, options?: { signal?: AbortSignal }): Promise<Guest>;
  /** tool versions this backend depends on, for campaign metadata */
  versions(): Promise<Record<string, string>>;
}
