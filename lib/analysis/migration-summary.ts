/**
 * Chapter 6's numbers: a migration campaign summarized per (backend, configuration) (total time and
 * downtime as QEMU counts them and as the observer saw the guest's service, plus QEMU's transfer
 * figures), the thesis's migration means, and the two matched per group of configurations. The
 * thesis's values stay in their own fields and rows: they never become measured rows.
 */
import { backendDescriptor, backendRank, type BackendName } from '../model/backends.js';
import type {
  Accel,
  MeasuredBy,
  MetricName,
  MigrationLoad,
  Sample,
  SampleState,
  TimingSource,
  Unit,
} from '../results/schema.js';
import { isNumericRow, loadThesis, type ThesisInconsistency, type ThesisPrinted } from '../thesis/index.js';
import { describe, type Stats } from './statistics.js';
import { summarize, type SummaryRow } from './summarize.js';
import { sourceText } from './thesis-points.js';

/** A figure counted twice: by QEMU (the source's query-migrate) and by the observer probing the guest's service. */
export type MeasuredTwice = Record<TimingSource, SummaryRow | null>;

/** One configuration of a migration campaign. */
export interface MigrationConfigSummary {
  backend: BackendName;
  /** the accelerator the measured runs used (VMs: kvm or tcg) */
  accel: Accel;
  /** the rows' `config`: `clean-1cpu-256m`, or `container` */
  config: string;
  /** null for the container */
  load: MigrationLoad | null;
  vcpus: number | null;
  /** guest memory, MiB; null for the container */
  memoryMiB: number | null;
  /** total migration time, seconds */
  totalTime: MeasuredTwice;
  /** downtime, milliseconds: the guest's pause (QEMU) or the service's outage (observer) */
  downtime: MeasuredTwice;
  /**
   * observer − QEMU downtime, paired per repeat, milliseconds: how much longer the service was
   * unreachable than the guest was paused (the network finding the guest on the target after the switch-over)
   */
  downtimeGap: Stats | null;
  /** QEMU: migrate command -> first RAM round, milliseconds */
  setupTime: SummaryRow | null;
  /** QEMU: RAM bytes sent */
  transferredBytes: SummaryRow | null;
  /**
   * the link: bytes the source sent on the migration link (RAM, disk when copied, device state, overhead); null in
   * campaigns before it was counted
   */
  linkBytes: SummaryRow | null;
  /** QEMU: passes over the dirty bitmap (1 + pre-copy rounds) */
  dirtySyncCount: SummaryRow | null;
  /** QEMU: throughput, Mbit/s */
  bandwidth: SummaryRow | null;
  /** observer: probes that got no answer */
  probesLost: SummaryRow | null;
  /** a container's checkpoint and restore (CRIU's statistics, guestbench's clock); null for a VM */
  checkpoint: CheckpointFigures | null;
  /** runs (repeats) that errored */
  errored: number;
  /** 'ok' when any run was measured, else the state of the configuration's rows */
  state: SampleState;
  /** why there is no value (the first unsupported or errored row's reason); null when measured */
  reason: string | null;
}

/**
 * How a container's stop-and-copy migration spent its time: CRIU's own figures, and the three steps
 * guestbench timed around podman's commands (their sum is most of the observer's downtime).
 */
export interface CheckpointFigures {
  /** CRIU: the container's processes frozen for the dump, milliseconds */
  frozenMs: SummaryRow | null;
  /** CRIU: memory dumped and written, milliseconds */
  dumpMs: SummaryRow | null;
  /** CRIU: processes restored on the target, milliseconds */
  restoreMs: SummaryRow | null;
  /** CRIU: memory pages written */
  pagesWritten: SummaryRow | null;
  /** the exported checkpoint archive (processes, memory, changed files, volumes), bytes */
  archiveBytes: SummaryRow | null;
  /** guestbench's clock: checkpoint and export on the source, milliseconds */
  checkpointStepMs: SummaryRow | null;
  /** guestbench's clock: the archive sent over the shaped link, milliseconds */
  transferStepMs: SummaryRow | null;
  /** guestbench's clock: import and restore on the target, milliseconds */
  restoreStepMs: SummaryRow | null;
}

function checkpointFigures(summary: readonly SummaryRow[]): CheckpointFigures | null {
  const figures: CheckpointFigures = {
    frozenMs: pick(summary, 'criu_frozen_time', 'criu'),
    dumpMs: pick(summary, 'criu_dump_time', 'criu'),
    restoreMs: pick(summary, 'criu_restore_time', 'criu'),
    pagesWritten: pick(summary, 'pages_written', 'criu'),
    archiveBytes: pick(summary, 'snapshot_size', 'criu'),
    checkpointStepMs: pick(summary, 'phase_checkpoint', 'runner'),
    transferStepMs: pick(summary, 'phase_transfer', 'runner'),
    restoreStepMs: pick(summary, 'phase_restore', 'runner'),
  };
  return Object.values(figures).some((row) => row !== null) ? figures : null;
}

