/**
 * The record types that cross module boundaries: one tidy row per measured value,
 * shared by the store, the analysis layer, the notebooks and the thesis's own numbers.
 */

import type { BackendName } from '../model/backends.js';

/** What ran the workload: a name of the backend table (lib/model/backends.ts). */
export type { BackendName };

/**
 * How the guest's CPU was provided: hardware KVM, QEMU's software emulator TCG, no virtual CPU at
 * all (containers, bare host), or unknown (a VM backend the host could not start: unsupported rows).
 */
export type Accel = 'kvm' | 'tcg' | 'none' | 'unknown';

/** Units a value may carry. Every row names one. */
export const UNITS = ['s', 'ms', 'count', 'events/s', 'requests/s', 'transactions/s', 'queries/s', 'MiB/s', 'bytes', 'Mbit/s', 'ratio'] as const;
export type Unit = (typeof UNITS)[number];

/**
 * Metric names, snake_case, reused by every experiment and by the thesis's transcribed numbers.
 * Keep the list closed so a typo is a type error, not a new column.
 */
export const METRICS = {
  // sysbench (any test): the final summary
  /** wall time of the whole sysbench run, seconds */
  total_time: 's',
  /** events (requests) completed in the run */
  events: 'count',
  /** events per second over the run */
  events_per_s: 'events/s',
  /** per-request latency, minimum, milliseconds */
  latency_min: 'ms',
  /** per-request latency, mean, milliseconds */
  latency_avg: 'ms',
  /** per-request latency, maximum, milliseconds */
  latency_max: 'ms',
  /** per-request latency, 95th percentile, milliseconds */
  latency_p95: 'ms',
  /** sum of all per-request latencies, milliseconds */
  latency_sum: 'ms',
  /** thread fairness: mean events per thread */
  fairness_events_avg: 'count',
  /** thread fairness: standard deviation of events per thread */
  fairness_events_stddev: 'count',
  /** thread fairness: mean execution time per thread, seconds */
  fairness_exec_avg: 's',
  /** thread fairness: standard deviation of execution time per thread, seconds */
  fairness_exec_stddev: 's',
  // sysbench fileio
  /** reads + writes (fsyncs not counted): sysbench 0.4's fileio event count; 1.0 counts fsyncs as events too */
  requests: 'count',
  reads: 'count',
  writes: 'count',
  fsyncs: 'count',
  reads_per_s: 'requests/s',
  writes_per_s: 'requests/s',
  fsyncs_per_s: 'requests/s',
  read_mib_per_s: 'MiB/s',
  written_mib_per_s: 'MiB/s',
  /** read + written, MiB/s: sysbench 0.4's "Total transferred ... Mb/sec", the thesis's file I/O "speed" */
  total_mib_per_s: 'MiB/s',
  /** reads/s + writes/s (fsyncs not counted): sysbench 0.4's "Requests/sec executed" */
  requests_per_s: 'requests/s',
  // sysbench oltp
  other: 'count',
  queries: 'count',
  transactions: 'count',
  transactions_per_s: 'transactions/s',
  queries_per_s: 'queries/s',
  errors: 'count',
  reconnects: 'count',
  // latency experiment (docs/latency.md): one more guest started and stopped while N others run
  /**
   * launch request -> a process inside the guest has written its ready marker (VM: init on the console; container: main
   * process on stdout), seconds
   */
  boot_time: 's',
  /**
   * stop request -> the guest is gone (VM: QEMU exited after a clean power-off; container: `docker stop` returned),
   * seconds
   */
  shutdown_time: 's',
  /**
   * latency-restore: launch request -> the guest runs a command for us (VM: agent answers; container: exec answers),
   * seconds
   */
  cold_boot_time: 's',
  /** latency-restore: restore request -> the guest runs a command for us, seconds */
  restore_time: 's',
  /** VM boot phase: launch request -> QMP answers (QEMU up), seconds */
  phase_vmm: 's',
  /** VM boot phase: QMP answers -> init's ready marker on the console (firmware, kernel, initramfs, init), seconds */
  phase_guest: 's',
  /** VM phase after boot_time: ready marker (latency-restore: cold boot's marker) -> guest agent answers, seconds */
  phase_agent: 's',
  /** the VM kernel's own uptime when init printed its ready marker (guest clock), seconds */
  guest_uptime_at_marker: 's',
  /** container boot phase: create request -> created, seconds */
  phase_create: 's',
  /**
   * container boot phase: attach request -> attached (the harness attaches before start so the marker cannot be
   * missed), seconds
   */
  phase_attach: 's',
  /**
   * container boot phase: start request -> ready marker received (the marker arrives before the start reply), seconds
   */
  phase_start: 's',
  /** system container (LXC) boot phase: created -> lxc-start returned (the container's init runs), seconds */
  phase_launch: 's',
  /** system container (LXC) boot phase: init runs -> its ready marker seen by the host, seconds */
  phase_init: 's',
  /** container: create request -> the engine's own `start` event (events API timeNano), seconds */
  engine_start_time: 's',
  /**
   * container: the engine's `start` event -> the harness has the start reply (the harness's lag behind the engine),
   * seconds
   */
  harness_overhead: 's',
  /** VM shutdown phase: shutdown request -> the guest powered off (QMP SHUTDOWN event), seconds */
  phase_poweroff: 's',
  /** VM shutdown phase: guest powered off -> QEMU process exited, seconds */
  phase_vmm_exit: 's',
  /**
   * container shutdown: 1 when the engine had to SIGKILL the main process after the grace period, 0 when it exited on
   * SIGTERM
   */
  shutdown_killed: 'count',
  /** VM restore phase: launch request (QEMU with -incoming defer) -> QMP answers, seconds */
  restore_vmm: 's',
  /** VM restore phase: QMP answers -> saved state loaded (migrate-incoming completed), seconds */
  restore_state_load: 's',
  /** VM restore phase: state loaded -> VM resumed and its agent answers, seconds */
  restore_agent: 's',
  /** pause and save the state (VM: to a file; container: a CRIU checkpoint), not part of restore_time, seconds */
  snapshot_save_time: 's',
  /** size of the saved state (VM: the state file; container: the checkpoint), bytes */
  snapshot_size: 'bytes',
  /**
   * container: restore request -> the engine's own event for the restored container (docker: start; podman: restore),
   * seconds
   */
  engine_restore_time: 's',
  // migration experiment (docs/migration.md); total_time is also a migration metric, seconds
  /** migration: the service's outage (measured_by observer) or the guest's pause (measured_by qemu), milliseconds */
  downtime: 'ms',
  /** migration, QEMU: migrate command -> first RAM round, milliseconds */
  setup_time: 'ms',
  /** migration, QEMU: RAM bytes sent */
  transferred_bytes: 'bytes',
  /**
   * migration, the link: bytes the source sent on the migration link during the migration (RAM, disk when copied,
   * device state, TCP/IP overhead)
   */
  link_bytes: 'bytes',
  /** migration, QEMU: passes over the dirty bitmap (1 + pre-copy rounds) */
  dirty_sync_count: 'count',
  /** migration, QEMU: measured throughput */
  bandwidth: 'Mbit/s',
  /**
   * migration, CRIU (a container's checkpoint): how long the container's processes were frozen for the dump,
   * milliseconds
   */
  criu_frozen_time: 'ms',
  /** migration, CRIU: writing the processes' memory out (memdump + memwrite), milliseconds */
  criu_dump_time: 'ms',
  /** migration, CRIU: restoring the processes on the target, milliseconds */
  criu_restore_time: 'ms',
  /** migration, CRIU: memory pages written to the checkpoint */
  pages_written: 'count',
  /** migration, a container (runner): checkpoint asked for -> the archive exported on the source, milliseconds */
  phase_checkpoint: 'ms',
  /** migration, a container (runner): the archive sent over the shaped link to the target, milliseconds */
  phase_transfer: 'ms',
  /** migration, a container (runner): restore asked for on the target -> it runs there, milliseconds */
  phase_restore: 'ms',
  // footprint experiment: host memory held per running idle guest, bytes
  /** footprint: the host memory one guest holds (VM: QEMU's PSS; container: cgroup usage + its engine process's PSS) */
  memory_footprint: 'bytes',
  /** footprint, VM: the QEMU process's proportional set size */
  footprint_pss: 'bytes',
  /** footprint, VM: the QEMU process's resident set size (shared pages counted whole) */
  footprint_rss: 'bytes',
  /** footprint, VM: the QEMU process's private pages (clean + dirty) */
  footprint_private: 'bytes',
  /** footprint, container: its memory cgroup's usage */
  footprint_cgroup: 'bytes',
  /** footprint, container: the PSS of the engine's per-container process (containerd-shim, conmon, LXC monitor) */
  footprint_shim_pss: 'bytes',
  /** footprint: the host's used memory (MemTotal - MemAvailable) with N guests idle minus before them, over N */
  host_memory_per_guest: 'bytes',
  /** migration, observer: probes sent between the migrate command and the target's first answer that got no answer */
  probes_lost: 'count',
} as const satisfies Record<string, Unit>;

