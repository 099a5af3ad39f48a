/**
 * What a backend can do beyond start, exec and stop. Each capability is an interface that an
 * experiment asks for (`backend.capabilities.saveRestore`), never a backend's name: a backend
 * without it gets `unsupported` rows naming the capability, and nothing falls through to another
 * backend's branch. The implementations live beside their backends (kvm-snapshot.ts, ...).
 *
 * - scratch (density-fileio, density-mysql): private storage per guest (Guest.scratch), and where
 *   it sits on the host;
 * - startTiming (latency): a start timed to the guest's own ready marker, with the engine's own
 *   timestamps where it keeps them, and a measured shutdown;
 * - saveRestore (latency-restore): a cold start, a save of the running guest, a start from the
 *   saved state;
 * - liveMigration (migration): a guest on one host of a host pair, reachable by an observer, moved
 *   to the other;
 * - memoryFootprint (footprint): the host memory one running guest holds (memory-footprint.ts).
 */
import type { HostPair } from '../network/host-pair.js';
import type { DiskMode, ScratchSpec } from '../results/parameters.js';
import type { MeasuredBy, MetricName } from '../results/schema.js';
import type { Backend, Guest, GuestSpec } from './guest.js';
import type { MemoryFootprint } from './memory-footprint.js';

export { CAPABILITY_NAMES, type CapabilityKey } from '../model/backends.js';
export type { MemoryFootprint };

/** Metric/value pairs a backend measured; turning them into rows is the experiment's business. */
export type MeasuredValues = Array<[MetricName, number]>;

/** Details a measurement keeps in its raw record (commands, console lines, engine events...). */
export type RawRecord = Record<string, unknown>;

/** Whether the host can use a capability now: some depend on more than the backend (CRIU, the kernel). */
export type CapabilityCheck = { usable: true; detail: string } | { usable: false; reason: string; fix: string };

/**
 * Everything a backend can do beyond the basics; an absent entry is a capability it lacks. The
 * backend table (lib/model/backends.ts) lists the same keys for each backend, so that what a backend
 * can do is known before one is made (a test holds the two to each other).
 */
export interface BackendCapabilities {
  scratch?: ScratchStorage;
  startTiming?: StartTiming;
  saveRestore?: SaveRestore;
  liveMigration?: LiveMigration;
  memoryFootprint?: MemoryFootprint;
}

/** Options every timed step takes. */
export interface StepOptions {
  /** upper bound on the step, milliseconds */
  timeoutMs: number;
  signal?: AbortSignal;
}

// ---------------------------------------------------------------------------------------------
// private scratch storage

/**
 * Where a backend's guests keep private scratch storage, for planning before any guest starts (file
 * set sizes against free space) and for the campaign's record. A guest started with
 * `GuestSpec.scratch` on such a backend has `Guest.scratch`.
 */
export interface ScratchStorage {
  /** how one guest's files are stored, one sentence for the campaign's parameters */
  describe(scratch: ScratchSpec, hostRoot: string): string;
  /** the host directory the guests' storage takes its space from (free space is measured there) */
  hostDir(hostRoot: string): string;
  /**
   * what one guest's storage takes on the host beyond its files: host bytes = files x `factor` +
   * `bytes` (a VM disk adds its filesystem's journal and tables; a volume or directory adds nothing)
   */
  overhead: { factor: number; bytes: number };
  /** what several of them are called in a note: 'VM disks', 'container volumes' */
  plural: string;
}

