/**
 * Our estimate of a claim's quantity from its cells' values: the quantity computed from the cells'
 * means, and its 95% interval by the delta method with Satterthwaite's degrees of freedom
 * (delta-interval.ts): on the log scale when the quantity is a product or quotient of positive
 * means, linear when it has a difference. Cells measured in the same run (cold boot and restore of
 * one backend) pair repeat by repeat; pooled cells have one value per configuration and pair by
 * configuration. No interval below MIN_INTERVAL_N values in any cell (statistics.ts), nor for a
 * ratio to values that can be 0.
 */
import { isClaimTerm, type ClaimQuantity } from '../../thesis/index.js';
import { deltaInterval, type MeanExpression } from '../delta-interval.js';
import { mean, MIN_INTERVAL_N } from '../statistics.js';
import type { ClaimCell } from './claim-cells.js';
import type { ClaimEstimate } from './claim-verdict.js';

/** The quantity as an expression over the cells' means, in the order claimTerms() lists the cells. */
function expression(quantity: ClaimQuantity, start = { next: 0 }): MeanExpression {
  if (isClaimTerm(quantity)) return { mean: start.next++ };
  const [a, b] = 'ratio' in quantity ? quantity.ratio : quantity.difference;
  const left = expression(a, start);
  const right = expression(b, start);
  return 'ratio' in quantity ? { ratio: [left, right] } : { difference: [left, right] };
}

/** The quantity computed from one mean per cell. */
function compute(quantity: MeanExpression, means: readonly number[]): number {
  if ('mean' in quantity) return means[quantity.mean] as number;
  const [a, b] = 'ratio' in quantity ? quantity.ratio : quantity.difference;
  return 'ratio' in quantity ? compute(a, means) / compute(b, means) : compute(a, means) - compute(b, means);
}

/** Whether every cell that ends up below a ratio's bar is positive in every value. */
function denominatorsPositive(quantity: MeanExpression, cells: readonly ClaimCell[], below = false): boolean {
  if ('mean' in quantity) return !below || (cells[quantity.mean] as ClaimCell).values.every((value) => value > 0);
  const [a, b] = 'ratio' in quantity ? quantity.ratio : quantity.difference;
  return denominatorsPositive(a, cells, below) && denominatorsPositive(b, cells, below || 'ratio' in quantity);
}

/** The claim's quantity from `cells` (findClaimCells' order) with its 95% interval, or why none. */
export function claimEstimate(quantity: ClaimQuantity, cells: readonly ClaimCell[]): ClaimEstimate {
  const tree = expression(quantity);
  const value = compute(
    tree,
    cells.map((cell) => mean(cell.values)),
  );
  const fewest = cells.reduce((low, cell) => (cell.values.length < low.values.length ? cell : low));
  if (fewest.values.length < MIN_INTERVAL_N) {
    const what = fewest.units.some((unit) => typeof unit === 'string') ? 'configurations' : 'repeats';
    return { value, interval: 'none', reason: `too few ${what} (n=${fewest.values.length}) for an interval` };
  }
  if (!denominatorsPositive(tree, cells))
    return { value, interval: 'none', reason: 'no interval: a ratio is taken to values of 0 or below' };
  const interval = deltaInterval(
    tree,
    cells.map((cell) => ({ values: cell.values, units: cell.units, pairing: cell.pairing })),
  );
  return interval.state === 'ok'
    ? { value, interval: 'ok', low: interval.low, high: interval.high }
    : { value, interval: 'none', reason: interval.reason };
}
