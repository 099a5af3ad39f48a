/**
 * The microvm backend against a real QEMU (`-M microvm`, TCG here): the same guest image boots with
 * virtio-mmio devices and no PCI bus, its agent runs commands, its kernel keeps the TSC as its clock
 * (the host's rate given on its command line), and nothing is left behind. Skipped with the reason
 * when QEMU, the images or the microvm check are missing.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KvmBackend, KvmGuest } from '../../lib/backends/kvm.js';
import { checkMicrovm, microvmProvider } from '../../lib/backends/microvm-provider.js';
import { imagesState, skipUnless } from '../helpers/capabilities.js';

const check = await checkMicrovm({ images: imagesState.images });
const skip = skipUnless(
  check.usable,
  'microvm backend tests',
  check.usable ? undefined : `${check.reason} (fix: ${check.fix})`,
);
const NAME = `microvmtest-${process.pid}`;

describe.skipIf(skip)('microvm backend (real QEMU -M microvm)', () => {
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'gb-microvm-test-'));
  let guest: KvmGuest;

  beforeAll(async () => {
    const created = microvmProvider.create({
      accel: check.usable ? check.accel : 'tcg',
      images: imagesState.images,
      campaign: NAME,
      containerLimits: false,
    }) as KvmBackend;
    const backend = created.derive({ runDir });
    expect(backend.name).toBe('microvm');
    guest = await backend.start({ name: NAME, vcpus: 1, memoryMiB: 512 });
    await guest.waitReady({ timeoutMs: 120_000 });
  }, 180_000);

  afterAll(async () => {
    await guest?.stop();
    rmSync(runDir, { recursive: true, force: true });
  });

  it('boots the image on virtio-mmio devices with no PCI bus, and runs commands through its agent', async () => {
    expect(guest.backend).toBe('microvm');
    const devices = await guest.exec(['sh', '-c', 'ls /sys/bus/pci/devices | wc -l; ls /sys/bus/virtio/drivers']);
    expect(devices.exitCode).toBe(0);
    const [pciCount, ...drivers] = devices.stdout.trim().split('\n');
    expect(pciCount).toBe('0');
    expect(drivers).toEqual(expect.arrayContaining(['virtio_blk', 'virtio_console']));
    const mmio = await guest.exec(['sh', '-c', 'ls /sys/bus/platform/drivers/virtio-mmio | grep -c LNRO0005']);
    expect(Number(mmio.stdout.trim())).toBeGreaterThanOrEqual(2);
    const sysbench = await guest.exec(['sysbench', '--version']);
    expect(sysbench.stdout).toMatch(/^sysbench \d/);
  });

  it('keeps the TSC as the guest clocksource under TCG (the host rate on its command line)', async () => {
    const cmdline = await guest.exec(['cat', '/proc/cmdline']);
    const clock = await guest.exec(['cat', '/sys/devices/system/clocksource/clocksource0/current_clocksource']);
    if (guest.accel === 'tcg') {
      expect(cmdline.stdout).toMatch(/tsc_early_khz=\d+ tsc=reliable/);
      expect(clock.stdout.trim()).toBe('tsc');
    }
  });

  it('stops: QEMU exits and its run directory goes', async () => {
    await guest.stop();
    expect(await guest.status()).toBe('stopped');
    const qemus = await execa('pgrep', ['-af', `-name ${NAME}`], { reject: false });
    expect(qemus.stdout).toBe('');
    expect(readdirSync(runDir)).toEqual([]);
  });
});
