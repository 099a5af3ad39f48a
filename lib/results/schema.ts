/**
 * The record types that cross module boundaries: one tidy row per measured value,
 * shared by the store, the analysis layer, the notebooks and the thesis's own numbers.
 */

/** What ran the workload. */
export type BackendName = 'native' | 'docker' | 'kvm';

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
  reads: 'count',
  writes: 'count',
  fsyncs: 'count',
  reads_per_s: 'requests/s',
  writes_per_s: 'requests/s',
  fsyncs_per_s: 'requests/s',
  read_mib_per_s: 'MiB/s',
  written_mib_per_s: 'MiB/s',
  requests_per_s: 'requests/s',
  // sysbench oltp
  other: 'count',
  queries: 'count',
  transactions: 'count',
  transactions_per_s: 'transactions/s',
  queries_per_s: 'queries/s',
  errors: 'count',
  reconnects: 'count',
  // latency experiment
  boot_time: 's',
  shutdown_time: 's',
  cold_boot_time: 's',
  restore_time: 's',
  // migration experiment
  downtime: 'ms',
  setup_time: 'ms',
  transferred_bytes: 'bytes',
  dirty_sync_count: 'count',
  bandwidth: 'Mbit/s',
} as const satisfies Record<string, Unit>;

export type MetricName = keyof typeof METRICS;

/** Whether a row holds a measured value, a failure, or a capability the host lacks. */
export type SampleState = 'ok' | 'errored' | 'unsupported';

/**
 * One measured value (tidy/long form): the unit of the append-only store.
 * `value` is null exactly when `state` is not 'ok'; `reason` then says why.
 */
export interface Sample {
  /** campaign id, e.g. 2026-11-21T23-00-00Z-a1b2 */
  campaign: string;
  /** experiment name, e.g. density-cpu */
  experiment: string;
  backend: BackendName;
  accel: Accel;
  /** number of guests running the workload at the same time (N) */
  guests: number;
  /** which of the N guests produced this value, 1-based; 0 for a row about the whole cell (errored or unsupported) */
  guest: number;
  /** repeat index, 1-based */
  repeat: number;
  metric: MetricName;
  value: number | null;
  unit: Unit;
  /** ISO-8601 wall-clock time the value was measured */
  at: string;
  state: SampleState;
  /** why a row is errored or unsupported */
  reason?: string;
  /** raw tool output this value was parsed from, relative to the campaign directory */
  raw?: string;
}
