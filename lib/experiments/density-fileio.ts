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
import type { DiskCacheMode, Guest, ScratchSpec } from '../backends/guest.js';
import type { BackendName, MetricName } from '../results/schema.js';
import { execChecked, inDirectory } from '../workloads/guest-exec.js';
import {
  checkScratchRoot,
  cleanupScratch,
  filesystemOf,
  nativeScratchRoot,
  prepareScratch,
  storageNote,
  type StorageNote,
} from '../workloads/scratch.js';
import {
  fileioMetrics,
  fileioPrepareCommand,
  fileioRunCommand,
  parseFileioOutput,
  type FileioParams,
} from '../workloads/sysbench-fileio.js';
import { guestsFor, type ExperimentDefinition, type ParameterRequest } from './definition.js';
import { runDensity } from './density.js';
import type { ProfileName } from './profiles.js';
import type { Workload } from './workload.js';

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

/** The parameters of a density-fileio campaign, stored in campaign.json. */
export interface DensityFileioParams {
  /** sysbench fileio options; `fileTotalBytes` is the VM/container file set */
  fileio: FileioParams;
  /** file set of each native copy, bytes */
  nativeFileTotalBytes: number;
  /** how the file set sizes were chosen, and every cap applied with its reason */
  fileSetNotes: string[];
  guests: Record<BackendName, number[]>;
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
    guests: { native: [1], docker: [1, 2, 4, 8, 12], kvm: [1, 2, 4, 8] },
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
    guests: { native: [1], docker: [1, 2, 4], kvm: [1, 2] },
    repeats: 3,
    vcpus: 1,
    memoryMiB: 1024,
    containerLimits: false,
  },
};

/** The host facts parameters depend on (injectable for tests). */
export interface StorageFacts {
  hostMemoryBytes: number;
  /** free bytes where native guests, VM disks and container volumes are written */
  freeBytes: { native: number; kvm: number; docker: number };
  /** where those are, for the notes */
  where: { native: string; kvm: string; docker: string };
}

