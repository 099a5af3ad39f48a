/**
 * A real VM booted, snapshotted (paused, state saved to a file), restored twice from the snapshot
 * and shut down cleanly through its guest agent; then nothing left behind. Needs qemu-system-x86_64,
 * qemu-img and the guest images (built here if missing); skipped with the reason printed otherwise.
 */
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeAccelCached } from '../../lib/backends/accel-probe.js';
import { KvmBackend, type KvmGuest } from '../../lib/backends/kvm.js';
import {
  createSnapshotDir,
  loadVmState,
  removeSnapshot,
  restoreFrom,
  saveVmState,
  snapshotSource,
  type VmSnapshot,
} from '../../lib/backends/kvm-snapshot.js';
import { GUEST_READY_MARKER } from '../../lib/images/recipe.js';
import { buildImages, type ImageSet } from '../../lib/images/index.js';
import { qemusNamed } from '../helpers/leftovers.js';

const tools = await Promise.all(
  ['qemu-system-x86_64', 'qemu-img'].map((tool) => execa(tool, ['--version'], { reject: false })),
);
let skipReason = tools.some((tool) => tool.failed)
  ? 'qemu-system-x86_64 or qemu-img is not installed (fix: apt-get install qemu-system-x86 qemu-utils)'
  : undefined;
let images: ImageSet | undefined;
if (!skipReason) {
  try {
    images = await buildImages({ docker: false, log: (line) => console.log(`[images] ${line}`) });
  } catch (error) {
    skipReason = (error as Error).message.split('\n')[0];
  }
}
if (skipReason) console.warn(`SKIPPED VM snapshot/restore tests: ${skipReason}`);

const NAME = `restoretest-${process.pid}`;
const seconds = (from: bigint, to: bigint) => Number(to - from) / 1e9;

describe.skipIf(skipReason !== undefined)('VM snapshot and restore (real QEMU)', () => {
  let kvm: KvmBackend;
  let snapshot: VmSnapshot;
  let source: KvmGuest;
  let coldSeconds: number;
  const token = `token-${process.pid}`;

  beforeAll(async () => {
    const probe = await probeAccelCached(images!);
    kvm = new KvmBackend({ images: images!, accel: probe.state === 'ok' ? probe.accel : 'tcg' });
    snapshot = await createSnapshotDir(images!);
    source = await snapshotSource(kvm, snapshot).start({ name: `${NAME}-src`, vcpus: 1, memoryMiB: 1024 });
    await source.waitReady({ timeoutMs: 180_000 });
    coldSeconds = seconds(source.launchedNs, source.readyNs!);
  });

  afterAll(async () => {
    await source?.stop();
    if (snapshot) await removeSnapshot(snapshot);
  });

  it('boots from its own qcow2 overlay over the untouched image disk', async () => {
    expect(source.command.join(' ')).toContain(`file=${snapshot.overlay},format=qcow2,if=none`);
    expect(source.command.join(' ')).not.toContain('snapshot=on');
    expect(await source.consoleText()).toContain(GUEST_READY_MARKER);
    expect(
      (await source.exec(['sh', '-c', `echo ${token} >/run/token && echo disk >/root/on-disk && sync`])).exitCode,
    ).toBe(0);
  });

  it('pauses and saves the state to a file', async () => {
    const saved = await saveVmState(source, snapshot);
    console.log(
      `saved ${(saved.bytes / 2 ** 20).toFixed(1)} MiB in ${seconds(saved.startedNs, saved.savedNs).toFixed(3)} s; QEMU: ${JSON.stringify(saved.migration['total-time'])} ms`,
    );
    expect(saved.migration.status).toBe('completed');
    expect(saved.bytes).toBe(statSync(snapshot.stateFile).size);
    expect(saved.bytes).toBeGreaterThan(2 ** 20);
    expect((await source.qmp.execute<{ status: string }>('query-status')).status).toBe('postmigrate');
    await source.stop();
  });

  it('restores the saved guest (memory and disk) faster than it booted, twice from one snapshot, and shuts it down cleanly', async () => {
    for (const round of [1, 2]) {
      const requested = process.hrtime.bigint();
      const restored = await restoreFrom(kvm, snapshot).start({ name: `${NAME}-r${round}`, vcpus: 1, memoryMiB: 1024 });
      try {
        expect(restored.command).toEqual(expect.arrayContaining(['-incoming', 'defer']));
        expect(restored.command.join(' ')).toContain(`file=${snapshot.overlay},format=qcow2,snapshot=on,if=none`);
        const load = await loadVmState(restored, snapshot);
        await restored.waitReady({ timeoutMs: 60_000 });
        const restoreSeconds = seconds(requested, restored.readyNs!);
        console.log(
          `round ${round}: cold boot ${coldSeconds.toFixed(3)} s, restore ${restoreSeconds.toFixed(3)} s (load ${seconds(load.startedNs, load.loadedNs).toFixed(3)} s)`,
        );
        expect(restoreSeconds).toBeLessThan(coldSeconds);
        // the memory is the saved guest's (tmpfs token), and so is the disk
        expect((await restored.exec(['cat', '/run/token'])).stdout.trim()).toBe(token);
        expect((await restored.exec(['cat', '/root/on-disk'])).stdout.trim()).toBe('disk');
        // the restore's own writes go to a throwaway layer: the next round starts from the snapshot again
        expect((await restored.exec(['sh', '-c', `echo changed >/root/on-disk && sync`])).exitCode).toBe(0);
        const pid = restored.pid!;
        const down = await restored.shutdown({ timeoutMs: 60_000 });
        expect(down.poweredOffNs).toBeDefined();
        expect(down.requestedNs < down.poweredOffNs! && down.poweredOffNs! <= down.exitedNs).toBe(true);
        console.log(`round ${round}: clean shutdown ${seconds(down.requestedNs, down.exitedNs).toFixed(3)} s`);
        expect(() => process.kill(pid, 0)).toThrow();
        expect(existsSync(restored.vmDir)).toBe(false);
      } finally {
        await restored.stop();
      }
    }
  });

  it('reports a missing or corrupt state file instead of waiting', async () => {
    const missing: VmSnapshot = { ...snapshot, stateFile: `${snapshot.dir}/missing.bin` };
    const corrupt: VmSnapshot = { ...snapshot, stateFile: `${snapshot.dir}/corrupt.bin` };
    writeFileSync(corrupt.stateFile, Buffer.alloc(4096, 7));
    for (const [broken, message] of [
      [missing, /No saved VM state/],
      [corrupt, /Loading the VM state failed/],
    ] as const) {
      const restored = await restoreFrom(kvm, broken).start({ name: `${NAME}-broken`, vcpus: 1, memoryMiB: 1024 });
      try {
        const started = Date.now();
        await expect(loadVmState(restored, broken, { timeoutMs: 30_000 })).rejects.toThrow(message);
        expect(Date.now() - started).toBeLessThan(10_000);
      } finally {
        await restored.stop();
      }
    }
  });

  it('leaves no QEMU process and no snapshot directory behind', async () => {
    await removeSnapshot(snapshot);
    expect(existsSync(snapshot.dir)).toBe(false);
    expect(await qemusNamed(NAME)).toEqual([]);
    expect(readdirSync(os.tmpdir()).filter((name) => name === `guestbench-snapshots-${process.pid}`)).toEqual([]);
  });
});
