/**
 * Descriptive statistics in double precision (danfojs computes in float32, too coarse for latencies),
 * with a 95% interval of the mean that means what it says (docs/statistics.md): on the log scale for
 * a strictly positive quantity, so it never reaches below zero; Student's t where values can be 0 or
 * negative; none at all below {@link MIN_INTERVAL_N} values.
 */

/** Two-sided 95% quantiles of Student's t for 1..30 degrees of freedom. */
const T_975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/**
 * The fewest values a 95% interval is computed from. With n = 2 the t quantile is 12.7 and the
 * interval spans about nine standard deviations of one sample either side: it says nothing a
 * reader can use, so no interval is drawn and the row says why instead.
 */
export const MIN_INTERVAL_N = 3;

/** The 0.975 quantile of Student's t with `df` degrees of freedom. */
export function tQuantile975(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new RangeError(`degrees of freedom must be a positive integer, got ${df}`);
  const tabled = T_975[df - 1];
  if (tabled !== undefined) return tabled;
  // Cornish-Fisher expansion around the normal quantile; error < 1e-3 beyond 30 df
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2);
}

/**
 * How a 95% interval of the mean was computed:
 * - 'log': every value is > 0; the delta-method interval of the mean on the log scale,
 *   mean × exp(±t·(sd/mean)/√n): positive, contains the mean, wider above than below, and the
 *   same as the t interval when the relative spread is small;
 * - 't': some value is 0 or negative (a difference, a count that can be 0); mean ± t·sd/√n.
 */
export type IntervalMethod = 'log' | 't';

/** Summary statistics of one group of values. */
export interface Stats {
  n: number;
  mean: number;
  /** sample standard deviation (n - 1); null for n < 2 */
  sd: number | null;
  /** 95% confidence interval of the mean (see `interval`); null for n < MIN_INTERVAL_N */
  ciLow: number | null;
  ciHigh: number | null;
  /** how the interval was computed; null when there is none */
  interval: IntervalMethod | null;
  /** why there is no interval, e.g. "too few repeats (n=2) for an interval"; null when there is one */
  intervalNote: string | null;
  median: number;
  /** 95th percentile, linear interpolation between order statistics */
  p95: number;
  min: number;
  max: number;
  /** relative standard deviation, sd / mean; null for n < 2 or mean 0 */
  rsd: number | null;
}

/** The words a row carries when it has too few values for an interval. */
export function tooFewForInterval(n: number): string {
  return `too few repeats (n=${n}) for an interval`;
}

/** Quantile q in [0, 1] of sorted values, linear interpolation (type 7, as R and numpy default). */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of no values');
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sorted[lower] as number;
  const high = sorted[upper] as number;
  return low + (high - low) * (position - lower);
}

/** The arithmetic mean of a non-empty list. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('mean of no values');
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Options of {@link describe}. */
export interface DescribeOptions {
  /**
   * true: the quantity can be 0 or negative whatever these values are (a difference such as
   * cold − restore), so the t interval is used even when every value is positive
   */
  signed?: boolean;
}

/** The 95% interval of the mean of `values` (n >= 2, sd known), by the method the values allow. */
function meanInterval(
  values: readonly number[],
  average: number,
  sd: number,
  signed: boolean,
): { ciLow: number; ciHigh: number; interval: IntervalMethod } {
  const n = values.length;
  const t = tQuantile975(n - 1);
  if (!signed && values.every((value) => value > 0)) {
    // delta method: sd(log mean) ≈ (sd / mean) / √n
    const factor = Math.exp((t * (sd / average)) / Math.sqrt(n));
    return { ciLow: average / factor, ciHigh: average * factor, interval: 'log' };
  }
  const half = (t * sd) / Math.sqrt(n);
  return { ciLow: average - half, ciHigh: average + half, interval: 't' };
}

/** Statistics of a non-empty list of values. */
export function describe(values: readonly number[], options: DescribeOptions = {}): Stats {
  if (values.length === 0) throw new RangeError('statistics of no values');
  const n = values.length;
  const sorted = [...values].sort((a, b) => a - b);
  const average = mean(values);
  const sd = n < 2 ? null : Math.sqrt(values.reduce((sum, value) => sum + (value - average) ** 2, 0) / (n - 1));
  const interval =
    sd === null || n < MIN_INTERVAL_N
      ? { ciLow: null, ciHigh: null, interval: null, intervalNote: tooFewForInterval(n) }
      : { ...meanInterval(values, average, sd, options.signed === true), intervalNote: null };
  return {
    n,
    mean: average,
    sd,
    ...interval,
    median: quantileSorted(sorted, 0.5),
    p95: quantileSorted(sorted, 0.95),
    min: sorted[0] as number,
    max: sorted[n - 1] as number,
    rsd: sd === null || average === 0 ? null : sd / Math.abs(average),
  };
}
