/**
 * Systems the seed papers compare that guestbench does not run, each with why: a reader of doctor,
 * notebook 06 or `--backends xen` sees the full set the seeds name and what keeps each one out,
 * instead of a silent gap. A system moves from here to the backend table (backends.ts) once it runs.
 *
 * ```ts
 * unrunnableSystem('xen')?.why;   // 'Xen is a type-1 hypervisor: ...'
 * ```
 */

/** One system the seeds compare that guestbench does not run. */
export interface UnrunnableSystem {
  /** the name a user would type: `--backends xen` */
  name: string;
  /** what it is, in a sentence */
  title: string;
  /** where it would sit beside the backends: a VM, or a unikernel (one application linked with a library OS) */
  kind: 'vm' | 'unikernel';
  /** the seed papers that measure it (../shared/seeds) */
  seeds: string;
  /** why guestbench does not run it, in one line a user can act on */
  why: string;
}

export const UNRUNNABLE_SYSTEMS: readonly UnrunnableSystem[] = [
  {
    name: 'xen',
    title: 'Xen virtual machines',
    kind: 'vm',
    seeds: 'KVM, Xen and LXC compared (003); Docker, Xen, KVM and OSv (000)',
    why:
      'Xen is a type-1 hypervisor: the machine must boot the Xen hypervisor with Linux as its dom0, ' +
      'and a benchmark cannot reboot its host (Debian packages it: xen-system-amd64; measure on a host booted into it)',
  },
  {
    name: 'osv',
    title: 'OSv unikernels',
    kind: 'unikernel',
    seeds: 'Docker, Xen, KVM and OSv (000); VMs, containers and unikernels for serverless start-up (004)',
    why:
      'OSv is not packaged by Debian and its build fetches its own toolchain and sources from GitHub, ' +
      'which a host with only the Debian archive and npm cannot reach',
  },
];

/** The unrunnable system called `name` (case-insensitive), if the seeds name one. */
export function unrunnableSystem(name: string): UnrunnableSystem | undefined {
  return UNRUNNABLE_SYSTEMS.find((system) => system.name === name.toLowerCase());
}
