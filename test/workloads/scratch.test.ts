import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execaSync } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { checkScratchRoot, filesystemOf, scratchDir, sweepStaleScratch } from '../../lib/workloads/scratch.js';
import type { Guest } from '../../lib/backends/guest.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'guestbench-scratch-test-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const guest = (backend: Guest['backend']) =>
  ({ backend, spec: { name: 'ab12-cd34-native-n2-g1', vcpus: 1, memoryMiB: 1024 } }) as Guest;

describe('guest scratch storage', () => {
  it('is the VM mount point, the container volume, or a host directory named after the runner and the guest', () => {
    expect(scratchDir(guest('kvm'), root)).toBe('/scratch');
    expect(scratchDir(guest('docker'), root)).toBe('/scratch');
    expect(scratchDir(guest('native'), root)).toBe(
      path.join(root, `guestbench-scratch-${process.pid}-ab12-cd34-native-n2-g1`),
    );
  });

  it('sweeps native directories of dead runners only', () => {
    // a pid that existed and is gone
    const dead = execaSync('sh', ['-c', 'echo $$']).stdout.trim();
    for (const name of [
      `guestbench-scratch-${dead}-x-native-n1-g1`,
      `guestbench-scratch-${process.pid}-y-native-n1-g1`,
      'unrelated',
    ])
      fs.mkdirSync(path.join(root, name));
    expect(sweepStaleScratch(root)).toEqual([`guestbench-scratch-${dead}-x-native-n1-g1`]);
    expect(fs.readdirSync(root).sort()).toEqual([`guestbench-scratch-${process.pid}-y-native-n1-g1`, 'unrelated']);
  });

  it('knows the filesystem it writes to and refuses tmpfs for native file sets', () => {
    expect(filesystemOf(path.join(root, 'not', 'yet')).dir).toBe(root);
    if (filesystemOf('/dev/shm').type === 'tmpfs') expect(() => checkScratchRoot('/dev/shm')).toThrow(/disk-backed/);
  });
});
