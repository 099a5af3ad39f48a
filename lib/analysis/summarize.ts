/**
 * Summaries of a campaign's rows per backend, accelerator, N and metric.
 */
import type { Accel, BackendName, MetricName, Sample, Unit } from '../results/schema.js';
import { describe, type Stats } from './statistics.js';

/** One summarized group. */
export interface SummaryRow extends Stats {
  experiment: string;
  backend: BackendName;
  accel: Accel;
  guests: number;
  metric: MetricName;
  unit: Unit;
  /** rows in the group that were errored (not counted in n) */
  errored: number;
}

/**
 * What one observation is:
 * - 'repeat' (default): the N guests' values of one repeat are averaged first, so n = repeats and
 *   the confidence interval is over independent runs (guests running together are not independent);
 * - 'guest': every guest's value in every repeat is one observation (n = N x repeats).
 */
export type ObservationUnit = 'repeat' | 'guest';

function cellOf(sample: Sample): string {
  return [sample.experiment, sample.backend, sample.accel, sample.guests].join('\u0000');
}

/** Summarizes `ok` rows per (experiment, backend, accel, guests, metric), sorted by those keys. */
export function summarize(samples: readonly Sample[], options: { unit?: ObservationUnit } = {}): SummaryRow[] {
  const unit = options.unit ?? 'repeat';
  const groups = new Map<string, Sample[]>();
  // an errored run is one row (under total_time) but counts against every metric of its cell
  const erroredByCell = new Map<string, number>();
  for (const sample of samples) {
    if (sample.state === 'errored') erroredByCell.set(cellOf(sample), (erroredByCell.get(cellOf(sample)) ?? 0) + 1);
    const key = `${cellOf(sample)}\u0000${sample.metric}`;
    const group = groups.get(key);
    if (group) group.push(sample);
    else groups.set(key, [sample]);
  }
  const rows: SummaryRow[] = [];
  for (const group of groups.values()) {
    const ok = group.filter((sample): sample is Sample & { value: number } => sample.state === 'ok' && sample.value !== null);
    const first = ok[0];
    if (!first) continue;
    let values: number[];
    if (unit === 'guest') {
      values = ok.map((sample) => sample.value);
    } else {
      const byRepeat = new Map<number, number[]>();
      for (const sample of ok) byRepeat.set(sample.repeat, [...(byRepeat.get(sample.repeat) ?? []), sample.value]);
      values = [...byRepeat.values()].map((list) => list.reduce((sum, value) => sum + value, 0) / list.length);
    }
    rows.push({
      experiment: first.experiment,
      backend: first.backend,
      accel: first.accel,
      guests: first.guests,
      metric: first.metric,
      unit: first.unit,
      errored: erroredByCell.get(cellOf(first)) ?? 0,
      ...describe(values),
    });
  }
  const order: Record<BackendName, number> = { native: 0, docker: 1, kvm: 2 };
  return rows.sort(
    (a, b) =>
      a.experiment.localeCompare(b.experiment) || order[a.backend] - order[b.backend] || a.accel.localeCompare(b.accel) || a.guests - b.guests || a.metric.localeCompare(b.metric),
  );
}
