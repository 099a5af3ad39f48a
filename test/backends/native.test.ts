/**
 * The bare host as a backend, for real: its guests are host processes, and its scratch storage a
 * host directory per guest (named after the runner and the guest, removed by cleanup; left-overs of
 * dead runners swept).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execaSync } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { NativeBackend, nativeScratchDir, sweepStaleScratch } from '../../lib/backends/native.js';
import { checkScratchRoot } from '../../lib/experiments/scratch-plan.js';
import { filesystemOf } from '../../lib/util/filesystems.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'guestbench-scratch-test-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('the bare host backend', () => {
  it('runs commands as host processes and stops them', async () => {
    const guest = await new NativeBackend().start({ name: 'n1', vcpus: 1, memoryMiB: 1024 });
    const run = await guest.exec(['sh', '-c', 'echo $PPID; exit 3']);
    expect(run.exitCode).toBe(3);
    expect(Number(run.stdout.trim())).toBe(process.pid);
    await guest.stop();
    expect(await guest.status()).toBe('stopped');
  });

  it('gives a guest started with scratch a host directory of its own, removed by cleanup', async () => {
    const guest = await new NativeBackend().start({
      name: 'ab12-cd34-native-n2-g1',
      vcpus: 1,
      memoryMiB: 1024,
      scratch: { sizeMiB: 64, cache: 'none', hostRoot: root },
    });
    const scratch = guest.scratch;
    expect(scratch).toBeDefined();
    const dir = await scratch?.prepare();
    expect(dir).toBe(path.join(root, `guestbench-scratch-${process.pid}-ab12-cd34-native-n2-g1`));
    expect(nativeScratchDir(root, 'ab12-cd34-native-n2-g1')).toBe(dir);
    fs.writeFileSync(path.join(dir as string, 'file'), 'x');
    await scratch?.cleanup();
    expect(fs.existsSync(dir as string)).toBe(false);
    expect((await new NativeBackend().start({ name: 'n2', vcpus: 1, memoryMiB: 1024 })).scratch).toBeUndefined();
  });

  it('sweeps scratch directories of dead runners only', () => {
    // a pid that existed and is gone
    const dead = execaSync('sh', ['-c', 'echo $$']).stdout.trim();
    const sweep = fs.mkdtempSync(path.join(root, 'sweep-'));
    for (const name of [
      `guestbench-scratch-${dead}-x-native-n1-g1`,
      `guestbench-scratch-${process.pid}-y-native-n1-g1`,
      'unrelated',
    ]) {
      fs.mkdirSync(path.join(sweep, name));
    }
    expect(sweepStaleScratch(sweep)).toEqual([`guestbench-scratch-${dead}-x-native-n1-g1`]);
    expect(fs.readdirSync(sweep).sort()).toEqual([`guestbench-scratch-${process.pid}-y-native-n1-g1`, 'unrelated']);
  });

  it('knows the filesystem it writes to and refuses tmpfs for native file sets', () => {
    expect(filesystemOf(path.join(root, 'not', 'yet')).dir).toBe(root);
    if (filesystemOf('/dev/shm').type === 'tmpfs') expect(() => checkScratchRoot('/dev/shm')).toThrow(/disk-backed/);
  });
});
