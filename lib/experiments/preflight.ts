/**
 * The resource preflight: before any guest starts, does the host have the memory for the most
 * guests the campaign runs at once, and the disk for what it writes? The answer names the numbers
 * and the fix (fewer guests, the quick profile, or `--force`), and is recorded with the session in
 * campaign.json either way.
 *
 * How a guest is reckoned, by its kind (lib/model/backends.ts):
 * - a VM holds its guest memory (QEMU may touch every page) plus VM_OVERHEAD_MIB for QEMU itself;
 * - a container holds its memory limit where the campaign applies the guest size as one, else
 *   CONTAINER_ESTIMATE_MIB (an engine's shim and an idle workload; the footprint experiment measured
 *   1-12 MiB per idle container here, so this is a margin, not a bound);
 * - a copy of the workload on the bare host holds nothing beyond the workload itself.
 * Backends run one after another, so the need is the largest of theirs, not the sum.
 */
import * as fs from 'node:fs';
import { backendDescriptor, type BackendName } from '../model/backends.js';
import type { PreflightRecord } from '../results/campaign-meta.js';
import { UsageError } from '../util/errors.js';
import { filesystemOf } from '../util/filesystems.js';

export type { PreflightRecord };

const MiB = 2 ** 20;
/** QEMU's own memory beside the guest's RAM (code, device state, TCG's translation cache in use). */
export const VM_OVERHEAD_MIB = 64;
/** A container without a memory limit: the engine's per-container processes and an idle workload. */
export const CONTAINER_ESTIMATE_MIB = 64;
/** Room the results directory needs beyond the experiment's own writes: rows and raw tool output. */
export const RESULTS_MIN_FREE_BYTES = 64 * MiB;

/** The most guests of one backend that run at the same time in a campaign, and their size. */
export interface GuestLoad {
  backend: BackendName;
  /** guests running at once (density: N; latency: N + the one timed; migration: source + target) */
  guests: number;
  /** each guest's memory, MiB */
  memoryMiB: number;
}

/** Disk an experiment writes somewhere other than the results directory (file sets, VM scratch disks). */
export interface DiskNeed {
  /** where it is written (a directory; the nearest existing ancestor is measured) */
  dir: string;
  bytes: number;
  /** what it is, in words: "8 VM scratch disks of 1.2 GiB" */
  what: string;
}

/** What a campaign needs, as the experiment declares it. */
export interface ResourceRequest {
  loads: readonly GuestLoad[];
  /** the guest size is applied to containers as a cgroup limit */
  containerLimits: boolean;
  disks: readonly DiskNeed[];
}

/** What the host has, measured at the preflight (injectable for tests). */
export interface HostResources {
  /** MemAvailable from /proc/meminfo, bytes */
  memAvailableBytes: number;
  /** free bytes on the filesystem of a directory */
  freeBytes(dir: string): number;
}

/** Refused by the preflight: exit 2 before anything starts. */
export class ResourceError extends UsageError {}

/** The host's memory and disk as they are now. */
export function hostResources(): HostResources {
  const meminfo = fs.readFileSync('/proc/meminfo', 'utf8');
  const kib = /^MemAvailable:\s+(\d+) kB/m.exec(meminfo)?.[1];
  return {
    memAvailableBytes: kib === undefined ? 0 : Number(kib) * 1024,
    freeBytes: (dir) => filesystemOf(dir).freeBytes,
  };
}

function perGuestMiB(load: GuestLoad, containerLimits: boolean): { mib: number; words: string } {
  switch (backendDescriptor(load.backend).kind) {
    case 'vm':
      return { mib: load.memoryMiB + VM_OVERHEAD_MIB, words: `(${load.memoryMiB} MiB + ${VM_OVERHEAD_MIB} MiB QEMU)` };
    case 'container':
      return containerLimits
        ? { mib: load.memoryMiB, words: `${load.memoryMiB} MiB (its limit)` }
        : { mib: CONTAINER_ESTIMATE_MIB, words: `${CONTAINER_ESTIMATE_MIB} MiB (no limit; estimate)` };
    case 'host':
      return { mib: 0, words: '0 MiB (the workload only)' };
  }
}

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}

/** The largest memory need of the campaign's backends, with how it was reckoned. */
export function memoryNeed(request: Pick<ResourceRequest, 'loads' | 'containerLimits'>): {
  needBytes: number;
  reckoning: string;
  /** the binding load and what one of its guests takes, bytes */
  binding?: { backend: BackendName; perGuestBytes: number };
} {
  let best: ReturnType<typeof memoryNeed> = { needBytes: 0, reckoning: 'no guests' };
  for (const load of request.loads) {
    const { mib, words } = perGuestMiB(load, request.containerLimits);
    const needBytes = load.guests * mib * MiB;
    if (needBytes > best.needBytes)
      best = {
        needBytes,
        reckoning: `${load.guests} ${load.backend} guest(s) at once x ${words}`,
        binding: { backend: load.backend, perGuestBytes: mib * MiB },
      };
  }
  return best;
}

/**
 * Checks a campaign's needs against the host. Refuses (ResourceError) when something does not fit
 * unless `force`; returns the record either way.
 */
export function checkResources(
  request: ResourceRequest,
  options: {
    resultsDir: string;
    force: boolean;
    host?: HostResources;
    /** how the experiment counts guests at once beyond N, for the fix: "latency adds the one it times" */
    extraGuests?: string;
  },
): PreflightRecord {
  const host = options.host ?? hostResources();
  const { binding, ...need } = memoryNeed(request);
  const memory = { ...need, availableBytes: host.memAvailableBytes };
  const disks = [
    { dir: options.resultsDir, bytes: RESULTS_MIN_FREE_BYTES, what: 'rows and raw tool output' },
    ...request.disks,
  ];
  const disk = disks.map((need) => ({
    dir: need.dir,
    needBytes: need.bytes,
    freeBytes: host.freeBytes(need.dir),
    what: need.what,
  }));
  const shortages: string[] = [];
  const fixes: string[] = [];
  if (memory.needBytes > memory.availableBytes) {
    shortages.push(
      `needs ${gib(memory.needBytes)} of memory (${memory.reckoning}), the host has ${gib(memory.availableBytes)} available`,
    );
    if (binding) {
      const fitting = Math.floor(memory.availableBytes / binding.perGuestBytes);
      fixes.push(
        `fewer guests at once with \`--guests\` (${fitting} ${binding.backend} guest(s) fit${options.extraGuests ? `, ${options.extraGuests}` : ''})`,
      );
    }
  }
  for (const need of disk) {
    if (need.needBytes > need.freeBytes)
      shortages.push(
        `needs ${gib(need.needBytes)} free under ${need.dir} for ${need.what}, it has ${gib(need.freeBytes)}`,
      );
  }
  const record: PreflightRecord = { memory, disk, fits: shortages.length === 0, forced: false };
  if (record.fits) return record;
  if (options.force) return { ...record, forced: true };
  if (disk.some((need) => need.needBytes > need.freeBytes)) fixes.push('free some room there');
  throw new ResourceError(`The campaign ${shortages.join('; and ')}`, {
    fix: `${[...fixes, '`--profile quick`'].join(', ')}, or \`--force\` to run anyway (recorded in campaign.json)`,
  });
}
