/**
 * The backend table: every backend guestbench knows and everything about it that is data. Its kind,
 * labels, colour and place in every legend come from here and nowhere else: CLI choices, doctor's
 * list, summaries' sort order, figure colours and series names all derive from this table. How a
 * backend starts guests and what else it can do (its capabilities) lives in lib/backends/.
 *
 * ```ts
 * backendDescriptor('docker').kind;     // 'container'
 * seriesLabel('kvm', 'tcg');            // 'VMs (tcg)'
 * [...rows].sort(byBackend);            // native, docker, kvm: the legend order
 * ```
 */

/** Every backend, in legend order: the bare host, then containers, then VMs (increasing isolation). */
export const BACKEND_NAMES = ['native', 'docker', 'podman', 'lxc', 'kvm', 'microvm'] as const;

/** A backend's name, as rows, campaign.json and `--backends` spell it. */
export type BackendName = (typeof BACKEND_NAMES)[number];

/**
 * What kind of guest a backend runs: the bare host itself (processes side by side), a container
 * (processes isolated by the host kernel) or a virtual machine (its own kernel on virtual hardware).
 */
export type BackendKind = 'host' | 'container' | 'vm';

/**
 * What a backend can do beyond start, exec and stop (lib/backends/capabilities.ts has the
 * interfaces), as rows' reasons and campaign.json name each.
 */
export const CAPABILITY_NAMES = {
  scratch: 'private scratch storage',
  startTiming: 'a timed start and shutdown',
  saveRestore: 'save/restore of a running guest',
  liveMigration: 'live migration between two hosts',
  memoryFootprint: 'an account of the host memory a guest holds',
} as const;

export type CapabilityKey = keyof typeof CAPABILITY_NAMES;

/** The data of one backend. */
export interface BackendDescriptor {
  name: BackendName;
  kind: BackendKind;
  /** a series of this backend measured here, in figures and tables: 'containers', 'VMs' */
  label: string;
  /** the same in a sentence, for doctor and docs: 'Docker containers' */
  title: string;
  /** the thesis's series of this backend, where the thesis measured it (its VMs ran under KVM) */
  thesisLabel: string;
  /**
   * the thesis's backend whose published numbers this one's stand beside (the thesis measured Docker containers and
   * KVM VMs; another container engine stands beside its Docker containers, the engine named); null: none
   */
  thesisBackend: BackendName | null;
  /** the backend's colour, the same in every figure */
  color: string;
  /** how to make it available on a Debian/Ubuntu host (doctor's fix when it is missing) */
  setup: string;
  /** the capabilities its implementation has (whether this host can use them is asked at run time) */
  capabilities: readonly CapabilityKey[];
  /** why it lacks the others, where that is the backend's nature rather than this host's */
  lacks?: Partial<Record<CapabilityKey, string>>;
}

