/**
 * Summaries of a campaign's rows per backend, accelerator, N, configuration and metric (and who
 * measured it, where two parties did: migration's QEMU and observer).
 */
import type { Accel, MeasuredBy, MetricName, Sample, Unit } from '../results/schema.js';
import type { BackendName } from '../model/backends.js';
import { cellValues, type ObservationUnit } from './cell-values.js';
import { describe, type Stats } from './statistics.js';

export type { ObservationUnit };

/** One summarized group. */
export interface SummaryRow extends Stats {
  experiment: string;
  backend: BackendName;
  accel: Accel;
  guests: number;
  metric: MetricName;
  unit: Unit;
  /** runs of the group's cell that errored (not counted in n) */
  errored: number;
  /** the rows' configuration, where the experiment has several (migration) */
  config?: string;
  /** who measured the value, where two parties did (migration) */
  measured_by?: MeasuredBy;
}

/** Summarizes `ok` rows per (experiment, backend, accel, guests, metric), sorted by those keys. */
export function summarize(samples: readonly Sample[], options: { unit?: ObservationUnit } = {}): SummaryRow[] {
  return cellValues(samples, options).map((cell) => ({
    experiment: cell.experiment,
    backend: cell.backend,
    accel: cell.accel,
    guests: cell.guests,
    metric: cell.metric,
    unit: cell.unit,
    errored: cell.errored,
    ...(cell.config === undefined ? {} : { config: cell.config }),
    ...(cell.measured_by === undefined ? {} : { measured_by: cell.measured_by }),
    ...describe(cell.values),
  }));
}
