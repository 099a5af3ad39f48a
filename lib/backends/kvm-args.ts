/**
 * The qemu-system-x86_64 command line of one guestbench VM, as a pure function (unit-testable, and
 * recorded verbatim in errors).
 */
import { GUEST_AGENT_PORT, GUEST_INIT_PATH } from '../images/recipe.js';
import type { DiskCacheMode } from '../results/parameters.js';
import type { VmMachine } from './vm-machine.js';

/** Everything the command line depends on. */
export interface QemuLaunch {
  /** VM name (`-name`), also how `pgrep -f` finds the process */
  name: string;
  /** the machine type: its `-machine` value and its virtio devices */
  machine: VmMachine;
  accel: 'kvm' | 'tcg';
  /** `-cpu` model; undefined leaves QEMU's default (qemu64) */
  cpu?: string;
  vcpus: number;
  memoryMiB: number;
  kernel: string;
  initrd: string;
  /** the root disk (the guest's /dev/vda); `snapshot`: writes go to a throwaway overlay in $TMPDIR */
  rootDisk: { file: string; format: 'raw' | 'qcow2'; snapshot: boolean };
  /** kernel command line */
  append: string;
  qmpSocket: string;
  qgaSocket: string;
  /** file the serial console is written to */
  consoleLog: string;
  /** a second virtio disk private to this VM (the guest sees /dev/vdb) */
  scratch?: { file: string; format: 'raw'; cache: DiskCacheMode };
  /** a virtio NIC on an existing tap device (created by the caller, e.g. in a network namespace) */
  nic?: VmNic;
}

/** A VM's network card: the host's tap device it is plugged into and its MAC address. */
export interface VmNic {
  /** tap interface name, at most 15 characters; QEMU opens it, the caller creates and removes it */
  tap: string;
  /** e.g. 52:54:00:12:34:56 (a migrated VM keeps its MAC: source and target give the same one) */
  mac: string;
}

/**
 * The kernel command line: root on the virtio disk, our init as PID 1, console on the first serial
 * port, and reboot-on-panic (with -no-reboot QEMU then exits instead of hanging).
 */
export function kernelCommandLine(extra: readonly string[] = []): string {
  return ['root=/dev/vda', 'rw', `init=${GUEST_INIT_PATH}`, 'console=ttyS0', 'panic=-1', ...extra].join(' ');
}

// QEMU option values separate sub-options with commas; a literal comma is written twice
function escapeValue(value: string): string {
  return value.replaceAll(',', ',,');
}

/** A virtio disk: a drive without a device (`if=none`) and the machine's virtio-blk device on it. */
function diskArgs(machine: VmMachine, id: string, drive: string): string[] {
  return ['-drive', `id=${id},${drive},if=none`, '-device', `${machine.device('blk')},drive=${id}`];
}

/** The argv after the binary name. */
export function qemuArgs(launch: QemuLaunch): string[] {
  const { machine, rootDisk } = launch;
  return [
    '-name',
    escapeValue(launch.name),
    '-nodefaults',
    '-no-user-config',
    '-machine',
    machine.machineArg,
    '-accel',
    launch.accel,
    ...(launch.cpu ? ['-cpu', launch.cpu] : []),
    '-smp',
    String(launch.vcpus),
    '-m',
    String(launch.memoryMiB),
    '-display',
    'none',
    '-kernel',
    launch.kernel,
    '-initrd',
    launch.initrd,
    '-append',
    launch.append,
    ...diskArgs(
      machine,
      'root',
      `file=${escapeValue(rootDisk.file)},format=${rootDisk.format}${rootDisk.snapshot ? ',snapshot=on' : ''}`,
    ),
    ...(launch.scratch
      ? diskArgs(
          machine,
          'scratch',
          `file=${escapeValue(launch.scratch.file)},format=${launch.scratch.format},cache=${launch.scratch.cache}`,
        )
      : []),
    ...(launch.nic
      ? [
          '-netdev',
          `tap,id=net0,ifname=${escapeValue(launch.nic.tap)},script=no,downscript=no`,
          '-device',
          `${machine.device('net')},netdev=net0,mac=${launch.nic.mac}`,
        ]
      : []),
    '-qmp',
    `unix:${escapeValue(launch.qmpSocket)},server=on,wait=off`,
    '-chardev',
    `socket,id=qga0,path=${escapeValue(launch.qgaSocket)},server=on,wait=off`,
    '-device',
    `${machine.device('serial')},id=vser0`,
    '-device',
    `virtserialport,bus=vser0.0,chardev=qga0,name=${GUEST_AGENT_PORT}`,
    '-chardev',
    `file,id=console0,path=${escapeValue(launch.consoleLog)}`,
    '-serial',
    'chardev:console0',
    '-no-reboot',
  ];
}
