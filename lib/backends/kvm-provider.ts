/**
 * The kvm backend's provider: usable when QEMU boots the guest image, with KVM acceleration when a
 * real probe boot under `-accel kvm` works here, else under TCG (the reason recorded as a note).
 */
import { execa } from 'execa';
import { backendDescriptor } from '../model/backends.js';
import type { MissingCapability } from '../results/campaign-meta.js';
import { GuestbenchError, firstLine } from '../util/errors.js';
import { probeAccelCached } from './accel-probe.js';
import { sweepStaleSnapshotRoots } from './kvm-snapshot.js';
import { KvmBackend, VM_DISK_SCRATCH, sweepStaleRunRoots } from './kvm.js';
import type { BackendCheck, BackendProvider, CheckOptions } from './provider.js';

/**
 * Can QEMU boot the guest, and with which accelerator? Boots a real probe guest under -accel kvm
 * (cached per host kernel, QEMU and image); falls back to TCG and says why.
 */
export async function checkKvm({ images, forceProbe }: CheckOptions): Promise<BackendCheck> {
  const qemu = await execa('qemu-system-x86_64', ['--version'], { reject: false });
  if (qemu.exitCode !== 0) {
    return {
      backend: 'kvm',
      usable: false,
      reason: 'qemu-system-x86_64 is not installed',
      fix: backendDescriptor('kvm').setup,
      notes: [],
    };
  }
  if (!images) {
    return {
      backend: 'kvm',
      usable: false,
      reason: 'the guest images (kernel, initrd, disk) are not built',
      fix: 'run `guestbench images build`',
      notes: [],
    };
  }
  try {
    const probe = await probeAccelCached(images, { force: forceProbe });
    if (probe.state === 'errored') {
      return {
        backend: 'kvm',
        usable: false,
        reason: `QEMU boots the guest neither with KVM nor with TCG: ${probe.reason}`,
        fix: 'run `guestbench images build --force`, then `guestbench doctor`; the VM console log named above says where the boot stopped',
        notes: [],
      };
    }
    const notes: MissingCapability[] = probe.kvm.usable
      ? []
      : [
          {
            capability: 'kvm-acceleration',
            reason: probe.kvm.reason,
            fix: 'run on a host with VT-x/AMD-V exposed to Linux (bare metal or nested virtualisation enabled); VMs run under TCG software emulation meanwhile',
          },
        ];
    const detail = probe.kvm.usable
      ? 'KVM acceleration boots the probe guest'
      : 'TCG fallback: -accel kvm did not boot the probe guest (why: see note)';
    return { backend: 'kvm', usable: true, accel: probe.accel, detail, notes };
  } catch (error) {
    const fix = error instanceof GuestbenchError && error.fix ? error.fix : 'see `guestbench doctor`';
    return { backend: 'kvm', usable: false, reason: firstLine(error), fix, notes: [] };
  }
}

export const kvmProvider: BackendProvider<'kvm'> = {
  name: 'kvm',
  usesImages: true,
  scratch: VM_DISK_SCRATCH,
  check: checkKvm,
  create({ accel, images }) {
    if (!images) throw new Error('unreachable: the kvm check needs the images');
    return new KvmBackend({ images, accel: accel === 'kvm' ? 'kvm' : 'tcg' });
  },
  // QEMU dies with its runner (pdeathsig); its run directories and disk overlays in $TMPDIR do not
  async cleanup() {
    sweepStaleRunRoots();
    sweepStaleSnapshotRoots();
    return ['removed the VM run directories and disk overlays of campaigns that no longer run'];
  },
};
