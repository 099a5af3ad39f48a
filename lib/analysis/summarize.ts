/**
 * Summaries of a campaign's rows per backend, accelerator, N, configuration and metric (and who
 * measured it, where two parties did: migration's QEMU and observer).
 */
import type { Sample } from '../results/schema.js';
import { cellValues, type CellKey, type CellValues, type ObservationUnit } from './cell-values.js';
import { describe, type Stats } from './statistics.js';

export type { ObservationUnit };

/** One summarized group: where it was measured, its statistics, and how many of its runs errored. */
export interface SummaryRow extends Stats, CellKey {
  /** runs of the group's cell that errored (not counted in n) */
  errored: number;
}

/** One cell's summary row: its key, its statistics and how many of its runs errored. */
export function summaryRowOf(cell: CellValues): SummaryRow {
  return {
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
  };
}

/** Summarizes `ok` rows per (experiment, backend, accel, guests, metric), sorted by those keys. */
export function summarize(samples: readonly Sample[], options: { unit?: ObservationUnit } = {}): SummaryRow[] {
  return cellValues(samples, options).map(summaryRowOf);
}
