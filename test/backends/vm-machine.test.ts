/**
 * The two machine types' command lines (pure), and reading the host's TSC rate from real kernel log
 * and /proc/cpuinfo lines of this host.
 */
import { describe, expect, it } from 'vitest';
import { qemuArgs, type QemuLaunch } from '../../lib/backends/kvm-args.js';
import { MICROVM, PC, hostTsc } from '../../lib/backends/vm-machine.js';

const launch: QemuLaunch = {
  name: 'vm1',
  machine: PC,
  accel: 'tcg',
  vcpus: 1,
  memoryMiB: 512,
  kernel: '/img/vmlinuz',
  initrd: '/img/initrd.img',
  rootDisk: { file: '/img/disk.raw', format: 'raw', snapshot: true },
  append: 'root=/dev/vda',
  qmpSocket: '/run/q.sock',
  qgaSocket: '/run/g.sock',
  consoleLog: '/run/console.log',
  nic: { tap: 'tap0', mac: '52:54:00:12:34:56' },
};

const after = (args: string[], flag: string) => args.flatMap((arg, index) => (arg === flag ? [args[index + 1]] : []));

describe('the QEMU command line per machine type', () => {
  it('gives a PC its PCI virtio devices', () => {
    const args = qemuArgs(launch);
    expect(after(args, '-machine')).toEqual(['pc']);
    expect(after(args, '-device')).toEqual([
      'virtio-blk-pci,drive=root',
      'virtio-net-pci,netdev=net0,mac=52:54:00:12:34:56',
      'virtio-serial-pci,id=vser0',
      'virtserialport,bus=vser0.0,chardev=qga0,name=org.qemu.guest_agent.0',
    ]);
  });

  it('gives a microvm virtio-mmio devices, the serial port and the RTC, and the same disk and sockets', () => {
    const args = qemuArgs({ ...launch, machine: MICROVM });
    expect(after(args, '-machine')).toEqual(['microvm,x-option-roms=off,isa-serial=on,rtc=on']);
    expect(after(args, '-device')).toEqual([
      'virtio-blk-device,drive=root',
      'virtio-net-device,netdev=net0,mac=52:54:00:12:34:56',
      'virtio-serial-device,id=vser0',
      'virtserialport,bus=vser0.0,chardev=qga0,name=org.qemu.guest_agent.0',
    ]);
    expect(after(args, '-drive')).toEqual(after(qemuArgs(launch), '-drive'));
    expect(after(args, '-qmp')).toEqual(after(qemuArgs(launch), '-qmp'));
  });

  it("tells a microvm's kernel the host TSC under TCG only, and a PC's nothing", () => {
    const tsc = { khz: 2596142, source: 'test' };
    expect(MICROVM.kernelArgs('tcg', tsc)).toEqual(['tsc_early_khz=2596142', 'tsc=reliable']);
    expect(MICROVM.kernelArgs('kvm', tsc)).toEqual([]);
    expect(PC.kernelArgs('tcg', tsc)).toEqual([]);
  });
});

describe("the host's TSC rate", () => {
  // this host's lines (kernel 6.18, AMD EPYC under a paravirtual hypervisor)
  const cpuinfo = 'processor\t: 0\ncpu MHz\t\t: 2596.142\nflags\t\t: fpu tsc constant_tsc nonstop_tsc tsc_known_freq\n';
  it("prefers the kernel's refined calibration, then its detected rate, then cpuinfo on a constant TSC", () => {
    const log =
      '[    0.000000] tsc: Detected 2596.100 MHz processor\n[    1.200000] tsc: Refined TSC clocksource calibration: 2596.142 MHz\n';
    expect(hostTsc(log, cpuinfo)).toEqual({
      khz: 2596142,
      source: 'kernel log: tsc: Refined TSC clocksource calibration',
    });
    expect(hostTsc('[    0.000000] tsc: Detected 2596.100 MHz processor\n', '')?.khz).toBe(2596100);
    expect(hostTsc('', cpuinfo)).toEqual({ khz: 2596142, source: '/proc/cpuinfo cpu MHz (constant_tsc)' });
    expect(hostTsc('', cpuinfo.replace(' constant_tsc', ''))).toBeUndefined();
  });
});