export type MetricName = keyof typeof METRICS;

/** Whether a row holds a measured value, a failure, or a capability the host lacks. */
export type SampleState = 'ok' | 'errored' | 'unsupported';

/** The fields every row has, whatever its state. */
export interface SampleFields {
  /** campaign id, e.g. 2026-11-21T23-00-00Z-a1b2 */
  campaign: string;
  /** experiment name, e.g. density-cpu */
  experiment: string;
  backend: BackendName;
  accel: Accel;
  /** a container's OCI runtime and its version, e.g. `runc 1.1.5+ds1` (container backends) */
  runtime?: string;
  /** number of guests running the workload at the same time (N) */
  guests: number;
  /**
   * which of the N guests produced this value, 1-based; 0 for a row about the whole cell (errored
   * or unsupported)
   */
  guest: number;
  /** repeat index, 1-based */
  repeat: number;
  metric: MetricName;
  unit: Unit;
  /** ISO-8601 wall-clock time the value was measured */
  at: string;
  /** raw tool output this value was parsed from, relative to the campaign directory */
  raw?: string;
  /** a configuration of the experiment beyond N (migration: `clean-1cpu-512m`); part of the cell's identity */
  config?: string;
  /** migration: idle guest, or guest under CPU+memory load */
  load?: MigrationLoad;
  /** migration: the guest's vCPUs */
  vcpus?: number;
  /** migration: the guest's memory, MiB */
  memory_mib?: number;
  /** migration: who measured the value: QEMU's own account, or the observer probing the guest's service */
  measured_by?: MeasuredBy;
}

