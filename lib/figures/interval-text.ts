/**
 * How tables print a mean with its 95% interval, and a mean without one: the mean with its n, and
 * the reason there is no interval (too few repeats) as a footnote of the table, printed once
 * however many cells share it; never "null" or an empty bracket.
 */
import type { Stats } from '../analysis/statistics.js';
import type { NotedText } from './html-table.js';
import { decimalsFor, fixedText } from './number-text.js';

/** What a table needs of a group's statistics; `intervalNote` where the row says why it has no interval. */
export type IntervalStats = Pick<Stats, 'mean' | 'ciLow' | 'ciHigh' | 'n'> &
  Partial<Pick<Stats, 'intervalNote' | 'sd'>>;

/** The decimals a group's numbers print with: about 3 significant digits of its mean (of `sd` when the mean is 0). */
export function groupDecimals(stats: Pick<Stats, 'mean'> & Partial<Pick<Stats, 'sd'>>, scale = 1): number {
  const reference = stats.mean !== 0 ? stats.mean : (stats.sd ?? 0);
  return decimalsFor(reference / scale);
}

/**
 * "[1.100, 1.368]"; without an interval, a dash footnoted with the reason ("too few repeats (n=2)
 * for an interval"), or "". `digits` fixes the decimals; by default the group's own ({@link groupDecimals}).
 */
export function intervalText(stats: IntervalStats, digits?: number, scale = 1): string | NotedText {
  const places = digits ?? groupDecimals(stats, scale);
  if (stats.ciLow !== null && stats.ciHigh !== null)
    return `[${fixedText(stats.ciLow / scale, places)}, ${fixedText(stats.ciHigh / scale, places)}]`;
  return stats.intervalNote ? { text: '–', note: stats.intervalNote } : '';
}

/**
 * "1.234 [1.100, 1.368] n=3"; "1.234 n=2" footnoted with why there is no interval; "1.234 n=1".
 * `digits` fixes the decimals; by default the group's own.
 */
export function meanWithInterval(stats: IntervalStats, digits?: number, scale = 1): string | NotedText {
  const places = digits ?? groupDecimals(stats, scale);
  const mean = fixedText(stats.mean / scale, places);
  const interval = intervalText(stats, places, scale);
  if (typeof interval === 'string') return interval ? `${mean} ${interval} n=${stats.n}` : `${mean} n=${stats.n}`;
  return { text: `${mean} n=${stats.n}`, note: interval.note };
}
