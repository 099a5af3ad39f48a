/**
 * Descriptive statistics in double precision (danfojs computes in float32, too coarse for latencies).
 */

/** Two-sided 95% quantiles of Student's t for 1..30 degrees of freedom. */
const T_975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** The 0.975 quantile of Student's t with `df` degrees of freedom. */
export function tQuantile975(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new RangeError(`degrees of freedom must be a positive integer, got ${df}`);
  const tabled = T_975[df - 1];
  if (tabled !== undefined) return tabled;
  // Cornish-Fisher expansion around the normal quantile; error < 1e-3 beyond 30 df
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2);
}

/** Summary statistics of one group of values. */
export interface Stats {
  n: number;
  mean: number;
  /** sample standard deviation (n - 1); null for n < 2 */
  sd: number | null;
  /** 95% confidence interval of the mean (Student's t); null for n < 2 */
  ciLow: number | null;
  ciHigh: number | null;
  median: number;
  /** 95th percentile, linear interpolation between order statistics */
  p95: number;
  min: number;
  max: number;
  /** relative standard deviation, sd / mean; null for n < 2 or mean 0 */
  rsd: number | null;
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

/** Statistics of a non-empty list of values. */
export function describe(values: readonly number[]): Stats {
  if (values.length === 0) throw new RangeError('statistics of no values');
  const n = values.length;
  const sorted = [...values].sort((a, b) => a - b);
  const mean = values.reduce((sum, value) => sum + value, 0) / n;
  const sd = n < 2 ? null : Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (n - 1));
  const half = sd === null ? null : (tQuantile975(n - 1) * sd) / Math.sqrt(n);
  return {
    n,
    mean,
    sd,
    ciLow: half === null ? null : mean - half,
    ciHigh: half === null ? null : mean + half,
    median: quantileSorted(sorted, 0.5),
    p95: quantileSorted(sorted, 0.95),
    min: sorted[0] as number,
    max: sorted[n - 1] as number,
    rsd: sd === null || mean === 0 ? null : sd / Math.abs(mean),
  };
}
