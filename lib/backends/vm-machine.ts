/**
 * The QEMU machine types guestbench boots the guest image on, as data: the standard PC (`kvm`: PCI
 * virtio devices, ACPI, the firmware QEMU ships) and the microvm (`microvm`: the Firecracker-class
 * lightweight VM, virtio-mmio devices described by ACPI, no PCI bus, no firmware beyond a minimal
 * loader). Everything else about a VM (the kernel, initramfs, disk, agent, QMP) is the same.
 *
 * ```ts
 * MICROVM.machineArg;                    // 'microvm,x-option-roms=off,isa-serial=on,rtc=on'
 * MICROVM.device('blk');                 // 'virtio-blk-device'
 * MICROVM.kernelArgs('tcg', { khz: 2596142, source: '...' }); // ['tsc_early_khz=2596142', 'tsc=reliable']
 * ```
 */
import type { BackendName } from '../model/backends.js';

/** The virtio devices a guestbench VM has. */
export type VirtioDevice = 'blk' | 'net' | 'serial';

/** One machine type. */
export interface VmMachine {
  /** the backend whose VMs use it */
  backend: Extract<BackendName, 'kvm' | 'microvm'>;
  /** `-machine` value */
  machineArg: string;
  /** the QEMU device of a virtio function on this machine's bus */
  device(kind: VirtioDevice): string;
  /** extra kernel arguments this machine needs under `accel`, given the host's TSC rate where known */
  kernelArgs(accel: 'kvm' | 'tcg', tsc: HostTsc | undefined): string[];
  /** what differs from a PC, in words (recorded with the campaign) */
  description: string;
}

/** The standard PC: virtio over PCI. */
export const PC: VmMachine = {
  backend: 'kvm',
  machineArg: 'pc',
  device: (kind) => ({ blk: 'virtio-blk-pci', net: 'virtio-net-pci', serial: 'virtio-serial-pci' })[kind],
  kernelArgs: () => [],
  description: 'QEMU pc machine: PCI virtio disk, NIC and agent port, ACPI, SeaBIOS',
};

/**
 * microvm: virtio-mmio devices (the initramfs loads virtio_mmio, which binds the ACPI-described
 * transports; with acpi=off QEMU would pass `virtio_mmio.device=` on the command line, which this
 * kernel ignores), the ISA serial port for the console and an RTC (`rtc=auto` turns it off under
 * KVM and the guest would start in 1970). Under TCG the kernel cannot calibrate its TSC (no HPET, no
 * PM timer, no kvmclock) and hangs in about 40% of boots, and later drops to jiffies: it is given the
 * host's TSC rate (guest `rdtsc` reads the host's TSC under TCG) and told to trust it.
 */
export const MICROVM: VmMachine = {
  backend: 'microvm',
  machineArg: 'microvm,x-option-roms=off,isa-serial=on,rtc=on',
  device: (kind) => ({ blk: 'virtio-blk-device', net: 'virtio-net-device', serial: 'virtio-serial-device' })[kind],
  kernelArgs: (accel, tsc) => (accel === 'tcg' && tsc ? [`tsc_early_khz=${tsc.khz}`, 'tsc=reliable'] : []),
  description:
    'QEMU microvm machine: virtio-mmio disk, NIC and agent port (ACPI-described, no PCI bus), ISA serial console, RTC, no option ROMs; under TCG the kernel is given the host TSC rate (tsc_early_khz, tsc=reliable)',
};

/** The host's TSC rate and where it was read. */
export interface HostTsc {
  khz: number;
  /** e.g. "kernel log: tsc: Refined TSC clocksource calibration" or "/proc/cpuinfo cpu MHz (constant_tsc)" */
  source: string;
}

/**
 * The host's TSC rate, from the kernel's own calibration in its log (the last "tsc: Refined TSC
 * clocksource calibration: 2596.142 MHz", else "tsc: Detected 2596.142 MHz processor"), else
 * /proc/cpuinfo's "cpu MHz" on a CPU whose TSC runs at a constant rate; undefined when unknown.
 */
export function hostTsc(kernelLog: string, cpuinfo: string): HostTsc | undefined {
  const refined = [...kernelLog.matchAll(/tsc: Refined TSC clocksource calibration: (\d+\.\d+) MHz/g)].at(-1)?.[1];
  if (refined)
    return { khz: Math.round(Number(refined) * 1000), source: 'kernel log: tsc: Refined TSC clocksource calibration' };
  const detected = [...kernelLog.matchAll(/tsc: Detected (\d+\.\d+) MHz processor/g)].at(-1)?.[1];
  if (detected)
    return { khz: Math.round(Number(detected) * 1000), source: 'kernel log: tsc: Detected ... MHz processor' };
  if (!/^flags\s*:.*\bconstant_tsc\b/m.test(cpuinfo)) return undefined;
  const mhz = /^cpu MHz\s*:\s*(\d+(?:\.\d+)?)/m.exec(cpuinfo)?.[1];
  return mhz ? { khz: Math.round(Number(mhz) * 1000), source: '/proc/cpuinfo cpu MHz (constant_tsc)' } : undefined;
}
