/**
 * The record types of the thesis's published numbers (data/thesis/): one tidy row per number the
 * thesis prints in chapters 4-6 and Table 4.1, shaped like a measured result row where it can be,
 * plus where the number is printed, and the list of places where the thesis contradicts itself.
 */
import { METRICS, type BackendName, type MetricName, type MigrationLoad, type Unit } from '../results/schema.js';

/** Experiments the thesis's numbers belong to (design.md section 4); `host` is the Table 4.1 inventory. */
export const THESIS_EXPERIMENTS = [
  'host',
  'density-cpu',
  'density-fileio',
  'density-mysql',
  'latency',
  'latency-restore',
  'migration',
] as const;
export type ThesisExperiment = (typeof THESIS_EXPERIMENTS)[number];

/** Where a number is printed: a table cell, a sentence about a figure, or other running text. */
export const SOURCE_KINDS = ['table', 'figure-text', 'text'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/**
 * What a row's value is:
 * - `value`: a fact (inventory, versions);
 * - `mean`: a measured result as the thesis reports it (it averages its repeats, section 4.5);
 * - `ratio`: relates[0] / relates[1], unit `ratio` ("6 times more requests" is 6);
 * - `difference`: relates[0] - relates[1], in the metric's unit;
 * - `relative_change`: (relates[0] - relates[1]) / relates[1], unit `ratio`;
 * - `parameter`: a setting of the experiment (prime limit, run time, repeats...).
 */
export const THESIS_STATISTICS = ['value', 'mean', 'ratio', 'difference', 'relative_change', 'parameter'] as const;
export type ThesisStatistic = (typeof THESIS_STATISTICS)[number];

/** Statistics whose row compares two things named in `relates`. */
export const COMPARISON_STATISTICS: readonly ThesisStatistic[] = ['ratio', 'difference', 'relative_change'];

export { MIGRATION_LOADS, type MigrationLoad } from '../results/schema.js';

/**
 * Metric names the thesis's numbers need that `METRICS` (lib/results/schema.ts) does not have,
 * with their units; `null` marks a text value (host inventory only).
 */
export const THESIS_EXTRA_METRICS = {
  /** file I/O transfer rate, read + written, MiB/s (sysbench 0.4's "Total transferred (x Mb/sec)") */
  total_mib_per_s: 'MiB/s',
  /** per-request time without a named statistic (only in a ratio the thesis states), milliseconds */
  per_request_time: 'ms',
  // host inventory (Table 4.1) and the versions the text states
  /** CPU model string */
  cpu_model: null,
  /** processor type as printed (e.g. hyper-threaded) */
  cpu_type: null,
  architecture: null,
  cores_per_socket: 'count',
  threads_per_core: 'count',
  /** logical CPUs of the host (cores x threads per core) */
  threads: 'count',
  /** machine model */
  machine: null,
  /** host memory, bytes */
  ram: 'bytes',
  /** "64 bit" and the like */
  os_type: null,
  /** host disk capacity, bytes */
  disk_capacity: 'bytes',
  /** disk interface and spindle speed as printed */
  disk_type: null,
  disk_model: null,
  host_os: null,
  guest_os: null,
  /** host kernel release */
  kernel: null,
  sysbench_version: null,
  qemu_version: null,
  libvirt_version: null,
  docker_version: null,
  mysql_version: null,
  // guest sizes and experiment parameters
  /** memory of one guest, bytes */
  guest_memory: 'bytes',
  /** virtual CPUs of one guest */
  guest_vcpus: 'count',
  /** virtual disk of one VM, bytes */
  guest_disk: 'bytes',
  /** repeats of each configuration */
  repeats: 'count',
  /** largest number of guests run at once */
  guests_max: 'count',
  /** sysbench worker threads */
  sysbench_threads: 'count',
  /** sysbench cpu --cpu-max-prime */
  cpu_max_prime: 'count',
  /** sysbench fileio --file-total-size, bytes */
  file_total_size: 'bytes',
  /** sysbench --max-time, seconds */
  max_time: 's',
  /** sysbench --max-requests (0 = unlimited) */
  max_requests: 'count',
  /** rows in the OLTP test table */
  table_size: 'count',
  /** network link between migration hosts, Mbit/s */
  link_speed: 'Mbit/s',
  /** interval of the observer's pings during migration, seconds */
  ping_interval: 's',
} as const satisfies Record<string, Unit | null>;

/** A metric name used by the thesis's rows that is not in `METRICS`. */
export type ThesisExtraMetricName = keyof typeof THESIS_EXTRA_METRICS;
/** Any metric name a thesis row may carry. */
export type ThesisMetricName = MetricName | ThesisExtraMetricName;

/** The unit a metric's values carry (null: text values), or undefined for an unknown metric name. */
export function thesisMetricUnit(metric: string): Unit | null | undefined {
  if (Object.hasOwn(METRICS, metric)) return METRICS[metric as MetricName];
  if (Object.hasOwn(THESIS_EXTRA_METRICS, metric)) return THESIS_EXTRA_METRICS[metric as ThesisExtraMetricName];
  return undefined;
}

/** Where in the thesis text (seeds/001_666abb54a6c10ee7.txt) a number is printed. */
export interface ThesisSource {
  kind: SourceKind;
  /**
   * the table or figure the number belongs to or is cited for ("Table 4.2", "Figures 4.4 & 4.5"), or "Section 4.5.2"
   */
  ref: string;
  /** the (sub)section whose text holds the line, e.g. "4.5.1" */
  section: string;
  /** 1-based line of the seed file where the number is printed */
  line: number;
  /** the printed value starts on `line` and ends on `line + 1` (a wrapped table cell) */
  wrap?: boolean;
}

/** One side of a comparison: the fields that pick the compared quantity; absent = not stated. */
export interface ThesisSelector {
  backend?: BackendName | null;
  /** a number of guests, or pairwise lists for a step-by-step statement (each doubling: [2,4,8] over [1,2,4]) */
  guests?: number | readonly number[] | null;
  metric?: ThesisMetricName;
  load?: MigrationLoad | null;
  vcpus?: number | null;
  memoryMiB?: number | null;
}

/** The value and unit as the thesis prints them, when the row's value was converted or is given in words. */
export interface ThesisPrinted {
  value: number | string;
  /** the thesis's own unit word ("Kbps", "GB", "seconds", ...) or one of ours */
  unit: string;
}

/** Fields every thesis row has once loaded (absent optional fields are normalized to null). */
export interface ThesisRowBase {
  /** unique, e.g. "t5.1-kvm-n12-boot_time" (t = table, f = figure text, s = section text) */
  id: string;
  experiment: ThesisExperiment;
  /** null: not tied to one backend (host facts, comparisons across backends) */
  backend: BackendName | null;
  /**
   * number of guests running (N); the bare host is N = 1 (one copy of the workload); null = not stated or not
   * applicable
   */
  guests: number | null;
  metric: ThesisMetricName;
  statistic: ThesisStatistic;
  /** guest vCPUs of a migration configuration */
  vcpus: number | null;
  /** guest memory of a migration configuration, MiB */
  memoryMiB: number | null;
  /** migration guest state */
  load: MigrationLoad | null;
  /** any other configuration label that tells two otherwise equal rows apart */
  config: string | null;
  /** the configurations a mean was taken over, when the thesis states one mean for several */
  aggregates: { vcpus?: readonly number[]; memoryMiB?: readonly number[] } | null;
  source: ThesisSource;
  /** the thesis hedges the number (about, almost, around) or gives it in words */
  approximate: boolean;
  printed: ThesisPrinted | null;
  /** for comparison statistics: the two quantities compared, in order */
  relates: readonly [ThesisSelector, ThesisSelector] | null;
  /** the id of an earlier row this one repeats (same quantity, same value, another place) */
  restates: string | null;
  note: string | null;
  /** ids of entries of inconsistencies.json this row takes part in */
  inconsistencies: readonly string[];
}

/** A row holding a number. */
export interface ThesisNumericRow extends ThesisRowBase {
  value: number;
  unit: Unit;
}

/** A host inventory row holding text (CPU model, versions...). */
export interface ThesisTextRow extends ThesisRowBase {
  experiment: 'host';
  value: string;
  unit: null;
}

/** One number (or host fact) the thesis publishes. */
export type ThesisRow = ThesisNumericRow | ThesisTextRow;

/** True when the row holds a number. */
export function isNumericRow(row: ThesisRow): row is ThesisNumericRow {
  return typeof row.value === 'number';
}

/** Kinds of self-contradiction found in the thesis. */
export const INCONSISTENCY_KINDS = [
  /** a table repeats another table's cells */
  'verbatim-copy',
  /** the same quantity is given two different values */
  'conflicting-values',
  /** the text says something a table it refers to does not show */
  'text-vs-table',
  /** the text cites a table or figure that is not there */
  'missing-reference',
  /** a table or column label that does not match its content */
  'label',
  /** values that cannot all hold given the stated parameters */
  'implausible',
  /** a summary value that does not follow from the detailed values */
  'unreconciled-summary',
] as const;
export type InconsistencyKind = (typeof INCONSISTENCY_KINDS)[number];

/** A place where the thesis contradicts itself; notebooks show it instead of picking a value. */
export interface ThesisInconsistency {
  id: string;
  kind: InconsistencyKind;
  /** the tables and figures involved */
  refs: readonly string[];
  /** what disagrees, in our words */
  description: string;
  /** ids of the rows involved (at least two) */
  rows: readonly string[];
}
