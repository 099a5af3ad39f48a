/**
 * Values relative to the bare host: the one comparison that holds across profiles and machines
 * (the thesis's 30000-prime run and a quick run differ in size, not in how N guests slow each other).
 */
import { backendDescriptor, type BackendName } from '../model/backends.js';
import type { SummaryRow } from './summarize.js';
import type { ThesisPoint } from './thesis-points.js';

/** The baseline every ratio is to: the bare host running one copy of the workload. */
function isBaseline(item: { backend: BackendName; guests: number }): boolean {
  return backendDescriptor(item.backend).kind === 'host' && item.guests === 1;
}

/**
 * Divides each row of `metric` by the native N=1 mean of the same metric (the baseline's own
 * uncertainty is not propagated: the CI is that of the numerator, scaled). Empty without a baseline.
 */
export function relativeToNative(summary: readonly SummaryRow[], metric: string): SummaryRow[] {
  const baseline = summary.find((row) => isBaseline(row) && row.metric === metric)?.mean;
  if (baseline === undefined || baseline === 0) return [];
  const scale = (value: number | null) => (value === null ? null : value / baseline);
  return summary
    .filter((row) => row.metric === metric)
    .map((row) => ({
      ...row,
      unit: 'ratio',
      mean: row.mean / baseline,
      sd: scale(row.sd),
      ciLow: scale(row.ciLow),
      ciHigh: scale(row.ciHigh),
      median: row.median / baseline,
      p95: row.p95 / baseline,
      min: row.min / baseline,
      max: row.max / baseline,
    }));
}

/** The thesis's values of `metric` divided by its own native value; empty when it printed none. */
export function thesisRelativeToNative(points: readonly ThesisPoint[], metric: string): ThesisPoint[] {
  const baseline = points.find((point) => isBaseline(point) && point.metric === metric)?.value;
  if (baseline === undefined || baseline === 0) return [];
  return points
    .filter((point) => point.metric === metric)
    .map((point) => ({ ...point, value: point.value / baseline }));
}
