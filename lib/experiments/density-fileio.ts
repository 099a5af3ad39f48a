/**
 * density-fileio (thesis section 4.5.2, Figures 4.4-4.13, Table 4.3): sysbench fileio, random
 * read/write in synchronous mode, in N guests at once, each on its own storage.
 *
 * The thesis sized each file set at 10x the RAM that could cache it (10 GiB per 1 GiB guest, 80 GB
 * on its 8 GB host). That rule is kept where the disk allows and capped, with the reason recorded,
 * where it does not; the quick profile uses small file sets with O_DIRECT instead (see
 * {@link cachingAssessment}: whether a campaign's numbers measure storage or page cache).
 */
import os from 'node:os';
import type { Guest } from '../backends/guest.js';
import { backendProvider } from '../backends/registry.js';
import { backendDescriptor, type BackendName } from '../model/backends.js';
import type { DensityFileioParams, DiskCacheMode, FileioParams, ScratchSpec } from '../results/parameters.js';
import type { MetricName } from '../results/schema.js';
import { filesystemOf } from '../util/filesystems.js';
import { execChecked, inDirectory } from '../workloads/guest-exec.js';
import {
  fileioMetrics,
  fileioPrepareCommand,
  fileioRunCommand,
  parseFileioOutput,
} from '../workloads/sysbench-fileio.js';
import { guestsFor, peakLoads, type ExperimentDefinition, type ParameterRequest } from './definition.js';
import type { DiskNeed } from './preflight.js';
import { runDensity } from './density.js';
import { guestsPerKind, type ProfileName } from './profiles.js';
import { checkScratchRoot, nativeScratchRoot, storageNote } from './scratch-plan.js';
import { requireScratch, type Workload } from './workload.js';

export type { DensityFileioParams };

const MiB = 2 ** 20;
const GiB = 2 ** 30;

/** A profile: what the campaign's parameters are derived from. */
export interface DensityFileioProfile {
  /** sysbench fileio options except the file set size */
  fileio: Omit<FileioParams, 'fileTotalBytes'>;
  /** file set per VM and per container: a multiple of the VM's RAM (thesis: 10), or fixed bytes */
  guestFileSet: { timesGuestRam: number } | { bytes: number };
  /** file set of each native copy: a multiple of the host's RAM (thesis: 10), or fixed bytes */
  nativeFileSet: { timesHostRam: number } | { bytes: number };
  /** QEMU cache mode of the VM scratch disk */
  vmDiskCache: DiskCacheMode;
  guests: Record<BackendName, number[]>;
  repeats: number;
  vcpus: number;
  memoryMiB: number;
  containerLimits: boolean;
}

/** density-fileio per profile. */
export const DENSITY_FILEIO_PROFILES: Record<ProfileName, DensityFileioProfile> = {
  thesis: {
    // sysbench's defaults wherever the thesis named no value (0.4.12 and 1.0 share them)
    fileio: {
      fileNum: 128,
      blockBytes: 16384,
      testMode: 'rndrw',
      ioMode: 'sync',
      direct: false,
      fsyncFreq: 100,
      fsyncEnd: true,
      rwRatio: 1.5,
      threads: 1,
      timeSeconds: 300,
    },
    guestFileSet: { timesGuestRam: 10 },
    nativeFileSet: { timesHostRam: 10 },
    // libvirt's default for a disk without a cache attribute is QEMU's: writeback
    vmDiskCache: 'writeback',
    guests: guestsPerKind({ host: [1], container: [1, 2, 4, 8, 12], vm: [1, 2, 4, 8] }),
    repeats: 10,
    vcpus: 1,
    memoryMiB: 1024,
    containerLimits: false,
  },
  quick: {
    // small file sets cannot defeat the page cache by size: O_DIRECT in the guest, cache=none on the host
    fileio: {
      fileNum: 128,
      blockBytes: 16384,
      testMode: 'rndrw',
      ioMode: 'sync',
      direct: true,
      fsyncFreq: 100,
      fsyncEnd: true,
      rwRatio: 1.5,
      threads: 1,
      timeSeconds: 5,
    },
    guestFileSet: { bytes: 256 * MiB },
    nativeFileSet: { bytes: 256 * MiB },
    vmDiskCache: 'none',
    guests: guestsPerKind({ host: [1], container: [1, 2, 4], vm: [1, 2] }),
    repeats: 3,
    vcpus: 1,
    memoryMiB: 1024,
    containerLimits: false,
  },
};

