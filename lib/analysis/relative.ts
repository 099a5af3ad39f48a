/**
 * Values relative to the bare host: the one comparison that holds across profiles and machines
 * (the thesis's 30000-prime run and a quick run differ in size, not in how N guests slow each other).
 */
import { backendDescriptor, type BackendName } from '../model/backends.js';
import type { Sample } from '../results/schema.js';
import { cellValues, type ObservationUnit } from './cell-values.js';
import { welchRatioInterval } from './ratio-interval.js';
import { summaryRowOf, type SummaryRow } from './summarize.js';
import type { ThesisPoint } from './thesis-points.js';

/** The baseline every ratio is to: the bare host running one copy of the workload. */
function isBaseline(item: { backend: BackendName; guests: number }): boolean {
  return backendDescriptor(item.backend).kind === 'host' && item.guests === 1;
}

/** The note the baseline's own row carries in place of an interval: it is 1 by definition. */
export const BASELINE_NOTE = 'the baseline (bare host, N=1): every ratio is to its mean';

/**
 * Each cell of `metric` as a ratio to the bare host's N=1 mean of the same metric, from a
 * campaign's samples (grouped as {@link cellValues} groups them, per repeat by default). The mean
 * is mean(cell) / mean(baseline); its 95% interval is Welch's on the log scale with Satterthwaite's
 * degrees of freedom ({@link welchRatioInterval}), so the baseline's own spread widens it: the two
 * cells ran as different backends or N, so their repeats are independent. Without an interval
 * (fewer than 3 repeats on either side) `intervalNote` says why. The baseline's row is exactly 1
 * with no interval and {@link BASELINE_NOTE}. sd, median, p95, min and max are the cell's own,
 * divided by the baseline's mean (the spread of the cell in baseline units). Empty without a
 * baseline or where its mean is 0.
 */
export function relativeToNative(
  samples: readonly Sample[],
  metric: string,
  options: { unit?: ObservationUnit } = {},
): SummaryRow[] {
  const cells = cellValues(samples, options).filter((cell) => cell.metric === metric);
  const baselineCell = cells.find(isBaseline);
  if (baselineCell === undefined) return [];
  const baseline = summaryRowOf(baselineCell).mean;
  if (baseline === 0) return [];
  const scale = (value: number | null) => (value === null ? null : value / baseline);
  return cells.map((cell) => {
    const row = summaryRowOf(cell);
    const scaled: SummaryRow = {
      ...row,
      unit: 'ratio',
      sd: scale(row.sd),
      median: row.median / baseline,
      p95: row.p95 / baseline,
      min: row.min / baseline,
      max: row.max / baseline,
    };
    if (cell === baselineCell)
      return { ...scaled, mean: 1, ciLow: null, ciHigh: null, interval: null, intervalNote: BASELINE_NOTE };
    const interval = welchRatioInterval(baselineCell.values, cell.values);
    const mean = row.mean / baseline;
    return interval.state === 'ok'
      ? {
          ...scaled,
          mean,
          ciLow: interval.low,
          ciHigh: interval.high,
          interval: interval.scale === 'log' ? 'log' : 't',
          intervalNote: null,
        }
      : { ...scaled, mean, ciLow: null, ciHigh: null, interval: null, intervalNote: interval.reason };
  });
}

/** The thesis's values of `metric` divided by its own native value; empty when it printed none. */
export function thesisRelativeToNative(points: readonly ThesisPoint[], metric: string): ThesisPoint[] {
  const baseline = points.find((point) => isBaseline(point) && point.metric === metric)?.value;
  if (baseline === undefined || baseline === 0) return [];
  return points
    .filter((point) => point.metric === metric)
    .map((point) => ({ ...point, value: point.value / baseline }));
}
