/**
 * What goes into the guest image, as data. Everything here feeds the cache key: change a package,
 * the init script or the version number and the next `buildImages()` builds a new image beside the old.
 */
import { createHash } from 'node:crypto';

/** Bump when the build procedure changes in a way the fields below do not capture. */
export const RECIPE_VERSION = 1;

/**
 * Packages installed on top of Debian's minbase, in both the VM disk and the Docker image. Later
 * workloads add theirs here (e.g. mariadb-server for density-mysql).
 */
export const GUEST_PACKAGES: readonly string[] = [
  'sysbench',
  'qemu-guest-agent',
  'linux-image-cloud-amd64',
  // the cloud kernel has virtio_pci/virtio_blk as modules: the initramfs must carry them
  'initramfs-tools',
  // density-mysql: the server each guest runs (its postinst cannot start it: debootstrap installs
  // a policy-rc.d that denies service starts while it configures the --include packages)
  'mariadb-server',
  // migration: guest networking (`ip`) and the CPU+memory load (the thesis ran mprime)
  'iproute2',
  'stress-ng',
];

/** Modules the initramfs must contain to find the root disk (listed in /etc/initramfs-tools/modules). */
export const INITRAMFS_MODULES: readonly string[] = ['virtio_pci', 'virtio_blk', 'virtio_mmio'];

/** Where the VM's PID 1 lives inside the image. */
export const GUEST_INIT_PATH = '/usr/local/sbin/guestbench-init';

/** The line the init script prints on the serial console once the agent's port is found. */
export const GUEST_READY_MARKER = 'guestbench-init: ready';

/**
 * Kernel command-line parameter that gives the VM an address on its NIC (eth0), e.g. `guestbench.net=10.213.0.10/24`.
 */
export const GUEST_NET_PARAMETER = 'guestbench.net';

/** UDP port of the echo service a VM with an address runs (the migration observer probes it). */
export const GUEST_ECHO_PORT = 7;

/** Name of the virtio-serial port the guest agent listens on. */
export const GUEST_AGENT_PORT = 'org.qemu.guest_agent.0';

/**
 * PID 1 of the VM (POSIX sh, no systemd, no udev): mount the API filesystems the initramfs did not
 * hand over, load virtio_console, find the agent's virtio-serial port by name in sysfs, print the
 * ready marker (with the guest's uptime), and keep qemu-ga running on the port. SIGTERM to PID 1
 * powers the VM off cleanly; /sbin/shutdown is linked to this script so that the agent's
 * `guest-shutdown` sends it.
 */
export const GUEST_INIT_SCRIPT = `#!/bin/sh
# guestbench-init: PID 1 of a guestbench VM. No systemd, no udev: mount what the initramfs did not
# hand over, find the guest agent's virtio-serial port and keep qemu-ga running on it.
# Shell builtins where possible: every fork+exec costs milliseconds under TCG.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8
say() { echo "guestbench-init: $*" >/dev/console; }
if [ "$$" -ne 1 ]; then
  # run as /sbin/shutdown (a link to this script; qemu-ga's guest-shutdown executes it):
  # ask PID 1 to power the VM off cleanly, whatever the flags (-h -P, -H, -r)
  kill -TERM 1
  exit $?
fi
# SIGTERM to PID 1 = clean power-off: stop the agent, sync, remount / read-only, then ACPI power-off
# through the kernel (sysrq o); QEMU exits when the guest powers off
poweroff_now() {
  trap '' TERM
  say "shutdown requested"
  [ -n "$agent" ] && kill "$agent" 2>/dev/null
  sync
  mount -o remount,ro / 2>/dev/null || say "could not remount / read-only"
  say "powering off"
  echo o >/proc/sysrq-trigger
  while :; do sleep 1; done
}
agent=
trap poweroff_now TERM
mounted() {
  while read -r _ dir _; do [ "$dir" = "$1" ] && return 0; done </proc/mounts
  return 1
}
[ -e /proc/self ] || mount -t proc -o nosuid,nodev,noexec proc /proc
mounted /sys || mount -t sysfs -o nosuid,nodev,noexec sysfs /sys
mounted /dev || mount -t devtmpfs -o mode=0755,nosuid devtmpfs /dev
[ -d /dev/pts ] && [ -d /dev/shm ] || mkdir -p /dev/pts /dev/shm
mounted /dev/pts || mount -t devpts -o gid=5,mode=0620,ptmxmode=0666 devpts /dev/pts
mounted /dev/shm || mount -t tmpfs -o nosuid,nodev tmpfs /dev/shm
mounted /run || mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run
mounted /tmp || mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /tmp
echo guestbench >/proc/sys/kernel/hostname
ln -sf ${GUEST_INIT_PATH} /sbin/shutdown
modprobe virtio_console
# a NIC and an address on the kernel command line (migration): bring eth0 up and answer UDP echo
# requests (each datagram sent back as is) for the observer outside the VM
net=
read -r cmdline </proc/cmdline
for word in $cmdline; do
  case $word in ${GUEST_NET_PARAMETER}=*) net=\${word#*=} ;; esac
done
if [ -n "$net" ]; then
  modprobe virtio_net
  tries=0
  while [ ! -e /sys/class/net/eth0 ] && [ "$tries" -lt 100 ]; do tries=$((tries + 1)); sleep 0.05; done
  ip link set lo up
  if ip link set eth0 up && ip addr add "$net" dev eth0; then
    perl -MIO::Socket::INET -e '
      my $s = IO::Socket::INET->new(LocalPort => ${GUEST_ECHO_PORT}, Proto => "udp") or die "echo: $!";
      my $buf;
      while (1) { my $peer = $s->recv($buf, 1500); $s->send($buf, 0, $peer) if defined $peer; }' &
    say "net $net, udp echo on port ${GUEST_ECHO_PORT}"
  else
    say "could not configure eth0 with $net"
  fi
fi
port=
tries=0
while [ -z "$port" ] && [ "$tries" -lt 200 ]; do
  for p in /sys/class/virtio-ports/*; do
    name=
    [ -r "$p/name" ] && read -r name <"$p/name"
    [ "$name" = ${GUEST_AGENT_PORT} ] && [ -c "/dev/\${p##*/}" ] && port=/dev/\${p##*/}
  done
  [ -n "$port" ] || { tries=$((tries + 1)); sleep 0.05; }
done
if [ -z "$port" ]; then
  say "no virtio-serial port named ${GUEST_AGENT_PORT}"
  while :; do sleep 3600 & wait $!; done
fi
read -r uptime _ </proc/uptime
say "ready uptime=$uptime port=$port"
while :; do
  # in the background: a trapped signal interrupts \`wait\`, not a foreground command
  qemu-ga --method=virtio-serial --path="$port" --statedir=/run &
  agent=$!
  wait "$agent"
  say "qemu-ga exited with status $?, restarting"
  sleep 1
done
`;

