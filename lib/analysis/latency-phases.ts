/**
 * Where a guest's start-up (and shutdown) time goes: the phase metrics of the latency experiments,
 * their order and labels, and the mean of each phase per backend and N, ready for stacked bars.
 */
import { backendDescriptor, type BackendName } from '../model/backends.js';
import type { Accel, MetricName } from '../results/schema.js';
import type { SummaryRow } from './summarize.js';

/** One phase: its metric, a label, and whether it is part of the headline time it breaks down. */
export interface PhaseDefinition {
  /** the stored metric, or `derived:...` for one computed from two stored ones */
  metric: MetricName | 'derived:firmware';
  label: string;
  /** false for a step after the headline's end point (e.g. the agent after the ready marker) */
  inHeadline: boolean;
}

/**
 * VM boot: boot_time = phase_vmm + phase_guest; phase_guest is split with the guest kernel's own
 * uptime at the marker into "before the guest clock" (firmware, loading kernel and initramfs) and
 * "guest kernel + init"; the agent comes after ready.
 */
export const VM_BOOT_PHASES: readonly PhaseDefinition[] = [
  { metric: 'phase_vmm', label: 'QEMU start (launch → QMP answers)', inHeadline: true },
  {
    metric: 'derived:firmware',
    label: 'firmware, kernel loading (QMP → guest clock starts; host − guest clock)',
    inHeadline: true,
  },
  {
    metric: 'guest_uptime_at_marker',
    label: 'guest kernel, initramfs, init (guest clock at the marker)',
    inHeadline: true,
  },
  { metric: 'phase_agent', label: 'after ready: guest agent starts and answers', inHeadline: false },
];

/** Container start: boot_time = create + attach + start (start request → the marker). */
export const CONTAINER_BOOT_PHASES: readonly PhaseDefinition[] = [
  { metric: 'phase_create', label: 'create (request → created)', inHeadline: true },
  { metric: 'phase_attach', label: 'attach (the harness attaches before start)', inHeadline: true },
  { metric: 'phase_start', label: 'start (request → the process printed its marker)', inHeadline: true },
];

/** VM shutdown: shutdown_time = phase_poweroff + phase_vmm_exit. */
export const VM_SHUTDOWN_PHASES: readonly PhaseDefinition[] = [
  { metric: 'phase_poweroff', label: 'guest powers off (request → QMP SHUTDOWN)', inHeadline: true },
  { metric: 'phase_vmm_exit', label: 'QEMU exits (SHUTDOWN → process gone)', inHeadline: true },
];

/** VM cold boot in latency-restore: cold_boot_time = phase_vmm + phase_guest + phase_agent. */
export const VM_COLD_BOOT_PHASES: readonly PhaseDefinition[] = [
  ...VM_BOOT_PHASES.slice(0, 3),
  { metric: 'phase_agent', label: 'guest agent starts and answers (marker → agent)', inHeadline: true },
];

/** VM restore: restore_time = restore_vmm + restore_state_load + restore_agent. */
export const VM_RESTORE_PHASES: readonly PhaseDefinition[] = [
  { metric: 'restore_vmm', label: 'QEMU start (launch → QMP answers)', inHeadline: true },
  { metric: 'restore_state_load', label: 'load the saved state (migrate-incoming)', inHeadline: true },
  { metric: 'restore_agent', label: 'resume, guest agent answers', inHeadline: true },
];

/** Container cold start in latency-restore: cold_boot_time = create + attach + start + exec answers. */
export const CONTAINER_COLD_BOOT_PHASES: readonly PhaseDefinition[] = [
  ...CONTAINER_BOOT_PHASES,
  { metric: 'phase_agent', label: 'exec answers (marker → `true` ran)', inHeadline: true },
];

/** The phase definitions of a backend's boot in an experiment. */
export function bootPhases(
  backend: BackendName,
  experiment: 'latency' | 'latency-restore',
): readonly PhaseDefinition[] {
  if (backendDescriptor(backend).kind === 'vm') return experiment === 'latency' ? VM_BOOT_PHASES : VM_COLD_BOOT_PHASES;
  return experiment === 'latency' ? CONTAINER_BOOT_PHASES : CONTAINER_COLD_BOOT_PHASES;
}

/** One bar segment: the mean of one phase for one (backend, accel, N, what). */
export interface PhaseMean {
  backend: BackendName;
  accel: Accel;
  guests: number;
  /** what is broken down: boot, shutdown, cold boot, restore */
  what: string;
  phase: string;
  metric: string;
  /** mean over repeats, seconds (a derived phase below 0 from clock noise is shown as 0) */
  mean: number;
  inHeadline: boolean;
}

/**
 * The mean of each phase per (backend, accel, N) from summary rows. The derived firmware phase is
 * mean(phase_guest) - mean(guest_uptime_at_marker) (the host's and the guest's clocks).
 */
export function phaseMeans(
  summary: readonly SummaryRow[],
  options: { backend: BackendName; phases: readonly PhaseDefinition[]; what: string },
): PhaseMean[] {
  const rows = summary.filter((row) => row.backend === options.backend);
  const cells = new Map<string, { accel: Accel; guests: number }>();
  for (const row of rows) cells.set(`${row.accel}/${row.guests}`, { accel: row.accel, guests: row.guests });
  const out: PhaseMean[] = [];
  for (const cell of [...cells.values()].sort((a, b) => a.guests - b.guests)) {
    const mean = (metric: string) =>
      rows.find((row) => row.accel === cell.accel && row.guests === cell.guests && row.metric === metric)?.mean;
    for (const phase of options.phases) {
      let value: number | undefined;
      if (phase.metric === 'derived:firmware') {
        const guest = mean('phase_guest');
        const uptime = mean('guest_uptime_at_marker');
        value = guest === undefined || uptime === undefined ? undefined : Math.max(0, guest - uptime);
      } else {
        value = mean(phase.metric);
      }
      if (value === undefined) continue;
      out.push({
        backend: options.backend,
        accel: cell.accel,
        guests: cell.guests,
        what: options.what,
        phase: phase.label,
        metric: phase.metric,
        mean: value,
        inHeadline: phase.inHeadline,
      });
    }
  }
  return out;
}
