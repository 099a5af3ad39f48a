/**
 * A campaign's `ok` values per cell (experiment, backend, accelerator, N, configuration, metric and
 * who measured it), one value per observation: what summaries and comparisons take statistics of.
 */
import { backendRank, type BackendName } from '../model/backends.js';
import type { Accel, MeasuredBy, MetricName, OkSample, Sample, Unit } from '../results/schema.js';

/**
 * What one observation is:
 * - 'repeat' (default): the N guests' values of one repeat are averaged first, so n = repeats and
 *   the confidence interval is over independent runs (guests running together are not independent);
 * - 'guest': every guest's value in every repeat is one observation (n = N x repeats).
 */
export type ObservationUnit = 'repeat' | 'guest';

/** Where a value was measured: the fields that make two rows comparable. */
export interface CellKey {
  experiment: string;
  backend: BackendName;
  accel: Accel;
  guests: number;
  metric: MetricName;
  unit: Unit;
  /** the rows' configuration, where the experiment has several (migration) */
  config?: string;
  /** who measured the value, where two parties did (migration) */
  measured_by?: MeasuredBy;
}

/** One cell's values. */
export interface CellValues extends CellKey {
  /** one per observation (per repeat by default), in the order the repeats were recorded */
  values: number[];
  /**
   * the repeat each value comes from (1-based, as the rows carry it), beside `values`: two cells of
   * one campaign run together (the same backend, N and configuration) pair on it
   */
  repeats: number[];
  /** runs of the cell that errored (not counted in the values) */
  errored: number;
}

function cellOf(sample: Sample): string {
  return [sample.experiment, sample.backend, sample.accel, sample.guests, sample.config ?? ''].join('\u0000');
}

/** A string that is the same for two cells exactly when their keys are (unit aside: the metric fixes it). */
export function cellKeyString(key: CellKey): string {
  return [key.experiment, key.backend, key.accel, key.guests, key.config ?? '', key.metric, key.measured_by ?? ''].join(
    '\u0000',
  );
}

/** Orders cells by experiment, the backend table's order, accelerator, N, configuration, metric, vantage point. */
export function byCell(a: CellKey, b: CellKey): number {
  return (
    a.experiment.localeCompare(b.experiment) ||
    backendRank(a.backend) - backendRank(b.backend) ||
    a.accel.localeCompare(b.accel) ||
    a.guests - b.guests ||
    (a.config ?? '').localeCompare(b.config ?? '') ||
    a.metric.localeCompare(b.metric) ||
    (a.measured_by ?? '').localeCompare(b.measured_by ?? '')
  );
}

/** The `ok` values of every cell with at least one, in cell order. */
export function cellValues(samples: readonly Sample[], options: { unit?: ObservationUnit } = {}): CellValues[] {
  const unit = options.unit ?? 'repeat';
  const groups = new Map<string, Sample[]>();
  // an errored run has rows under one or a few metrics but counts once against every metric of its cell
  const erroredByCell = new Map<string, Set<string>>();
  for (const sample of samples) {
    if (sample.state === 'errored') {
      const runs = erroredByCell.get(cellOf(sample)) ?? new Set<string>();
      runs.add(`${sample.repeat}/${sample.guest}`);
      erroredByCell.set(cellOf(sample), runs);
    }
    const key = `${cellOf(sample)}\u0000${sample.metric}\u0000${sample.measured_by ?? ''}`;
    const group = groups.get(key);
    if (group) group.push(sample);
    else groups.set(key, [sample]);
  }
  const cells: CellValues[] = [];
  for (const group of groups.values()) {
    const ok = group.filter((sample): sample is OkSample => sample.state === 'ok');
    const first = ok[0];
    if (!first) continue;
    let values: number[];
    let repeats: number[];
    if (unit === 'guest') {
      values = ok.map((sample) => sample.value);
      repeats = ok.map((sample) => sample.repeat);
    } else {
      const byRepeat = new Map<number, number[]>();
      for (const sample of ok) byRepeat.set(sample.repeat, [...(byRepeat.get(sample.repeat) ?? []), sample.value]);
      values = [...byRepeat.values()].map((list) => list.reduce((sum, value) => sum + value, 0) / list.length);
      repeats = [...byRepeat.keys()];
    }
    cells.push({
      experiment: first.experiment,
      backend: first.backend,
      accel: first.accel,
      guests: first.guests,
      metric: first.metric,
      unit: first.unit,
      ...(first.config === undefined ? {} : { config: first.config }),
      ...(first.measured_by === undefined ? {} : { measured_by: first.measured_by }),
      values,
      repeats,
      errored: erroredByCell.get(cellOf(first))?.size ?? 0,
    });
  }
  return cells.sort(byCell);
}