const TABLE: { readonly [Name in BackendName]: BackendDescriptor & { name: Name } } = {
  native: {
    name: 'native',
    kind: 'host',
    label: 'native',
    title: 'the bare host',
    thesisLabel: 'native',
    thesisBackend: 'native',
    color: '#444444',
    setup: 'apt-get install sysbench (or run `bash scripts/setup.sh`)',
    capabilities: ['scratch'],
    lacks: {
      startTiming: 'the bare host does not boot',
      saveRestore: 'the bare host is not a guest that can be saved',
      liveMigration: 'the bare host does not migrate',
      memoryFootprint: 'the bare host runs no guest to hold memory: it is the baseline',
    },
  },
  docker: {
    name: 'docker',
    kind: 'container',
    label: 'Docker containers',
    title: 'Docker containers',
    thesisLabel: 'containers',
    thesisBackend: 'docker',
    color: '#1f77b4',
    setup: 'install docker.io and start dockerd (`bash scripts/setup.sh` does both), then `guestbench images build`',
    capabilities: ['scratch', 'startTiming', 'saveRestore', 'memoryFootprint'],
    lacks: {
      liveMigration:
        'a migration needs a second Docker engine as the target host, and guestbench runs one; podman, with storage per host, migrates containers',
    },
  },
  podman: {
    name: 'podman',
    kind: 'container',
    label: 'podman containers',
    title: 'podman containers',
    thesisLabel: 'podman containers',
    thesisBackend: 'docker',
    color: '#9467bd',
    setup:
      'apt-get install podman crun runc conmon containernetworking-plugins (or run `bash scripts/setup.sh`), then `guestbench images build`',
    capabilities: ['scratch', 'startTiming', 'saveRestore', 'liveMigration', 'memoryFootprint'],
  },
  lxc: {
    name: 'lxc',
    kind: 'container',
    label: 'LXC containers',
    title: 'LXC system containers',
    thesisLabel: 'LXC containers',
    thesisBackend: 'docker',
    color: '#2ca02c',
    setup: 'apt-get install lxc (or run `bash scripts/setup.sh`), then `guestbench images build`',
    capabilities: ['scratch', 'startTiming', 'saveRestore', 'memoryFootprint'],
    lacks: {
      liveMigration:
        'guestbench does not move an LXC container between two hosts yet; lxc-checkpoint could, given the container a network on the host pair: docs/systems.md',
    },
  },
  kvm: {
    name: 'kvm',
    kind: 'vm',
    label: 'VMs',
    title: 'QEMU/KVM virtual machines',
    thesisLabel: 'VMs (KVM)',
    thesisBackend: 'kvm',
    color: '#d62728',
    setup:
      'apt-get install qemu-system-x86 qemu-utils (or run `bash scripts/setup.sh`), then `guestbench images build`',
    capabilities: ['scratch', 'startTiming', 'saveRestore', 'liveMigration', 'memoryFootprint'],
  },
  microvm: {
    name: 'microvm',
    kind: 'vm',
    label: 'microVMs',
    title: 'QEMU microvm lightweight virtual machines',
    thesisLabel: 'microVMs',
    thesisBackend: 'kvm',
    color: '#ff7f0e',
    setup:
      'apt-get install qemu-system-x86 qemu-utils (or run `bash scripts/setup.sh`), then `guestbench images build` (the image loads virtio_mmio)',
    capabilities: ['scratch', 'startTiming', 'saveRestore', 'liveMigration', 'memoryFootprint'],
  },
};

/** The descriptor of `name`. */
export function backendDescriptor(name: BackendName): BackendDescriptor {
  return TABLE[name];
}

/** Every descriptor, in legend order. */
export const BACKEND_DESCRIPTORS: readonly BackendDescriptor[] = BACKEND_NAMES.map((name) => TABLE[name]);

/** True when `value` names a backend. */
export function isBackendName(value: string): value is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(value);
}

/** A backend's place in every legend and sorted table (the table's order). */
export function backendRank(name: BackendName): number {
  return BACKEND_NAMES.indexOf(name);
}

/** Sort comparator in legend order: `rows.sort(byBackend)` for anything with a `backend`. */
export function byBackend(a: { backend: BackendName }, b: { backend: BackendName }): number {
  return backendRank(a.backend) - backendRank(b.backend);
}

/**
 * A series measured here: the accelerator is part of a VM's label ("VMs (tcg)"), since TCG and KVM
 * differ by an order of magnitude; containers and the bare host have none.
 */
export function seriesLabel(backend: BackendName, accel: string): string {
  const descriptor = TABLE[backend];
  return descriptor.kind === 'vm' ? `${descriptor.label} (${accel})` : descriptor.label;
}

/** The accelerator a row carries when its backend could not start: a VM's is not known, others have none. */
export function unknownAccel(backend: BackendName): 'unknown' | 'none' {
  return TABLE[backend].kind === 'vm' ? 'unknown' : 'none';
}

/** True when the backend's implementation has the capability. */
export function hasCapability(backend: BackendName, capability: CapabilityKey): boolean {
  return TABLE[backend].capabilities.includes(capability);
}

/**
 * Why a backend cannot be used where `capability` is needed, in one line: "native lacks a timed
 * start and shutdown (the bare host does not boot)". Undefined when it has the capability.
 */
export function lacksCapability(backend: BackendName, capability: CapabilityKey): string | undefined {
  if (hasCapability(backend, capability)) return undefined;
  const why = TABLE[backend].lacks?.[capability];
  return `${backend} lacks ${CAPABILITY_NAMES[capability]}${why ? ` (${why})` : ''}`;
}