/** One guest's scratch storage. */
export interface GuestScratch {
  /** makes it usable (mounts a disk, checks a volume, creates a directory) and returns the directory to write in */
  prepare(signal?: AbortSignal): Promise<string>;
  /** removes what the guest's own stop would not (a host directory); a no-op where the storage dies with the guest */
  cleanup(signal?: AbortSignal): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// a timed start and shutdown

/** Boot and shutdown latency: what "ready" and "gone" mean for a backend's guests, and how to time them. */
export interface StartTiming {
  /** what "ready" means, in words (recorded with the campaign) */
  readiness: string;
  /** how a guest is shut down and when it counts as gone, in words */
  shutdown: string;
  /** the backend the N guests already running are started from: they behave as the timed guest does */
  background: Backend;
  /** how many background guests to boot at once on this host (a TCG VM boot takes a whole core) */
  parallelStarts: number;
  /** starts one guest and times it to its own ready marker */
  timedStart(spec: GuestSpec, options: StepOptions): Promise<TimedStart>;
}

/** A guest started by {@link StartTiming.timedStart}. */
export interface TimedStart {
  guest: Guest;
  /** boot_time and its phases (and the engine's own view of the start, where it has one) */
  values: MeasuredValues;
  /** raw record entries of the start */
  record: RawRecord;
  /** shuts the guest down cleanly and times it (shutdown_time and its phases); the guest is gone afterwards */
  timedShutdown(options: StepOptions): Promise<{ values: MeasuredValues; record: RawRecord }>;
  /** frees what the measurement holds (event streams); stops the guest if it still runs; the last record entries */
  close(): Promise<RawRecord>;
}

// ---------------------------------------------------------------------------------------------
// save/restore

/** Start from a saved state (thesis Figure 5.2): VM snapshots, container checkpoints. */
export interface SaveRestore {
  /** how the state is saved and restored, in words (recorded with the campaign) */
  method: string;
  /** what ready means here: the guest runs a command for us (a restored guest prints no boot marker) */
  readiness: string;
  /** whether this host can save and restore now (a CRIU that works on this kernel, an engine that allows it) */
  check(): Promise<CapabilityCheck>;
  /** the resources of one cold start, save and restore */
  open(): Promise<SaveRestoreCycle>;
}

/** One cycle: a cold start, a save of that guest, and a start from the saved state. */
export interface SaveRestoreCycle {
  /** starts a guest that can be saved, timed until it runs a command for us: cold_boot_time and its phases */
  coldStart(
    spec: GuestSpec,
    options: StepOptions,
  ): Promise<{ guest: Guest; values: MeasuredValues; record: RawRecord }>;
  /** saves the guest's state (snapshot_save_time, snapshot_size where known); the guest no longer runs afterwards */
  save(guest: Guest, options: StepOptions): Promise<{ values: MeasuredValues; record: RawRecord }>;
  /** starts a guest from the saved state, timed until it runs a command for us: restore_time and its phases */
  restore(spec: GuestSpec, options: StepOptions): Promise<{ guest: Guest; values: MeasuredValues; record: RawRecord }>;
  /** stops whatever still runs and removes the saved state */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// live migration

/** Live migration between the two hosts of a host pair, the guest's echo service probed by an observer. */
export interface LiveMigration {
  /** how the migration is done, in words (recorded with the campaign) */
  method: string;
  /** whose account the backend's own figures are (QEMU's for a VM, CRIU's for a container) */
  measuredBy: MeasuredBy;
  /**
   * the backend's own figures include the migration's total time and downtime (QEMU counts both);
   * CRIU's are the phases of a stop-and-copy (freeze, dump, restore), which the observer times whole
   */
  ownsTiming: boolean;
  /** whether this host can migrate this backend's guests now */
  check(): Promise<CapabilityCheck>;
  /**
   * Launches a guest on the pair's source host, with its network on the pair's LAN at
   * `pair.lan.guestAddress` (its echo service answering an observer there); wait for it with
   * `session.source.waitReady()`. On failure nothing is left behind.
   */
  open(spec: GuestSpec, options: { pair: HostPair; disk: DiskMode; signal?: AbortSignal }): Promise<MigrationSession>;
}

/** How to migrate. */
export interface MigrateOptions {
  /** the backend's own bandwidth cap, bytes/s (set high: the link is the limit) */
  maxBandwidthBytes: number;
  /** the backend's own downtime target, milliseconds */
  downtimeLimitMs: number;
  /** a migration not done by then is cancelled, milliseconds */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** One guest being migrated. */
export interface MigrationSession {
  /** the guest on the source host */
  readonly source: Guest;
  /** the guest on the target host, once {@link migrate} resolved */
  readonly target: Guest | undefined;
  /** makes the target host ready to receive the guest (a VM: QEMU waiting with -incoming) */
  prepareTarget(signal?: AbortSignal): Promise<void>;
  /** migrates over the pair's link; resolves once the guest runs on the target */
  migrate(options: MigrateOptions): Promise<MigrationOutcome>;
  /**
   * evidence that the guest on the target is the one that ran on the source, its state gone on
   * (a VM's uptime, a container's counter in memory: before the migration, and now on the target)
   */
  continuity(): Promise<Continuity>;
  /** what the backend can say about a failed step, for the raw record */
  failureRecord(): Promise<RawRecord>;
  /** stops both sides and removes what the migration made (disk overlays, blank disks) */
  close(): Promise<void>;
}

/** A value of the guest's own state before the migration and after it, on the target. */
export interface Continuity {
  /** what was read, e.g. "the guest's uptime (s)" */
  what: string;
  before: number;
  after: number;
  /** the state went on: `after` continues `before` (it did not start again) */
  kept: boolean;
}

/** What a migration measured (monotonic clock, nanoseconds) and the backend's own account of it. */
export interface MigrationOutcome {
  /** just before the migration was asked for */
  issuedNs: bigint;
  /**
   * from this moment on only the target can answer for the guest (a VM: the target's QEMU reported
   * RESUME; a container: its restore began, its processes frozen on the source since the checkpoint)
   */
  switchedNs: bigint;
  /** whose account `values` are: QEMU's for a VM */
  measuredBy: MeasuredBy;
  /** total_time (s) and downtime (ms) as the backend counts them, and its transfer figures */
  values: MeasuredValues;
  /**
   * the migration's steps timed by guestbench's clock around the backend's commands (a container: checkpoint,
   * transfer over the link, restore), milliseconds; rows measured_by 'runner'
   */
  phases?: MeasuredValues;
  record: RawRecord;
}