const LOAD_ORDER: Record<MigrationLoad, number> = { clean: 0, loaded: 1 };

function loadRank(load: MigrationLoad | null): number {
  return load === null ? 2 : LOAD_ORDER[load];
}

function pick(rows: readonly SummaryRow[], metric: MetricName, measuredBy: MeasuredBy): SummaryRow | null {
  return rows.find((row) => row.metric === metric && row.measured_by === measuredBy) ?? null;
}

// observer − QEMU downtime of the runs that have both
function downtimeGap(rows: readonly Sample[]): Stats | null {
  const byRun = new Map<string, Partial<Record<TimingSource, number>>>();
  for (const row of rows) {
    if (row.metric !== 'downtime' || row.state !== 'ok' || row.measured_by === undefined) continue;
    const run = `${row.repeat}/${row.guest}`;
    byRun.set(run, { ...byRun.get(run), [row.measured_by]: row.value });
  }
  const gaps = [...byRun.values()].flatMap((run) =>
    run.qemu === undefined || run.observer === undefined ? [] : [run.observer - run.qemu],
  );
  // a difference: the observer may see less than QEMU counts
  return gaps.length === 0 ? null : describe(gaps, { signed: true });
}

/**
 * Summarizes a migration campaign's rows per (backend, configuration): VMs by load, memory and vCPUs, then the
 * container.
 */
export function summarizeMigration(samples: readonly Sample[]): MigrationConfigSummary[] {
  const cells = new Map<string, Sample[]>();
  for (const sample of samples) {
    if (sample.config === undefined) continue;
    const key = `${sample.backend}\u0000${sample.config}`;
    cells.set(key, [...(cells.get(key) ?? []), sample]);
  }
  return [...cells.values()]
    .map((rows): MigrationConfigSummary => {
      const first = rows[0] as Sample;
      const measured = rows.find((row) => row.state === 'ok');
      const failed = rows.find((row) => row.state !== 'ok');
      const summary = summarize(rows);
      const erroredRuns = new Set(rows.filter((row) => row.state === 'errored').map((row) => row.repeat));
      const described = rows.find((row) => row.load !== undefined) ?? first;
      return {
        backend: first.backend,
        accel: (measured ?? first).accel,
        config: first.config as string,
        load: described.load ?? null,
        vcpus: described.vcpus ?? null,
        memoryMiB: described.memory_mib ?? null,
        totalTime: { qemu: pick(summary, 'total_time', 'qemu'), observer: pick(summary, 'total_time', 'observer') },
        downtime: { qemu: pick(summary, 'downtime', 'qemu'), observer: pick(summary, 'downtime', 'observer') },
        downtimeGap: downtimeGap(rows),
        setupTime: pick(summary, 'setup_time', 'qemu'),
        transferredBytes: pick(summary, 'transferred_bytes', 'qemu'),
        linkBytes: pick(summary, 'link_bytes', 'link'),
        dirtySyncCount: pick(summary, 'dirty_sync_count', 'qemu'),
        bandwidth: pick(summary, 'bandwidth', 'qemu'),
        probesLost: pick(summary, 'probes_lost', 'observer'),
        checkpoint: checkpointFigures(summary),
        errored: erroredRuns.size,
        state: measured ? 'ok' : (failed?.state ?? 'ok'),
        reason: measured ? null : (failed?.reason ?? null),
      };
    })
    .sort(
      (a, b) =>
        backendRank(a.backend) - backendRank(b.backend) ||
        loadRank(a.load) - loadRank(b.load) ||
        (a.memoryMiB ?? 0) - (b.memoryMiB ?? 0) ||
        (a.vcpus ?? 0) - (b.vcpus ?? 0) ||
        a.config.localeCompare(b.config),
    );
}

/** The two figures the thesis reports for a migration. */
export const MIGRATION_COMPARED = ['total_time', 'downtime'] as const;
export type MigrationComparedMetric = (typeof MIGRATION_COMPARED)[number];

/**
 * A migration mean the thesis prints (all observer figures: ping at 1 s for VMs, a printing script for the container).
 */
