/**
 * The results directory, checked before a campaign starts: it must be (or be creatable as) a
 * directory on a filesystem that stores files, and writable there (a few bytes written and fsync'd
 * in an unnamed file, which leaves nothing behind). Each refusal is one line naming the path and the fix.
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

// Linux's O_TMPFILE (__O_TMPFILE | O_DIRECTORY): a file with no name in the directory, so that the
// probe never shows up in a listing of the results (campaigns, tools and tests list it)
const O_TMPFILE = 0o20200000;

/**
 * Writes and fsyncs a few bytes in `dir` without giving them a name (O_TMPFILE); where the
 * filesystem has no unnamed files, asks the kernel whether the directory is writable instead.
 */
function probeWrite(dir: string): void {
  let fd: number;
  try {
    fd = fs.openSync(dir, O_TMPFILE | fs.constants.O_WRONLY, 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EOPNOTSUPP' || code === 'EISDIR' || code === 'EINVAL') {
      fs.accessSync(dir, fs.constants.W_OK);
      return;
    }
    throw error;
  }
  try {
    fs.writeSync(fd, 'guestbench results probe\n');
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Checks (and creates) the results directory; returns its absolute path. */
export function checkResultsDir(dir: string, option = '--results'): string {
  const wanted = path.resolve(dir);
  let existing = wanted;
  while (!fs.existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  const refuse = (why: string, fix = FIX): never => {
    throw new UsageError(`\`${option} ${dir}\`: ${why}`, { fix });
  };
  if (!fs.statSync(existing).isDirectory()) refuse(`${existing} is a file, not a directory`);
  const virtual = VIRTUAL_FILESYSTEMS[fs.statfsSync(existing).type];
  if (virtual) refuse(`${existing} is on ${virtual}, a kernel filesystem that stores no files`);
  try {
    fs.mkdirSync(wanted, { recursive: true });
    probeWrite(wanted);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOSPC')
      refuse('its disk is full (ENOSPC)', `free some space there, or ${FIX}`);
    refuse(`cannot write there (${(error as Error).message.split('\n')[0]})`);
  }
  return wanted;
}