/** The host facts parameters depend on (injectable for tests). */
export interface StorageFacts {
  hostMemoryBytes: number;
  /** free bytes where each backend's guests write (native guests, VM disks, container volumes) */
  freeBytes: Partial<Record<BackendName, number>>;
  /** where those are, for the notes */
  where: Partial<Record<BackendName, string>>;
}

/** This host's facts for `backends`: the free space where each one's scratch storage sits. */
export function storageFacts(nativeRoot: string, backends: readonly BackendName[]): StorageFacts {
  const facts: StorageFacts = { hostMemoryBytes: os.totalmem(), freeBytes: {}, where: {} };
  for (const name of backends) {
    const storage = backendProvider(name).scratch;
    if (!storage) continue;
    const fsInfo = filesystemOf(storage.hostDir(nativeRoot));
    facts.freeBytes[name] = fsInfo.freeBytes;
    facts.where[name] = `${fsInfo.dir} (${fsInfo.type})`;
  }
  return facts;
}

/** Share of the free space a campaign may fill. */
const DISK_BUDGET = 0.8;
/** The VM scratch disk's ext4 needs room beyond the files: journal, inode tables, block groups. */
export function vmDiskMiB(fileBytes: number, extraBytes = 0): number {
  return Math.ceil(((fileBytes + extraBytes) * 1.05) / MiB) + 128;
}

// whole GiB above 1 GiB, else whole multiples of 16 MiB: sysbench splits the set into equal files
function roundDown(bytes: number): number {
  return bytes >= GiB ? Math.floor(bytes / GiB) * GiB : Math.max(16 * MiB, Math.floor(bytes / (16 * MiB)) * 16 * MiB);
}

function gib(bytes: number): string {
  return `${(bytes / GiB).toFixed(bytes % GiB === 0 ? 0 : 2)} GiB`;
}

/**
 * File set sizes for a profile on a host: the profile's rule, capped so that the largest N of each
 * backend fits in 80% of the free space where it writes. VMs and containers get the same size (a
 * cap for one applies to both, so they stay comparable).
 */
