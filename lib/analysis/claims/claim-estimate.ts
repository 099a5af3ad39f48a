/**
 * Our estimate of a claim's quantity from its cells' per-repeat values: the quantity computed from
 * the cells' means, and a 95% percentile bootstrap interval (bootstrap.ts's method: each cell
 * resampled on its own, 4000 times, seeded). A plain ratio of two cells is bootstrap.ts's own
 * `bootstrapRatioCi`; a compound quantity (a difference, a ratio of ratios) resamples every cell
 * the same way and computes the quantity from each resample's means. No interval below
 * MIN_INTERVAL_N repeats in any cell (statistics.ts), nor for a ratio to a mean that can be 0.
 */
import { isClaimTerm, type ClaimQuantity } from '../../thesis/index.js';
import { bootstrapRatioCi, DEFAULT_RESAMPLES } from '../bootstrap.js';
import { seededRandom } from '../seeded-random.js';
import { mean, MIN_INTERVAL_N, quantileSorted } from '../statistics.js';
import type { ClaimCell } from './claim-cells.js';
import type { ClaimEstimate } from './claim-verdict.js';

// the same seed as bootstrap.ts, so a claim's interval is the same on every run and machine
const SEED = 20160101;

/** The quantity computed from one mean per cell (`means` in the order claimTerms() lists the cells). */
function compute(quantity: ClaimQuantity, means: readonly number[], start = { next: 0 }): number {
  if (isClaimTerm(quantity)) return means[start.next++] as number;
  const [a, b] = 'ratio' in quantity ? quantity.ratio : quantity.difference;
  const left = compute(a, means, start);
  const right = compute(b, means, start);
  return 'ratio' in quantity ? left / right : left - right;
}

/** Whether every cell that ends up below a ratio's bar is positive in every repeat. */
function denominatorsPositive(
  quantity: ClaimQuantity,
  cells: readonly ClaimCell[],
  start = { next: 0 },
  below = false,
): boolean {
  if (isClaimTerm(quantity)) {
    const cell = cells[start.next++] as ClaimCell;
    return !below || cell.values.every((value) => value > 0);
  }
  const [a, b] = 'ratio' in quantity ? quantity.ratio : quantity.difference;
  const left = denominatorsPositive(a, cells, start, below);
  const right = denominatorsPositive(b, cells, start, below || 'ratio' in quantity);
  return left && right;
}

function resampledMean(values: readonly number[], random: () => number): number {
  let sum = 0;
  for (let index = 0; index < values.length; index += 1) sum += values[Math.floor(random() * values.length)] as number;
  return sum / values.length;
}

/** The claim's quantity from `cells` (findClaimCells' order) with its 95% interval, or why none. */
export function claimEstimate(quantity: ClaimQuantity, cells: readonly ClaimCell[]): ClaimEstimate {
  const value = compute(
    quantity,
    cells.map((cell) => mean(cell.values)),
  );
  const fewest = Math.min(...cells.map((cell) => cell.values.length));
  if (fewest < MIN_INTERVAL_N)
    return { value, interval: 'none', reason: `too few repeats (n=${fewest}) for an interval` };
  if (!denominatorsPositive(quantity, cells))
    return { value, interval: 'none', reason: 'no interval: a ratio is taken to values of 0 or below' };
  const [top, bottom] = cells;
  if ('ratio' in quantity && cells.length === 2 && isClaimTerm(quantity.ratio[0]) && top && bottom) {
    const ratio = bootstrapRatioCi(bottom.values, top.values);
    return ratio.state === 'ok'
      ? { value, interval: 'ok', low: ratio.low, high: ratio.high }
      : { value, interval: 'none', reason: ratio.reason };
  }
  const random = seededRandom(SEED);
  const draws: number[] = [];
  for (let index = 0; index < DEFAULT_RESAMPLES; index += 1) {
    const draw = compute(
      quantity,
      cells.map((cell) => resampledMean(cell.values, random)),
    );
    if (Number.isFinite(draw)) draws.push(draw);
  }
  draws.sort((a, b) => a - b);
  return { value, interval: 'ok', low: quantileSorted(draws, 0.025), high: quantileSorted(draws, 0.975) };
}
