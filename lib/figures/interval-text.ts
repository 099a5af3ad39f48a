/**
 * How tables print a mean with its 95% interval, and a mean without one: the reason it has none
 * (too few repeats) where the interval would be, never "null" or an empty bracket.
 */
import type { Stats } from '../analysis/statistics.js';

/** What a table needs of a group's statistics; `intervalNote` where the row says why it has no interval. */
export type IntervalStats = Pick<Stats, 'mean' | 'ciLow' | 'ciHigh' | 'n'> & Partial<Pick<Stats, 'intervalNote'>>;

/** "[1.100, 1.368]", or the reason there is none ("too few repeats (n=2) for an interval"), or "". */
export function intervalText(stats: IntervalStats, digits: number, scale = 1): string {
  if (stats.ciLow !== null && stats.ciHigh !== null)
    return `[${(stats.ciLow / scale).toFixed(digits)}, ${(stats.ciHigh / scale).toFixed(digits)}]`;
  return stats.intervalNote ?? '';
}

/** "1.234 [1.100, 1.368] n=3", "1.234 (too few repeats (n=2) for an interval)", or "1.234 n=1". */
export function meanWithInterval(stats: IntervalStats, digits: number, scale = 1): string {
  const average = (stats.mean / scale).toFixed(digits);
  if (stats.ciLow !== null && stats.ciHigh !== null)
    return `${average} ${intervalText(stats, digits, scale)} n=${stats.n}`;
  return stats.intervalNote ? `${average} (${stats.intervalNote})` : `${average} n=${stats.n}`;
}