export interface MigrationThesisValue {
  /** the row's id in data/thesis/values.jsonl */
  id: string;
  backend: BackendName;
  metric: MigrationComparedMetric;
  /** stored unit: s for total_time, ms for downtime (the thesis printed seconds: see `printed`) */
  unit: Unit;
  value: number;
  /** null: not stated (the overall VM figure) or not applicable (the container) */
  load: MigrationLoad | null;
  /** the one memory size the mean is for; null when it is over several (`memoryCovered`) or not stated */
  memoryMiB: number | null;
  /** memory sizes the mean covers (empty: not stated) */
  memoryCovered: number[];
  /** vCPU counts the mean covers (empty: not stated) */
  vcpusCovered: number[];
  approximate: boolean;
  printed: ThesisPrinted | null;
  /** the table or figure it is printed or cited for */
  ref: string;
  /** e.g. "Figure 6.3, line 1483; inconsistent: ..." */
  source: string;
  inconsistencies: string[];
}

/** The thesis's migration means (chapter 6 text and Figures 6.3-6.5), restatements left out. */
export function migrationThesisValues(dir?: string): MigrationThesisValue[] {
  return loadThesis(dir)
    .rows.filter(isNumericRow)
    .filter(
      (row) =>
        row.experiment === 'migration' && row.statistic === 'mean' && row.restates === null && row.backend !== null,
    )
    .filter((row): row is typeof row & { metric: MigrationComparedMetric } =>
      (MIGRATION_COMPARED as readonly string[]).includes(row.metric),
    )
    .map((row) => ({
      id: row.id,
      backend: row.backend as BackendName,
      metric: row.metric,
      unit: row.unit,
      value: row.value,
      load: row.load,
      memoryMiB: row.memoryMiB,
      memoryCovered: row.aggregates?.memoryMiB
        ? [...row.aggregates.memoryMiB]
        : row.memoryMiB !== null
          ? [row.memoryMiB]
          : [],
      vcpusCovered: row.aggregates?.vcpus ? [...row.aggregates.vcpus] : row.vcpus !== null ? [row.vcpus] : [],
      approximate: row.approximate,
      printed: row.printed,
      ref: row.source.ref,
      source: sourceText(row),
      inconsistencies: [...row.inconsistencies],
    }));
}

/** The inconsistency that makes the printed Table 6.1 useless: it repeats Table 5.1. */
export const TABLE_6_1_COPIES_5_1 = 't6.1-copies-t5.1';

/** The thesis's inconsistencies that touch its migration numbers, Table 6.1's copy first. */
export function migrationInconsistencies(values: readonly MigrationThesisValue[], dir?: string): ThesisInconsistency[] {
  const ids = new Set([TABLE_6_1_COPIES_5_1, ...values.flatMap((value) => value.inconsistencies)]);
  return loadThesis(dir)
    .inconsistencies.filter((item) => ids.has(item.id))
    .sort((a, b) => Number(b.id === TABLE_6_1_COPIES_5_1) - Number(a.id === TABLE_6_1_COPIES_5_1));
}

/** Our mean over a group of configurations. */
export interface MigrationGroupMean {
  /**
   * mean of the configurations' observer means (each configuration weighs the same, as in the thesis's equal repeats)
   */
  observer: number | null;
  /** the same of QEMU's figures */
  qemu: number | null;
  /** the configurations with a value */
  configs: string[];
  memoryMiB: number[];
  vcpus: number[];
}

/**
 * One group of configurations: ours beside one thesis value (or beside none, or the thesis's beside nothing of ours).
 */
export interface MigrationComparison {
  backend: BackendName;
  /** accelerator of our runs in the group; null when we have none */
  accel: Accel | null;
  metric: MigrationComparedMetric;
  /** s for total_time, ms for downtime */
  unit: Unit;
  /** null: every load (the overall VM figure) or the container */
  load: MigrationLoad | null;
  /** null: every memory size of the group */
  memoryMiB: number | null;
  /** the group in words, e.g. "clean guest, every memory size" */
  group: string;
  ours: MigrationGroupMean | null;
  /** why `ours` is null: nothing measured in the group, or its runs' state and reason */
  oursMissing: string | null;
  thesis: MigrationThesisValue | null;
  /** ours (observer: the thesis's vantage point) / thesis */
  ratio: number | null;
}

interface Group {
  backend: BackendName;
  load: MigrationLoad | null;
  memoryMiB: number | null;
}

function groupWords(group: Group): string {
  if (group.load === null) return `${backendDescriptor(group.backend).label}, every configuration`;
  return group.memoryMiB === null
    ? `${group.load} guest, every memory size`
    : `${group.load} guest, ${group.memoryMiB} MiB, every vCPU count`;
}

/** The thesis's backend our `backend` stands beside (a container engine beside its Docker containers). */
function thesisSide(backend: BackendName): BackendName | null {
  return backendDescriptor(backend).thesisBackend;
}

