/**
 * Which filesystem a directory is on and how much room it has: scratch storage and file sets are
 * planned against it before any guest starts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

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
 * The filesystem type and free space of the nearest existing ancestor of `dir` (synchronous:
 * parameters are computed synchronously).
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

/** The bytes of the files under `dir` (recursively; links not followed); 0 when it does not exist. */
export async function directoryBytes(dir: string): Promise<number> {
  let entries: fs.Dirent[];
  try {
    entries = await fs.promises.readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  let total = 0;
  for (const entry of entries) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) total += await directoryBytes(file);
    else if (entry.isFile()) total += (await fs.promises.stat(file)).size;
  }
  return total;
}

/** Whether `file` exists (anything stat can see: a file, a directory, a socket). */
export async function pathExists(file: string): Promise<boolean> {
  try {
    await fs.promises.stat(file);
    return true;
  } catch {
    return false;
  }
}