/** A measured value. */
export interface OkSample extends SampleFields {
  state: 'ok';
  value: number;
  reason?: undefined;
}

/** A row without a value: the run failed (`errored`) or the host cannot do it (`unsupported`); `reason` says why. */
export interface ValuelessSample extends SampleFields {
  state: 'errored' | 'unsupported';
  value: null;
  reason: string;
}

/**
 * One row of the append-only store (tidy/long form), keyed on `state`: a value only when `ok`, a
 * reason otherwise. Never a made-up number.
 */
export type Sample = OkSample | ValuelessSample;

/** Migration guest state (thesis section 6.3): idle, or under CPU + memory load (the thesis ran mprime). */
export const MIGRATION_LOADS = ['clean', 'loaded'] as const;
export type MigrationLoad = (typeof MIGRATION_LOADS)[number];

/**
 * Who measured a migration figure: QEMU's own account, CRIU's (a container's checkpoint and
 * restore), the observer probing the guest, or the link's interface counters.
 */
/**
 * Whose account a migration figure is: QEMU's (query-migrate), CRIU's (its statistics), the observer's (probing the
 * guest's service), the link's (its byte counter), or the runner's (guestbench's clock around the backend's commands).
 */
export type MeasuredBy = 'qemu' | 'criu' | 'observer' | 'link' | 'runner';

/** The two vantage points of a migration's total time and downtime: the hypervisor's and the observer's. */
export type TimingSource = 'qemu' | 'observer';
