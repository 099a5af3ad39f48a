/**
 * Experiment parameters per profile: "thesis" reproduces the thesis's settings, "quick" scales them
 * down so a full three-backend campaign fits a 2-core machine whose VMs run under TCG in minutes.
 */
import { BACKEND_NAMES, backendDescriptor, type BackendKind, type BackendName } from '../model/backends.js';
import { UsageError } from '../util/errors.js';
import type { CpuParams } from '../workloads/sysbench-cpu.js';

export const PROFILES = ['quick', 'thesis'] as const;

/**
 * Guest counts per backend from counts per kind: every backend gets its kind's (the thesis ran up to
 * 8 VMs and 12 containers, whatever made them), so a new backend needs no entry in any profile.
 */
export function guestsPerKind(counts: Record<BackendKind, number[]>): Record<BackendName, number[]> {
  return Object.fromEntries(BACKEND_NAMES.map((name) => [name, counts[backendDescriptor(name).kind]])) as Record<
    BackendName,
    number[]
  >;
}
export type ProfileName = (typeof PROFILES)[number];

/** The parameters of a density-cpu campaign. */
export interface DensityCpuParams {
  /** sysbench cpu parameters */
  cpu: CpuParams;
  /** guest counts N per backend; native N means N copies of the workload on the bare host */
  guests: Partial<Record<BackendName, number[]>>;
  repeats: number;
  /** VM (and optionally container) size; thesis: 1 vCPU, 1024 MB */
  vcpus: number;
  memoryMiB: number;
  /** apply vcpus/memory as container cgroup limits (the thesis did not) */
  containerLimits: boolean;
}

/** density-cpu per profile (thesis section 4.5.1: 30000 primes, 1 thread, 10 repeats, 8 VMs / 12 containers). */
export const DENSITY_CPU_PROFILES: Record<ProfileName, DensityCpuParams & { guests: Record<BackendName, number[]> }> = {
  thesis: {
    // sysbench 0.4.12 stopped after 10000 requests by default; 1.0 needs --events and --time=0 for the same
    cpu: { maxPrime: 30000, events: 10000, threads: 1 },
    guests: guestsPerKind({ host: [1], container: [1, 2, 4, 8, 12], vm: [1, 2, 4, 8] }),
    repeats: 10,
    vcpus: 1,
    memoryMiB: 1024,
    containerLimits: false,
  },
  quick: {
    // about 1 s per run on a 2-core host natively, 7-8 s in a TCG guest
    cpu: { maxPrime: 10000, events: 2000, threads: 1 },
    guests: guestsPerKind({ host: [1], container: [1, 2, 4], vm: [1, 2] }),
    repeats: 3,
    vcpus: 1,
    memoryMiB: 1024,
    containerLimits: false,
  },
};

/** Validates a profile name given on the command line. */
export function parseProfile(value: string): ProfileName {
  if ((PROFILES as readonly string[]).includes(value)) return value as ProfileName;
  throw new UsageError(`Expected \`--profile\` to be one of ${PROFILES.join(', ')}, got \`${value}\``, {
    fix: "use `--profile quick` for a few minutes' run or `--profile thesis` for the thesis's parameters",
  });
}
