/**
 * The results directory, checked before a campaign starts: it must be (or be creatable as) a
 * directory on a filesystem that stores files, and writable there (a probe file is written,
 * fsync'd and removed). Each refusal is one line naming the path and the fix.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../util/errors.js';

// statfs f_type of the kernel's virtual filesystems: they hold no files of ours
const VIRTUAL_FILESYSTEMS: Record<number, string> = {
  0x9fa0: 'procfs',
  0x62656572: 'sysfs',
  0x27e0eb: 'cgroup',
  0x63677270: 'cgroup2',
  0x64626720: 'debugfs',
  0x73636673: 'securityfs',
  0x1cd1: 'devpts',
  0xcafe4a11: 'bpf',
};

const FIX = 'choose a directory on a disk, e.g. `--results ./results` (or set $GUESTBENCH_RESULTS)';

/** Checks (and creates) the results directory; returns its absolute path. */
export function checkResultsDir(dir: string, option = '--results'): string {
  const wanted = path.resolve(dir);
  let existing = wanted;
  while (!fs.existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  const refuse = (why: string): never => {
    throw new UsageError(`\`${option} ${dir}\`: ${why}`, { fix: FIX });
  };
  if (!fs.statSync(existing).isDirectory()) refuse(`${existing} is a file, not a directory`);
  const virtual = VIRTUAL_FILESYSTEMS[fs.statfsSync(existing).type];
  if (virtual) refuse(`${existing} is on ${virtual}, a kernel filesystem that stores no files`);
  try {
    fs.mkdirSync(wanted, { recursive: true });
    const probe = path.join(wanted, `.guestbench-probe-${process.pid}`);
    const fd = fs.openSync(probe, 'w');
    try {
      fs.writeSync(fd, 'probe\n');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
      fs.rmSync(probe, { force: true });
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'an error';
    refuse(`cannot write there (${code}: ${(error as Error).message.split('\n')[0]})`);
  }
  return wanted;
}
