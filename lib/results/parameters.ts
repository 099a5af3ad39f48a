/**
 * The parameter records a campaign stores in campaign.json (`parameters`), for the experiments
 * that write them and for the analysis, figures and notebooks that read them back. They live here,
 * below both, so that reading a campaign never imports the code that runs one.
 */
import type { BackendName } from '../model/backends.js';
import { MIGRATION_LOADS, type MigrationLoad } from './schema.js';

// ---------------------------------------------------------------------------------------------
// guest storage

/** QEMU's cache modes for a VM disk (`-drive cache=`); `none` opens the host file with O_DIRECT. */
export type DiskCacheMode = 'none' | 'writeback' | 'writethrough' | 'directsync' | 'unsafe';

/** The scratch storage a campaign gives each guest (each backend makes it its own way: lib/backends). */
export interface ScratchSpec {
  /** capacity, MiB (a VM disk's size; a container volume or a host directory has no size limit) */
  sizeMiB: number;
  /** a VM disk's cache mode */
  cache: DiskCacheMode;
}

/** The VM scratch disk as recorded: image format, QEMU cache mode, bus, filesystem, size. */
export interface VmDiskNote {
  format: 'raw';
  cache: DiskCacheMode;
  bus: 'virtio-blk';
  filesystem: 'ext4';
  sizeMiB: number;
}

/**
 * How each backend's guests stored their files, in words (one entry per backend of the campaign);
 * campaigns before 2026-12 also recorded the VM scratch disk as `vmDisk`.
 */
export type StorageNote = Partial<Record<BackendName, string>> & { vmDisk?: VmDiskNote };

// ---------------------------------------------------------------------------------------------
// density-fileio and density-mysql

/** sysbench fileio's options (lib/workloads/sysbench-fileio.ts turns them into arguments). */
export interface FileioParams {
  /** `--file-total-size`: the whole file set of one guest, bytes */
  fileTotalBytes: number;
  /** `--file-num` (sysbench default 128, the thesis kept it) */
  fileNum: number;
  /** `--file-block-size`, bytes (default 16384) */
  blockBytes: number;
  /** `--file-test-mode` (thesis: random read/write) */
  testMode: 'rndrw';
  /** `--file-io-mode` (thesis: synchronous) */
  ioMode: 'sync';
  /** `--file-extra-flags=direct`: open with O_DIRECT, bypassing the page cache */
  direct: boolean;
  /** `--file-fsync-freq`: fsync every file after this many requests; 0 never (default 100) */
  fsyncFreq: number;
  /** `--file-fsync-end`: fsync at the end of the run (default on) */
  fsyncEnd: boolean;
  /** `--file-rw-ratio` (default 1.5; the thesis's 20912 reads / 13941 writes is 1.50) */
  rwRatio: number;
  /** `--threads` (default 1; the thesis set none) */
  threads: number;
  /** `--time`: run length, seconds (thesis: 300), with `--events=0` (no request limit) */
  timeSeconds: number;
}

/** The parameters of a density-fileio campaign. */
export interface DensityFileioParams {
  /** sysbench fileio options; `fileTotalBytes` is the VM/container file set */
  fileio: FileioParams;
  /** file set of each native copy, bytes */
  nativeFileTotalBytes: number;
  /** how the file set sizes were chosen, and every cap applied with its reason */
  fileSetNotes: string[];
  guests: Partial<Record<BackendName, number[]>>;
  repeats: number;
  vcpus: number;
  memoryMiB: number;
  containerLimits: boolean;
  /** each VM's scratch disk (size, cache mode); containers get a volume */
  scratch: ScratchSpec;
  /** parent of the native guests' directories */
  nativeScratchRoot: string;
  /** how each backend's guests store their files */
  storage: StorageNote;
  /** the untimed steps, in words */
  phases: string;
}

/** sysbench oltp's options (lib/workloads/sysbench-oltp.ts). */
export interface OltpParams {
  /** sysbench 1.0 test script (thesis: 0.4.12's oltp in its default complex, read/write mode) */
  test: 'oltp_read_write';
  /** `--tables` (0.4.12 had one table) */
  tables: number;
  /** `--table-size`: rows per table (thesis: 1,000,000) */
  tableSize: number;
  /** `--threads` (thesis: 6) */
  threads: number;
  /** `--time`, seconds (thesis: 60), with `--events=0` (thesis: maximum requests 0) */
  timeSeconds: number;
}

