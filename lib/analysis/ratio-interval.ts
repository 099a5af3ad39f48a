/**
 * The 95% interval of a ratio of two means, mean(b) / mean(a), by the delta method
 * (delta-interval.ts): for two independent samples (two campaigns), Welch's t on the log scale,
 * var(log ratio) ≈ s_a²/(n_a·m_a²) + s_b²/(n_b·m_b²) with Satterthwaite's degrees of freedom; for
 * two samples measured in the same repeats (cold boot and restore of one run), the paired form:
 * t on the per-repeat deviations of the log ratio, n − 1 degrees of freedom.
 */
import { deltaInterval, type DeltaInterval, type DeltaMethod } from './delta-interval.js';

/** An interval of mean(b) / mean(a), or why there is none. */
export type RatioInterval =
  | ({
      state: 'ok';
      /** mean(b) / mean(a) of the samples themselves */
      ratio: number;
      low: number;
      high: number;
    } & DeltaMethod)
  | {
      state: 'none';
      /** mean(b) / mean(a) where it exists, null where mean(a) is 0 */
      ratio: number | null;
      /** e.g. "too few repeats (n=2 and 3) for an interval" */
      reason: string;
    };

const RATIO = { ratio: [{ mean: 1 }, { mean: 0 }] } as const;

function asRatio(interval: DeltaInterval): RatioInterval {
  if (interval.state === 'none') return { state: 'none', ratio: interval.estimate, reason: interval.reason };
  const { estimate, ...rest } = interval;
  return { ...rest, ratio: estimate };
}

/**
 * Welch's interval of mean(b) / mean(a) for two independent samples: on the log scale where every
 * value is above 0, else linear (the delta method's variance of the ratio itself). Needs
 * MIN_INTERVAL_N values a side and mean(a) other than 0.
 */
export function welchRatioInterval(a: readonly number[], b: readonly number[], level = 0.95): RatioInterval {
  return asRatio(deltaInterval(RATIO, [{ values: a }, { values: b }], { level }));
}

/**
 * The paired interval of mean(b) / mean(a) where a[i] and b[i] come from the same repeat: the
 * per-repeat deviations b[i]/m_b − a[i]/m_a have the variance of the log ratio, so what a repeat
 * shares (a slow host moment) cancels; n − 1 degrees of freedom.
 */
export function pairedRatioInterval(a: readonly number[], b: readonly number[], level = 0.95): RatioInterval {
  if (a.length !== b.length)
    throw new RangeError(`a paired interval needs as many values a side, got ${a.length} and ${b.length}`);
  const units = a.map((_, index) => index);
  return asRatio(
    deltaInterval(
      RATIO,
      [
        { values: a, units, pairing: 'paired' },
        { values: b, units, pairing: 'paired' },
      ],
      { level },
    ),
  );
}
