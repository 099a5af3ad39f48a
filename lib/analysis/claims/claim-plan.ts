/**
 * What would decide a claim that a campaign left undecided: the campaign to run here (experiment,
 * backends, guest counts, repeats) with its estimated time, or why this host cannot decide it at
 * all (its VMs run under TCG and the claim is not a VM's shape across N; too little memory for the
 * guests; a backend it cannot run). Times are estimated from recorded campaigns (campaign-timings.ts).
 */
import { BACKEND_DESCRIPTORS, backendDescriptor, type BackendName } from '../../model/backends.js';
import type { Accel, Sample } from '../../results/schema.js';
import { claimTerms, type ClaimRecord, type ClaimTerm } from '../../thesis/index.js';
import { MIN_INTERVAL_N } from '../statistics.js';

/** One cell a planned campaign runs, with its estimated seconds (null: no recorded timing to go by). */
export interface PlanCell {
  backend: BackendName;
  /** N; null for an experiment without guest counts (migration runs its profile's configurations) */
  guests: number | null;
  seconds: number | null;
}

/** What would decide a claim. */
export type ClaimPlan =
  | {
      /** a campaign on this host would decide it */
      state: 'campaign';
      experiment: string;
      backends: BackendName[];
      /** the guest counts the claim reads; null for migration (its profile's configurations) */
      guests: number[] | null;
      repeats: number;
      /** `thesis` where the quick profile cannot give the cells (a second loaded memory size) */
      profile: 'quick' | 'thesis';
      /** what it runs, with the estimated seconds of each cell (estimatePlans fills them) */
      cells: PlanCell[];
      /** the seconds a campaign spends besides its cells (estimatePlans fills it) */
      overheadSeconds: number | null;
    }
  | {
      /** this host cannot decide it, whatever it runs */
      state: 'host';
      why: string;
    };

/** What is known of the host a campaign ran on, for deciding what it could run. */
export interface PlanHost {
  /** the accelerator each backend ran under there (VMs: `kvm` or `tcg`) */
  accel: Partial<Record<BackendName, Accel>>;
  /** the host's memory, MiB (absent: unknown, not checked) */
  memoryMiB?: number;
  /** one VM guest's memory, MiB (the campaign's `memoryMiB`; default 1024, the thesis's) */
  guestMemoryMiB?: number;
}

// what a VM costs the host beyond its guest memory (QEMU itself, page tables): a conservative guess
const VM_OVERHEAD_MIB = 256;

/** The backend of ours that would run a thesis backend's cells: the one that ran, else the thesis's own. */
function planBackend(thesisBackend: BackendName, samples: readonly Sample[]): BackendName {
  const ran = BACKEND_DESCRIPTORS.filter((descriptor) => descriptor.thesisBackend === thesisBackend)
    .map((descriptor) => descriptor.name)
    .filter((backend) => samples.some((sample) => sample.backend === backend && sample.state === 'ok'));
  return ran.includes(thesisBackend) ? thesisBackend : (ran[0] ?? thesisBackend);
}

/** Whether the claim reads one backend, each metric at two guest counts or more (judged under TCG). */
export function isShapeClaim(claim: ClaimRecord): boolean {
  const terms = claimTerms(claim.quantity);
  const first = terms[0] as ClaimTerm;
  if (terms.some((term) => term.backend !== first.backend)) return false;
  return terms.every(
    (term) => new Set(terms.filter((other) => other.metric === term.metric).map((other) => other.guests)).size >= 2,
  );
}

/** Why the host that ran `samples` cannot decide `claim`, or null. */
function hostCannot(claim: ClaimRecord, backends: readonly BackendName[], guests: number[] | null, host: PlanHost) {
  const vms = backends.filter((backend) => backendDescriptor(backend).kind === 'vm');
  const emulated = vms.find((backend) => host.accel[backend] === 'tcg');
  if (emulated !== undefined && !isShapeClaim(claim)) {
    const other = backends.find((backend) => backendDescriptor(backend).kind !== 'vm');
    return other !== undefined
      ? `VMs run under TCG here (no hardware virtualisation): a TCG VM's level against ${other}'s is not the thesis's KVM comparison (needs a host with KVM)`
      : `VMs run under TCG here (no hardware virtualisation): ${emulated}'s quantity at one N is an emulation artefact (needs a host with KVM)`;
  }
  const most = guests === null ? 1 : Math.max(...guests);
  if (vms.length > 0 && host.memoryMiB !== undefined) {
    // the guests running at once plus the one a latency campaign starts
    const needed = (most + 1) * ((host.guestMemoryMiB ?? 1024) + VM_OVERHEAD_MIB);
    if (needed > host.memoryMiB)
      return `${most + 1} VMs of ${host.guestMemoryMiB ?? 1024} MiB need about ${Math.ceil(needed / 1024)} GiB; this host has ${Math.floor(host.memoryMiB / 1024)} GiB`;
  }
  return null;
}

/**
 * The plan for a claim its campaign could not answer (or answered without an interval): the
 * campaign that would decide it here, or why this host cannot. `reason` is the evaluation's why-not.
 */
export function claimPlan(claim: ClaimRecord, samples: readonly Sample[], host: PlanHost, reason: string): ClaimPlan {
  const terms = claimTerms(claim.quantity);
  const backends = [...new Set(terms.map((term) => planBackend(term.backend, samples)))];
  // what the rows say each backend ran under, where the campaign's metadata does not
  const accel = { ...host.accel };
  for (const sample of samples) if (sample.state === 'ok') accel[sample.backend] ??= sample.accel;
  host = { ...host, accel };
  const unsupported = /\bunsupported: (.*)$/.exec(reason);
  if (unsupported) return { state: 'host', why: reason };
  const migration = claim.experiment === 'migration';
  const guests = migration ? null : [...new Set(terms.map((term) => term.guests))].sort((a, b) => a - b);
  const cannot = hostCannot(claim, backends, guests, host);
  if (cannot !== null) return { state: 'host', why: cannot };
  return {
    state: 'campaign',
    experiment: claim.experiment,
    backends,
    guests,
    repeats: MIN_INTERVAL_N,
    profile: /memory size/.test(reason) ? 'thesis' : 'quick',
    cells: backends.flatMap((backend) =>
      (guests ?? [null]).map((count) => ({ backend, guests: count, seconds: null })),
    ),
    overheadSeconds: null,
  };
}