function covers(group: Group, config: MigrationConfigSummary): boolean {
  return (
    config.backend === group.backend &&
    (group.load === null || config.load === group.load) &&
    (group.memoryMiB === null || config.memoryMiB === group.memoryMiB)
  );
}

function meanOf(values: number[]): number | null {
  return values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length;
}

function unique(values: ReadonlyArray<number | null>): number[] {
  return [...new Set(values.filter((value): value is number => value !== null))].sort((a, b) => a - b);
}

/**
 * Ours beside the thesis's, per group of configurations, for total time and downtime. A group is
 * what a thesis mean covers: the clean guest over every memory size (one mean), the loaded guest per
 * memory size over every vCPU count, all VMs (Figure 6.5), the container. Our groups the thesis has
 * no value for (a memory size it did not run) get a row of their own, and so do thesis values we
 * have nothing for; ours are means of our configurations' means, never of the thesis's numbers.
 */
export function compareMigrationWithThesis(
  configs: readonly MigrationConfigSummary[],
  thesis: readonly MigrationThesisValue[],
): MigrationComparison[] {
  const comparisons: MigrationComparison[] = [];
  for (const metric of MIGRATION_COMPARED) {
    const values = thesis.filter((value) => value.metric === metric);
    const groups = new Map<string, { group: Group; values: MigrationThesisValue[] }>();
    const add = (group: Group, value?: MigrationThesisValue) => {
      const key = `${group.backend}/${group.load}/${group.memoryMiB}`;
      const entry = groups.get(key) ?? { group, values: [] };
      if (value) entry.values.push(value);
      groups.set(key, entry);
    };
    // a thesis value stands beside each of our backends that stands for its backend (or alone)
    const ourBackends = [...new Set(configs.map((config) => config.backend))];
    for (const value of values) {
      const beside = ourBackends.filter((backend) => thesisSide(backend) === value.backend);
      for (const backend of beside.length > 0 ? beside : [value.backend])
        add({ backend, load: value.load, memoryMiB: value.memoryMiB }, value);
    }
    for (const config of configs) {
      add({ backend: config.backend, load: null, memoryMiB: null });
      if (config.load === null) continue;
      const perLoad = values.filter((value) => value.backend === thesisSide(config.backend) && value.load !== null);
      // a backend the thesis gives no per-load value for is compared as a whole only
      if (perLoad.length === 0) continue;
      // a load the thesis gives one mean for (clean) is compared as a whole, not per memory size
      const wholeLoad = perLoad.some((value) => value.load === config.load && value.memoryMiB === null);
      if (!wholeLoad) add({ backend: config.backend, load: config.load, memoryMiB: config.memoryMiB });
    }
    for (const { group, values: matched } of groups.values()) {
      const covered = configs.filter((config) => covers(group, config));
      const withValue = covered.filter(
        (config) =>
          config.totalTime.observer || config.totalTime.qemu || config.downtime.observer || config.downtime.qemu,
      );
      const field = metric === 'total_time' ? 'totalTime' : 'downtime';
      const ours: MigrationGroupMean | null =
        withValue.length === 0
          ? null
          : {
              observer: meanOf(withValue.flatMap((config) => config[field].observer?.mean ?? [])),
              qemu: meanOf(withValue.flatMap((config) => config[field].qemu?.mean ?? [])),
              configs: withValue.map((config) => config.config),
              memoryMiB: unique(withValue.map((config) => config.memoryMiB)),
              vcpus: unique(withValue.map((config) => config.vcpus)),
            };
      const failed = covered.find((config) => config.state !== 'ok');
      const oursMissing =
        ours !== null
          ? null
          : failed
            ? `${failed.state}: ${failed.reason ?? 'no reason recorded'}`
            : 'not measured here';
      const base = {
        backend: group.backend,
        accel: withValue[0]?.accel ?? covered[0]?.accel ?? null,
        metric,
        unit: (metric === 'total_time' ? 's' : 'ms') as Unit,
        load: group.load,
        memoryMiB: group.memoryMiB,
        group: groupWords(group),
        ours,
        oursMissing,
      };
      const thesisValues = matched.length > 0 ? matched : [null];
      for (const value of thesisValues) {
        comparisons.push({
          ...base,
          thesis: value,
          ratio:
            value && ours?.observer !== null && ours?.observer !== undefined && value.value !== 0
              ? ours.observer / value.value
              : null,
        });
      }
    }
  }
  return comparisons.sort(
    (a, b) =>
      backendRank(a.backend) - backendRank(b.backend) ||
      MIGRATION_COMPARED.indexOf(a.metric) - MIGRATION_COMPARED.indexOf(b.metric) ||
      loadRank(a.load) - loadRank(b.load) ||
      (a.memoryMiB ?? -1) - (b.memoryMiB ?? -1),
  );
}