// an initramfs script that does nothing, for the hooks we replace
const NO_UDEV_SCRIPT = `#!/bin/sh
# guestbench: no udev in the initramfs (it costs ~2 s of boot under TCG);
# devtmpfs creates /dev/vda once virtio_blk (from the modules list) is loaded
[ "$1" = prereqs ] && exit 0
exit 0
`;

/**
 * Scripts placed under /etc/initramfs-tools/scripts/, overriding the same-named scripts of
 * /usr/share/initramfs-tools/scripts/ (initramfs-tools' documented override rule).
 */
export const INITRAMFS_SCRIPT_OVERRIDES: Readonly<Record<string, string>> = {
  'init-top/udev': NO_UDEV_SCRIPT,
  'init-bottom/udev': NO_UDEV_SCRIPT,
};

/** Paths left out of the Docker image (a container uses the host's kernel). */
export const DOCKER_EXCLUDES: readonly string[] = ['/boot', '/usr/lib/modules'];

/** The full recipe; its hash is the cache key. */
export interface ImageRecipe {
  recipeVersion: number;
  /** Debian suite given to debootstrap */
  suite: string;
  /** debootstrap variant */
  variant: 'minbase';
  /** Debian mirror given to debootstrap */
  mirror: string;
  packages: readonly string[];
  initramfsModules: readonly string[];
  /** /etc/initramfs-tools/scripts/<path> -> content */
  initramfsScripts: Readonly<Record<string, string>>;
  initPath: string;
  initScript: string;
  /** free space the VM disk keeps for workloads (sysbench fileio, MariaDB), MiB */
  diskHeadroomMiB: number;
  /** paths not copied into the Docker image */
  dockerExcludes: readonly string[];
}

/** The recipe this version of guestbench builds. */
export const GUEST_RECIPE: ImageRecipe = {
  recipeVersion: RECIPE_VERSION,
  suite: 'bookworm',
  variant: 'minbase',
  mirror: 'http://deb.debian.org/debian',
  packages: GUEST_PACKAGES,
  initramfsModules: INITRAMFS_MODULES,
  initramfsScripts: INITRAMFS_SCRIPT_OVERRIDES,
  initPath: GUEST_INIT_PATH,
  initScript: GUEST_INIT_SCRIPT,
  diskHeadroomMiB: 4096,
  dockerExcludes: DOCKER_EXCLUDES,
};

/** Docker repository of the container image; the tag is the recipe key. */
export const DOCKER_REPOSITORY = 'guestbench/bookworm';

/** The cache key: sha256 of the recipe as canonical JSON, first 12 hex characters. */
export function recipeKey(recipe: ImageRecipe = GUEST_RECIPE): string {
  return createHash('sha256').update(canonicalJson(recipe)).digest('hex').slice(0, 12);
}

// JSON with sorted object keys, so the key does not depend on property order
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
