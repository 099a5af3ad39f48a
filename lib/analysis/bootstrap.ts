/**
 * Percentile bootstrap confidence interval of the ratio of two means, mean(b) / mean(a): each side
 * is resampled with replacement on its own (the two campaigns' repeats are independent, not
 * paired), with a seeded generator so the interval is the same on every run.
 */
import { mean, MIN_INTERVAL_N, quantileSorted } from './statistics.js';
import { seededRandom } from './seeded-random.js';

/** Options of {@link bootstrapRatioCi}. */
export interface BootstrapOptions {
  /** resamples (default 4000) */
  resamples?: number;
  /** seed of the generator (default 20160101) */
  seed?: number;
  /** coverage of the interval (default 0.95) */
  level?: number;
}

/** A bootstrap interval of mean(b) / mean(a), or why there is none. */
export type RatioInterval =
  | {
      state: 'ok';
      /** mean(b) / mean(a) of the samples themselves */
      ratio: number;
      low: number;
      high: number;
      resamples: number;
    }
  | {
      state: 'none';
      /** mean(b) / mean(a) where it exists, null where mean(a) is 0 */
      ratio: number | null;
      /** e.g. "too few repeats (n=2 and 3) for an interval" */
      reason: string;
    };

/** Default number of resamples: enough for stable 2.5% and 97.5% percentiles (~100 beyond each). */
export const DEFAULT_RESAMPLES = 4000;
const DEFAULT_SEED = 20160101;

function resampledMean(values: readonly number[], random: () => number): number {
  let sum = 0;
  for (let index = 0; index < values.length; index += 1) sum += values[Math.floor(random() * values.length)] as number;
  return sum / values.length;
}

/**
 * Percentile interval of mean(b) / mean(a). Needs at least MIN_INTERVAL_N values on each side and
 * values of `a` that are all positive (a ratio to a mean that a resample can make 0 or negative
 * has no meaning).
 */
export function bootstrapRatioCi(
  a: readonly number[],
  b: readonly number[],
  options: BootstrapOptions = {},
): RatioInterval {
  const ratio = a.length > 0 && b.length > 0 && mean(a) !== 0 ? mean(b) / mean(a) : null;
  if (a.length < MIN_INTERVAL_N || b.length < MIN_INTERVAL_N)
    return { state: 'none', ratio, reason: `too few repeats (n=${a.length} and ${b.length}) for an interval` };
  if (!a.every((value) => value > 0))
    return { state: 'none', ratio, reason: 'no ratio interval: the first campaign has values of 0 or below' };
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const level = options.level ?? 0.95;
  const random = seededRandom(options.seed ?? DEFAULT_SEED);
  const ratios = new Float64Array(resamples);
  for (let index = 0; index < resamples; index += 1)
    ratios[index] = resampledMean(b, random) / resampledMean(a, random);
  const sorted = [...ratios].sort((x, y) => x - y);
  return {
    state: 'ok',
    ratio: ratio as number,
    low: quantileSorted(sorted, (1 - level) / 2),
    high: quantileSorted(sorted, 1 - (1 - level) / 2),
    resamples,
  };
}
