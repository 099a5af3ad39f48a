/**
 * The microvm backend's provider: QEMU's `-M microvm` machine booting the same kernel, initramfs and
 * disk as the kvm backend (lib/backends/vm-machine.ts says what differs), with the accelerator the
 * host's KVM probe found. Usable when QEMU runs, the image's initramfs loads virtio_mmio, and, under
 * TCG, the host's TSC rate is known (the guest kernel needs it told: see MICROVM).
 */
import { execaSync } from 'execa';
import { readFileSync } from 'node:fs';
import { checkKvm } from './kvm-provider.js';
import { KvmBackend, VM_DISK_SCRATCH } from './kvm.js';
import type { BackendCheck, BackendProvider, CheckOptions } from './provider.js';
import { MICROVM, hostTsc, type HostTsc } from './vm-machine.js';

/** This host's TSC rate: the kernel's log where `dmesg` still holds its calibration, else /proc/cpuinfo. */
export function thisHostTsc(): HostTsc | undefined {
  const log = execaSync('dmesg', [], { reject: false, stdin: 'ignore' });
  let cpuinfo = '';
  try {
    cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    // no /proc: nothing to go on
  }
  return hostTsc(log.exitCode === 0 ? String(log.stdout) : '', cpuinfo);
}

/** The kvm check (QEMU, images, accelerator), then what a microvm needs besides. */
export async function checkMicrovm(options: CheckOptions): Promise<BackendCheck> {
  const kvm = await checkKvm(options);
  if (!kvm.usable) return { ...kvm, backend: 'microvm' };
  const modules = options.images?.manifest.recipe.initramfsModules ?? [];
  if (!modules.includes('virtio_mmio')) {
    return {
      backend: 'microvm',
      usable: false,
      reason: `the guest image's initramfs does not load virtio_mmio (modules: ${modules.join(', ')}), so a microvm cannot find its disk`,
      fix: 'run `guestbench images build` (the current recipe adds virtio_mmio)',
      notes: [],
    };
  }
  const tsc = thisHostTsc();
  if (kvm.accel === 'tcg' && !tsc) {
    return {
      backend: 'microvm',
      usable: false,
      reason:
        "under TCG a microvm guest kernel needs the host's TSC rate, and neither the kernel log nor /proc/cpuinfo (constant_tsc) gives it",
      fix: 'run on a host whose CPU has a constant-rate TSC, or with KVM acceleration',
      notes: [],
    };
  }
  const clock = kvm.accel === 'tcg' && tsc ? `; guest told the host TSC: ${tsc.khz} kHz (${tsc.source})` : '';
  return { ...kvm, backend: 'microvm', detail: `${kvm.detail}; machine microvm${clock}` };
}

export const microvmProvider: BackendProvider<'microvm'> = {
  name: 'microvm',
  usesImages: true,
  scratch: VM_DISK_SCRATCH,
  check: checkMicrovm,
  create({ accel, images }) {
    if (!images) throw new Error('unreachable: the microvm check needs the images');
    const tsc = thisHostTsc();
    return new KvmBackend({
      images,
      accel: accel === 'kvm' ? 'kvm' : 'tcg',
      machine: MICROVM,
      ...(tsc ? { hostTsc: tsc } : {}),
    });
  },
  // the kvm provider's cleanup sweeps every VM's run directories and overlays, microvm's too
  async cleanup() {
    return [];
  },
};