/** The parameters of a density-mysql campaign (no credentials). */
export interface DensityMysqlParams {
  oltp: OltpParams;
  /** MariaDB server options besides paths (everything else: compiled-in defaults) */
  server: { options: readonly string[]; database: string; user: string; connection: string; password: string };
  guests: Partial<Record<BackendName, number[]>>;
  repeats: number;
  vcpus: number;
  memoryMiB: number;
  containerLimits: boolean;
  scratch: ScratchSpec;
  nativeScratchRoot: string;
  storage: StorageNote;
  phases: string;
}

// ---------------------------------------------------------------------------------------------
// migration

/** How the migration link is shaped. */
export interface LinkShape {
  /** bandwidth each way, Mbit/s (the thesis: a 1 Gbit/s LAN) */
  rateMbit: number;
  /** added one-way latency, milliseconds (0: none; more needs the kernel's sch_netem) */
  delayMs: number;
}

/** A guest configuration of the thesis's migration runs (section 6.3). */
export interface MigrationConfig {
  /** e.g. `clean-1cpu-512m`: the rows' `config` */
  id: string;
  load: MigrationLoad;
  vcpus: number;
  memoryMiB: number;
}

/** The configuration id of a load, vCPU count and memory size: `clean-1cpu-512m`. */
export function migrationConfigId(load: MigrationLoad, vcpus: number, memoryMiB: number): string {
  return `${load}-${vcpus}cpu-${memoryMiB}m`;
}

/** The load, vCPUs and memory a configuration id names, or null for another id (`container`). */
export function parseMigrationConfigId(id: string): Omit<MigrationConfig, 'id'> | null {
  const match = /^([a-z]+)-(\d+)cpu-(\d+)m$/.exec(id);
  if (!match || !(MIGRATION_LOADS as readonly string[]).includes(match[1] as string)) return null;
  return { load: match[1] as MigrationLoad, vcpus: Number(match[2]), memoryMiB: Number(match[3]) };
}

/** How the guest's disk reaches the target: copied with the migration, or shared by both hosts. */
export type DiskMode = 'copy' | 'shared';

/** The load a loaded guest runs (the thesis: mprime torture test type 2, in-place large FFTs). */
export interface MigrationLoadSpec {
  /** the command run in the guest, `{vcpus}` replaced by the guest's vCPU count */
  command: string;
  /** what it stands in for, in words */
  note: string;
  /** how long the load runs before the migration starts, milliseconds */
  warmupMs: number;
}

/** Parameters of a migration campaign. */
export interface MigrationParams {
  /** guest configurations, in run order */
  configs: MigrationConfig[];
  repeats: number;
  /** backends asked for */
  backends: BackendName[];
  /** where the two hosts are */
  hosts: { kind: 'namespaces'; description: string };
  link: LinkShape;
  /** the observer's probe interval, milliseconds (the thesis pinged once a second) */
  probeIntervalMs: number;
  /** how the guest's disk reaches the target */
  disk: { mode: DiskMode; description: string };
  /** QEMU max-bandwidth, bytes/s (set high: the shaped link is the limit, as libvirt leaves it) */
  maxBandwidthBytes: number;
  /** QEMU downtime-limit, milliseconds (QEMU's default) */
  downtimeLimitMs: number;
  /** a migration not completed by then is cancelled and recorded as errored, milliseconds */
  convergeTimeoutMs: number;
  load: MigrationLoadSpec;
  /** probing before the migrate command (a baseline of answers), milliseconds */
  baselineMs: number;
  /** how long to wait for the target's first answer after the switch-over, milliseconds */
  answerTimeoutMs: number;
  readyTimeoutMs: number;
  /** how the observer's figures are defined */
  observer: string;
  /** campaigns before each backend recorded its own method (campaign.json `methods`): how a container migrated */
  containerMethod?: string;
}