/** This host's facts. The Docker data root is assumed at /var/lib/docker (the engine's default). */
export function storageFacts(nativeRoot: string): StorageFacts {
  const native = filesystemOf(nativeRoot);
  const kvm = filesystemOf(os.tmpdir());
  const docker = filesystemOf('/var/lib/docker');
  return {
    hostMemoryBytes: os.totalmem(),
    freeBytes: { native: native.freeBytes, kvm: kvm.freeBytes, docker: docker.freeBytes },
    where: {
      native: `${native.dir} (${native.type})`,
      kvm: `${kvm.dir} (${kvm.type})`,
      docker: `${docker.dir} (${docker.type})`,
    },
  };
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
  for (const backend of ['kvm', 'docker'] as const) {
    const n = maxN(backend);
    if (n === 0) continue;
    const budget = facts.freeBytes[backend] * DISK_BUDGET;
    const perGuest = backend === 'kvm' ? (budget / n - 128 * MiB) / 1.05 : budget / n;
    if (perGuest < guestBytes) {
      const capped = roundDown(perGuest);
      notes.push(
        `capped to ${gib(capped)} per guest: ${n} ${backend === 'kvm' ? 'VM disks' : 'container volumes'} at once must fit in ${Math.round(DISK_BUDGET * 100)}% of the ${gib(facts.freeBytes[backend])} free under ${facts.where[backend]}`,
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
  const nativeN = maxN('native');
  if (nativeN > 0) {
    const perCopy = (facts.freeBytes.native * DISK_BUDGET) / nativeN;
    if (perCopy < nativeBytes) {
      const capped = roundDown(perCopy);
      notes.push(
        `capped to ${gib(capped)} per copy: ${nativeN} native cop${nativeN === 1 ? 'y' : 'ies'} must fit in ${Math.round(DISK_BUDGET * 100)}% of the ${gib(facts.freeBytes.native)} free under ${facts.where.native}; the file set is then smaller than 10x the host's RAM and the page cache can hold part of it`,
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
  if (guests.native) checkScratchRoot(root);
  const sizes = fileSetSizes(profile, guests, facts ?? storageFacts(root));
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
    storage: storageNote({
      nativeRoot: root,
      vmRunRoot: os.tmpdir(),
      vmDisk: { format: 'raw', cache: scratch.cache, bus: 'virtio-blk', filesystem: 'ext4', sizeMiB: scratch.sizeMiB },
    }),
    phases:
      'untimed before the first repeat of each N: `sysbench fileio prepare` in every guest at once, then `sync`; the file set is reused by the repeats; untimed after the last: native directories removed, VM disks and container volumes destroyed with their guests',
  };
}

/** The sysbench fileio workload: a file set per guest on its scratch storage. */
export function sysbenchFileioWorkload(params: DensityFileioParams): Workload {
  const dirs = new Map<Guest, string>();
  const fileioFor = (guest: Guest): FileioParams =>
    guest.backend === 'native' ? { ...params.fileio, fileTotalBytes: params.nativeFileTotalBytes } : params.fileio;
  const dirOf = (guest: Guest): string => {
    const dir = dirs.get(guest);
    if (dir === undefined) throw new Error(`sysbench fileio: ${guest.spec.name} was not prepared`);
    return dir;
  };
  return {
    name: 'sysbench-fileio',
    command: fileioRunCommand(params.fileio),
    async prepare(guest, signal) {
      const dir = `${await prepareScratch(guest, { nativeRoot: params.nativeScratchRoot, signal })}/fileio`;
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
      await cleanupScratch(guest, { nativeRoot: params.nativeScratchRoot, signal });
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
  parameters: (request) => densityFileioParameters(request),
  containerLimits: (params) => params.containerLimits,
  run: (context, params) =>
    runDensity(context, {
      experiment: 'density-fileio',
      workload: sysbenchFileioWorkload(params),
      guests: params.guests,
      repeats: params.repeats,
      vcpus: params.vcpus,
      memoryMiB: params.memoryMiB,
      scratch: params.scratch,
      // a run overshoots --time by its final fsync and, in a busy TCG guest, by seconds
      runTimeoutMs: params.fileio.timeSeconds * 1000 + 10 * 60_000,
      // writing 10 GiB per guest, several guests at once, under TCG: hours
      prepareTimeoutMs: 6 * 60 * 60_000,
      readyTimeoutMs: 180_000,
    }),
};

/** Whether a campaign's file I/O numbers can be served from a page cache, per backend and N. */
export interface CachingVerdict {
  backend: BackendName;
  guests: number;
  /** one guest's file set, bytes */
  fileSetBytes: number;
  /** true when no page cache on the path can hold the files (or O_DIRECT bypasses it) */
  defeated: boolean;
  /** in words, with the numbers */
  why: string;
}

/**
 * For each backend and N of a campaign: can the page cache (the VM's own, and the host's) hold the
 * file set, so that the numbers measure memory rather than storage? With O_DIRECT in the guest and
 * (for VMs) cache=none on the host, no cache is on the path. Otherwise the thesis's defence is size:
 * the files of all N guests together against the host's RAM (containers and native share the
 * host's page cache; VMs use their own RAM, and the host's too unless the disk is cache=none).
 */
export function cachingAssessment(params: DensityFileioParams, hostMemoryMiB: number): CachingVerdict[] {
  const hostBytes = hostMemoryMiB * MiB;
  const verdicts: CachingVerdict[] = [];
  for (const backend of ['native', 'docker', 'kvm'] as const) {
    for (const guests of params.guests[backend] ?? []) {
      const fileSetBytes = backend === 'native' ? params.nativeFileTotalBytes : params.fileio.fileTotalBytes;
      const total = fileSetBytes * guests;
      let defeated: boolean;
      let why: string;
      if (
        params.fileio.direct &&
        (backend !== 'kvm' || params.scratch.cache === 'none' || params.scratch.cache === 'directsync')
      ) {
        defeated = true;
        why =
          backend === 'kvm'
            ? `O_DIRECT in the VM and cache=${params.scratch.cache} on the host: no page cache on the path`
            : 'O_DIRECT: the page cache is bypassed';
      } else if (backend === 'kvm') {
        const guestBytes = params.memoryMiB * MiB;
        const hostCaches = params.scratch.cache !== 'none' && params.scratch.cache !== 'directsync';
        const guestCache = params.fileio.direct ? false : fileSetBytes <= guestBytes;
        const hostCache = hostCaches && total <= hostBytes;
        defeated = !guestCache && !hostCache;
        why = `${gib(fileSetBytes)} per VM vs ${gib(guestBytes)} VM RAM${params.fileio.direct ? ' (O_DIRECT in the VM)' : ''}; ${hostCaches ? `cache=${params.scratch.cache}: ${guests} x ${gib(fileSetBytes)} = ${gib(total)} vs ${gib(hostBytes)} host RAM` : `cache=${params.scratch.cache}: no host page cache`}`;
      } else {
        defeated = total > hostBytes;
        why = `${guests} x ${gib(fileSetBytes)} = ${gib(total)} of files vs ${gib(hostBytes)} host RAM (one shared page cache)`;
      }
      verdicts.push({ backend, guests, fileSetBytes, defeated, why });
    }
  }
  return verdicts;
}
