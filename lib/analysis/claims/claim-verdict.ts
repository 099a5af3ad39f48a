/**
 * The verdict rule of a claim: the band its tolerance allows around the thesis's value, and where
 * our estimate's 95% interval lies against that band. Pure functions of numbers.
 */
import type { ClaimTolerance } from '../../thesis/index.js';

/** What a claim's evaluation concludes. */
export type ClaimVerdict = 'holds' | 'fails' | 'inconclusive' | 'not measured';

/** Every verdict, in the order tables count them. */
export const CLAIM_VERDICTS: readonly ClaimVerdict[] = ['holds', 'fails', 'inconclusive', 'not measured'];

/** The values of the quantity for which the claim holds: [low, high], either end open (infinite). */
export interface ClaimBand {
  low: number;
  high: number;
}

/** Our estimate of a claim's quantity: the value from the means, and its 95% interval or why none. */
export type ClaimEstimate =
  { value: number; interval: 'ok'; low: number; high: number } | { value: number; interval: 'none'; reason: string };

/** The band of `tolerance` around the thesis's value (null: the claim states a direction only). */
export function claimBand(tolerance: ClaimTolerance, thesisValue: number | null): ClaimBand {
  if ('above' in tolerance) return { low: tolerance.above, high: Infinity };
  if ('below' in tolerance) return { low: -Infinity, high: tolerance.below };
  if (thesisValue === null) throw new TypeError('a band around the thesis needs its value');
  if ('factor' in tolerance) return { low: thesisValue / tolerance.factor, high: thesisValue * tolerance.factor };
  if ('within' in tolerance)
    return { low: thesisValue * (1 - tolerance.within), high: thesisValue * (1 + tolerance.within) };
  return { low: thesisValue - tolerance.plusMinus, high: thesisValue + tolerance.plusMinus };
}

/** A verdict on numbers, and the reason where it is not a plain yes or no. */
export interface EstimateVerdict {
  verdict: Exclude<ClaimVerdict, 'not measured'>;
  /** why the verdict is inconclusive; null for holds and fails */
  reason: string | null;
}

/**
 * Holds when the whole 95% interval lies in the band, fails when the whole interval lies outside
 * it, inconclusive when the interval crosses an edge of the band (the data cannot tell which) or
 * when there is no interval (too few repeats): a point estimate alone never decides.
 */
export function estimateVerdict(estimate: ClaimEstimate, band: ClaimBand): EstimateVerdict {
  if (estimate.interval === 'none') return { verdict: 'inconclusive', reason: estimate.reason };
  const { low, high } = estimate;
  if (low >= band.low && high <= band.high) return { verdict: 'holds', reason: null };
  if (high < band.low || low > band.high) return { verdict: 'fails', reason: null };
  const edge = low < band.low ? band.low : band.high;
  return {
    verdict: 'inconclusive',
    reason: `the 95% interval [${formatClaimNumber(low)}, ${formatClaimNumber(high)}] crosses the band's edge ${formatClaimNumber(edge)}`,
  };
}

/** A number at the precision a claim's figures carry: three significant digits, no exponent below 1e6. */
export function formatClaimNumber(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  const size = Math.abs(value);
  if (size >= 100) return value.toFixed(0);
  if (size >= 10) return value.toFixed(1);
  if (size >= 1 || size === 0) return value.toFixed(2);
  return value.toPrecision(3);
}