export function fileSetSizes(
  profile: DensityFileioProfile,
  guests: Partial<Record<BackendName, number[]>>,
  facts: StorageFacts,
): { guestBytes: number; nativeBytes: number; notes: string[] } {
  const notes: string[] = [];
  const maxN = (backend: BackendName) => Math.max(0, ...(guests[backend] ?? []));
  let guestBytes =
    'bytes' in profile.guestFileSet
      ? profile.guestFileSet.bytes
      : profile.guestFileSet.timesGuestRam * profile.memoryMiB * MiB;
  notes.push(
    'bytes' in profile.guestFileSet
      ? `VM/container file set: ${gib(guestBytes)} per guest (fixed by the profile)`
      : `VM/container file set: ${profile.guestFileSet.timesGuestRam} x the VM's ${profile.memoryMiB} MiB RAM = ${gib(guestBytes)} per guest (thesis rule)`,
  );
  // the guests' file set is one size for every backend that runs guests, so that they stay comparable
  for (const backend of Object.keys(guests) as BackendName[]) {
    const storage = backendProvider(backend).scratch;
    const n = maxN(backend);
    const free = facts.freeBytes[backend];
    if (n === 0 || !storage || free === undefined || backendDescriptor(backend).kind === 'host') continue;
    const budget = free * DISK_BUDGET;
    const perGuest = (budget / n - storage.overhead.bytes) / storage.overhead.factor;
    if (perGuest < guestBytes) {
      const capped = roundDown(perGuest);
      notes.push(
        `capped to ${gib(capped)} per guest: ${n} ${storage.plural} at once must fit in ${Math.round(DISK_BUDGET * 100)}% of the ${gib(free)} free under ${facts.where[backend] ?? '?'}`,
      );
      guestBytes = capped;
    }
  }
  let nativeBytes =
    'bytes' in profile.nativeFileSet
      ? profile.nativeFileSet.bytes
      : roundDown(profile.nativeFileSet.timesHostRam * facts.hostMemoryBytes);
  notes.push(
    'bytes' in profile.nativeFileSet
      ? `native file set: ${gib(nativeBytes)} per copy (fixed by the profile)`
      : `native file set: ${profile.nativeFileSet.timesHostRam} x the host's ${gib(facts.hostMemoryBytes)} RAM = ${gib(nativeBytes)} (thesis rule)`,
  );
  // the bare host's copies write on the host's own disk: their file set follows the host's RAM
  for (const backend of Object.keys(guests) as BackendName[]) {
    const storage = backendProvider(backend).scratch;
    const n = maxN(backend);
    const free = facts.freeBytes[backend];
    if (n === 0 || !storage || free === undefined || backendDescriptor(backend).kind !== 'host') continue;
    const perCopy = (free * DISK_BUDGET) / n;
    if (perCopy < nativeBytes) {
      const capped = roundDown(perCopy);
      notes.push(
        `capped to ${gib(capped)} per copy: ${n} native cop${n === 1 ? 'y' : 'ies'} must fit in ${Math.round(DISK_BUDGET * 100)}% of the ${gib(free)} free under ${facts.where[backend] ?? '?'}; the file set is then smaller than 10x the host's RAM and the page cache can hold part of it`,
      );
      nativeBytes = capped;
    }
  }
  return { guestBytes, nativeBytes, notes };
}

/** Derives a campaign's parameters from a profile, the command line and this host. */
export function densityFileioParameters(request: ParameterRequest, facts?: StorageFacts): DensityFileioParams {
  const profile = DENSITY_FILEIO_PROFILES[request.profile];
  const guests = guestsFor(request, profile.guests);
  const root = nativeScratchRoot();
  if (request.backends.some((backend) => backendDescriptor(backend).kind === 'host')) checkScratchRoot(root);
  const sizes = fileSetSizes(profile, guests, facts ?? storageFacts(root, request.backends));
  const scratch: ScratchSpec = { sizeMiB: vmDiskMiB(sizes.guestBytes), cache: profile.vmDiskCache };
  return {
    fileio: { ...profile.fileio, fileTotalBytes: sizes.guestBytes },
    nativeFileTotalBytes: sizes.nativeBytes,
    fileSetNotes: sizes.notes,
    guests,
    repeats: request.repeats ?? profile.repeats,
    vcpus: profile.vcpus,
    memoryMiB: profile.memoryMiB,
    containerLimits: profile.containerLimits,
    scratch,
    nativeScratchRoot: root,
    storage: storageNote(request.backends, scratch, root),
    phases:
      'untimed before the first repeat of each N: `sysbench fileio prepare` in every guest at once, then `sync`; the file set is reused by the repeats; untimed after the last: native directories removed, VM disks and container volumes destroyed with their guests',
  };
}

/**
 * The file sets of each backend's largest N where that backend writes them (checked again at each
 * session's preflight: a resumed campaign keeps its sizes while the free space may have shrunk).
 */
