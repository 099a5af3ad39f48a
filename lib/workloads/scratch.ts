/**
 * Where a guest's workload writes (sysbench fileio's file set, MariaDB's data directory): storage
 * private to the guest, so N guests never share files.
 * - kvm: the VM's scratch disk (GuestSpec.scratch: a second virtio disk, /dev/vdb), mounted here at
 *   VM_SCRATCH_MOUNT;
 * - docker: the container's scratch volume at CONTAINER_SCRATCH_PATH (mounted by the backend);
 * - native: a directory per guest under a host directory (default /var/tmp), removed by cleanup.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONTAINER_SCRATCH_PATH, VM_SCRATCH_DEVICE, type DiskCacheMode, type Guest } from '../backends/guest.js';
import { UsageError } from '../util/errors.js';
import { isProcessAlive } from '../util/signals.js';
import { execChecked, shellQuote } from './guest-exec.js';

/** Where a VM mounts its scratch disk. */
export const VM_SCRATCH_MOUNT = '/scratch';

/** Default parent of the native guests' directories: disk-backed by convention (FHS), unlike /tmp on many hosts. */
export const DEFAULT_NATIVE_SCRATCH_ROOT = '/var/tmp';

/** The native scratch root: $GUESTBENCH_SCRATCH, else /var/tmp. */
export function nativeScratchRoot(): string {
  return path.resolve(process.env.GUESTBENCH_SCRATCH ?? DEFAULT_NATIVE_SCRATCH_ROOT);
}

/** The directory a guest's workload writes in. */
export function scratchDir(guest: Guest, nativeRoot: string): string {
  if (guest.backend === 'kvm') return VM_SCRATCH_MOUNT;
  if (guest.backend === 'docker') return CONTAINER_SCRATCH_PATH;
  // the runner's pid in the name: a directory whose runner died (SIGKILL) is found and removed later
  return path.posix.join(nativeRoot, `${NATIVE_PREFIX}${process.pid}-${guest.spec.name}`);
}

const NATIVE_PREFIX = 'guestbench-scratch-';

/**
 * Removes native scratch directories under `root` left by runners that died without cleaning up
 * (killed with SIGKILL: their servers died with them, see startMariadb, their files did not).
 * Returns what it removed.
 */
export function sweepStaleScratch(root: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = new RegExp(`^${NATIVE_PREFIX}(\\d+)-`).exec(name)?.[1];
    if (!pid || Number(pid) === process.pid || isProcessAlive(Number(pid))) continue;
    fs.rmSync(path.join(root, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/**
 * Makes the guest's scratch directory usable and returns it: mounts the VM's scratch disk, checks
 * the container's volume, creates the native guest's directory (which must not exist yet).
 */
export async function prepareScratch(
  guest: Guest,
  options: { nativeRoot: string; signal?: AbortSignal },
): Promise<string> {
  const dir = scratchDir(guest, options.nativeRoot);
  const step = { what: 'scratch storage', signal: options.signal, timeoutMs: 60_000 };
  if (guest.backend === 'kvm') {
    // the host made the ext4; a second prepare in the same VM finds it mounted
    await execChecked(
      guest,
      [
        'sh',
        '-c',
        `grep -q ' ${VM_SCRATCH_MOUNT} ' /proc/mounts || { mkdir -p ${VM_SCRATCH_MOUNT} && mount -t ext4 ${VM_SCRATCH_DEVICE} ${VM_SCRATCH_MOUNT}; }`,
      ],
      step,
    );
  } else if (guest.backend === 'docker') {
    await execChecked(guest, ['sh', '-c', `grep -q ' ${CONTAINER_SCRATCH_PATH} ' /proc/mounts`], {
      ...step,
      what: `scratch volume at ${CONTAINER_SCRATCH_PATH} (was the container started with GuestSpec.scratch?)`,
    });
  } else {
    sweepOnce(options.nativeRoot);
    await execChecked(guest, ['mkdir', '-p', dir], step);
  }
  return dir;
}

const swept = new Set<string>();
function sweepOnce(root: string): void {
  if (swept.has(root)) return;
  swept.add(root);
  sweepStaleScratch(root);
}

/**
 * Removes what the guest's stop would not: the native guest's directory. VMs and containers lose their scratch storage
 * with them.
 */
export async function cleanupScratch(
  guest: Guest,
  options: { nativeRoot: string; signal?: AbortSignal },
): Promise<void> {
  if (guest.backend !== 'native') return;
  const dir = scratchDir(guest, options.nativeRoot);
  await execChecked(guest, ['sh', '-c', `rm -rf -- ${shellQuote(dir)}`], {
    what: 'scratch cleanup',
    signal: options.signal,
    timeoutMs: 120_000,
  });
}

// statfs f_type values of the filesystems a scratch directory is likely to be on
const FILESYSTEMS: Record<number, string> = {
  0xef53: 'ext2/3/4',
  0x58465342: 'xfs',
  0x9123683e: 'btrfs',
  0x01021994: 'tmpfs',
  0x794c7630: 'overlay',
  0x6969: 'nfs',
  0x2fc12fc1: 'zfs',
  0x65735546: 'fuse',
};

/**
 * The filesystem type and free space of the nearest existing ancestor of `dir` (sync: parameters are computed
 * synchronously).
 */
export function filesystemOf(dir: string): { dir: string; type: string; freeBytes: number } {
  let probe = path.resolve(dir);
  while (!fs.existsSync(probe) && path.dirname(probe) !== probe) probe = path.dirname(probe);
  const stats = fs.statfsSync(probe);
  return {
    dir: probe,
    type: FILESYSTEMS[stats.type] ?? `0x${stats.type.toString(16)}`,
    freeBytes: stats.bavail * stats.bsize,
  };
}

/** How each backend's guests store their files, recorded in a campaign's parameters. */
export interface StorageNote {
  native: string;
  docker: string;
  kvm: string;
  /** the VM scratch disk: image format, QEMU cache mode, bus, filesystem, size */
  vmDisk: { format: 'raw'; cache: DiskCacheMode; bus: 'virtio-blk'; filesystem: 'ext4'; sizeMiB: number };
}

/** The storage note for a campaign (the VM run directory is the KVM backend's: under the OS temp directory). */
export function storageNote(options: {
  nativeRoot: string;
  vmRunRoot: string;
  vmDisk: StorageNote['vmDisk'];
}): StorageNote {
  const native = filesystemOf(options.nativeRoot);
  const vm = filesystemOf(options.vmRunRoot);
  return {
    native: `a directory per guest under ${options.nativeRoot} (${native.type}), removed after the group's last repeat`,
    docker: `an anonymous volume per container at ${CONTAINER_SCRATCH_PATH} (local driver: a directory on the engine's data root, outside the overlay2 layers), removed with the container`,
    kvm: `a second virtio-blk disk per VM (${VM_SCRATCH_DEVICE}, mounted at ${VM_SCRATCH_MOUNT}): a sparse ${options.vmDisk.format} file of ${options.vmDisk.sizeMiB} MiB in the VM's run directory under ${options.vmRunRoot} (${vm.type}), ext4 made on the host, cache=${options.vmDisk.cache}, removed with the VM`,
    vmDisk: options.vmDisk,
  };
}

/** Validates a scratch root given by the user. */
export function checkScratchRoot(dir: string): void {
  const fsInfo = filesystemOf(dir);
  if (fsInfo.type === 'tmpfs') {
    throw new UsageError(`Expected the native scratch directory to be disk-backed, got ${dir} on tmpfs`, {
      fix: 'set GUESTBENCH_SCRATCH to a directory on a disk, e.g. /var/tmp',
    });
  }
}
