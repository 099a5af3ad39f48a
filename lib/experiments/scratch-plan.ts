/**
 * Planning the density experiments' scratch storage before any guest starts: where the bare host's
 * guests write (a disk-backed directory), and how each backend's guests store their files, in words
 * for campaign.json. Each backend says where its storage sits (its scratch capability: a VM disk,
 * a container volume, a host directory).
 */
import * as path from 'node:path';
import { backendProvider } from '../backends/registry.js';
import type { BackendName } from '../model/backends.js';
import type { ScratchSpec, StorageNote } from '../results/parameters.js';
import { UsageError } from '../util/errors.js';
import { filesystemOf } from '../util/filesystems.js';

/** Default parent of the bare host's guest directories: disk-backed by convention (FHS), unlike /tmp on many hosts. */
export const DEFAULT_HOST_SCRATCH_ROOT = '/var/tmp';

/** Where the bare host's guests make their directories: $GUESTBENCH_SCRATCH, else /var/tmp. */
export function nativeScratchRoot(): string {
  return path.resolve(process.env.GUESTBENCH_SCRATCH ?? DEFAULT_HOST_SCRATCH_ROOT);
}

/** Validates a scratch root given by the user: file sets on tmpfs would measure RAM, not storage. */
export function checkScratchRoot(dir: string): void {
  const fsInfo = filesystemOf(dir);
  if (fsInfo.type === 'tmpfs') {
    throw new UsageError(`Expected the native scratch directory to be disk-backed, got ${dir} on tmpfs`, {
      fix: 'set GUESTBENCH_SCRATCH to a directory on a disk, e.g. /var/tmp',
    });
  }
}

/** How each backend's guests store their files (for the backends of the campaign), for campaign.json. */
export function storageNote(backends: readonly BackendName[], scratch: ScratchSpec, hostRoot: string): StorageNote {
  const note: StorageNote = {};
  for (const name of backends) {
    const storage = backendProvider(name).scratch;
    note[name] = storage
      ? storage.describe(scratch, hostRoot)
      : 'no private scratch storage (this backend cannot run the experiment)';
  }
  return note;
}