export function fileioDiskNeeds(params: DensityFileioParams): DiskNeed[] {
  return (Object.entries(params.guests) as Array<[BackendName, number[] | undefined]>).flatMap(([backend, counts]) => {
    const storage = backendProvider(backend).scratch;
    const n = Math.max(0, ...(counts ?? []));
    if (!storage || n === 0) return [];
    const host = backendDescriptor(backend).kind === 'host';
    const fileBytes = host ? params.nativeFileTotalBytes : params.fileio.fileTotalBytes;
    const perGuest = host ? fileBytes : fileBytes * storage.overhead.factor + storage.overhead.bytes;
    return [
      {
        dir: storage.hostDir(params.nativeScratchRoot),
        bytes: n * perGuest,
        what: `${backend}'s ${n} file set(s) of ${gib(fileBytes)}`,
      },
    ];
  });
}

/** The sysbench fileio workload: a file set per guest on its scratch storage. */
export function sysbenchFileioWorkload(params: DensityFileioParams): Workload {
  const dirs = new Map<Guest, string>();
  // the bare host's copies get the host's file set (10x the host's RAM in the thesis), guests theirs
  const fileioFor = (guest: Guest): FileioParams =>
    backendDescriptor(guest.backend).kind === 'host'
      ? { ...params.fileio, fileTotalBytes: params.nativeFileTotalBytes }
      : params.fileio;
  const dirOf = (guest: Guest): string => {
    const dir = dirs.get(guest);
    if (dir === undefined) throw new Error(`sysbench fileio: ${guest.spec.name} was not prepared`);
    return dir;
  };
  return {
    name: 'sysbench-fileio',
    command: fileioRunCommand(params.fileio),
    async prepare(guest, signal) {
      const dir = `${await requireScratch(guest).prepare(signal)}/fileio`;
      await execChecked(guest, ['mkdir', '-p', dir], { what: 'sysbench fileio prepare', signal });
      // prepare writes through the page cache: flush it so the timed run does not inherit dirty pages
      await execChecked(
        guest,
        [
          'sh',
          '-c',
          `cd "$1" && shift && "$@" >/dev/null && sync`,
          'sh',
          dir,
          ...fileioPrepareCommand(fileioFor(guest)),
        ],
        { what: 'sysbench fileio prepare', signal },
      );
      dirs.set(guest, dir);
    },
    commandFor: (guest) => inDirectory(dirOf(guest), fileioRunCommand(fileioFor(guest))),
    parse: (stdout) => fileioMetrics(parseFileioOutput(stdout)),
    async cleanup(guest, signal) {
      dirs.delete(guest);
      await requireScratch(guest).cleanup(signal);
    },
  };
}

/** Metrics the notebook and the CLI summary lead with. */
export const FILEIO_HEADLINE_METRICS: readonly MetricName[] = [
  'total_mib_per_s',
  'requests_per_s',
  'events',
  'reads',
  'writes',
];

export const densityFileio: ExperimentDefinition<DensityFileioParams> = {
  name: 'density-fileio',
  summary: 'sysbench fileio random read/write (sync) in N guests at once, each on its own storage',
  thesis: 'Figures 4.4-4.13, Table 4.3',
  minGuests: 1,
  uses: ['scratch'],
  parameters: (request) => densityFileioParameters(request),
  containerLimits: (params) => params.containerLimits,
  resources: (params) => ({ loads: peakLoads(params.guests, params.memoryMiB), disks: fileioDiskNeeds(params) }),
  run: (context, params) =>
    runDensity(context, {
      experiment: 'density-fileio',
      workload: sysbenchFileioWorkload(params),
      guests: params.guests,
      repeats: params.repeats,
      vcpus: params.vcpus,
      memoryMiB: params.memoryMiB,
      scratch: { ...params.scratch, hostRoot: params.nativeScratchRoot },
      // a run overshoots --time by its final fsync and, in a busy TCG guest, by seconds
      runTimeoutMs: params.fileio.timeSeconds * 1000 + 10 * 60_000,
      // writing 10 GiB per guest, several guests at once, under TCG: hours
      prepareTimeoutMs: 6 * 60 * 60_000,
      readyTimeoutMs: 180_000,
    }),
};
