/**
 * `--repeats auto`: whether a cell has enough repeats. The statistical unit is one repeat: each
 * primary metric's values of one repeat (one per guest) are averaged first; the cell is precise
 * when every primary metric's 95% interval of the mean (the one summaries print) has
 * a relative half-width at or below the rule's precision, after at least its minimum of repeats;
 * it stops at the cap either way. A precision target, unlike a target on the spread: a sample RSD
 * dips under 5% at three repeats by chance for about a fifth of cells whose true CV is 10%, while
 * the interval's width carries the t quantile and 1/√n, so a few lucky repeats cannot make it narrow.
 */
import type { CellStop, RepeatRule } from '../results/campaign-meta.js';
import type { Sample } from '../results/schema.js';
import { studentTQuantile } from '../util/student-t.js';

/** The fewest values an interval is computed from (statistics.ts's MIN_INTERVAL_N, which this layer cannot import). */
export const MIN_INTERVAL_N = 3;

export type { CellStop, RepeatRule };

/** The defaults `--repeats auto` documents. */
export const DEFAULT_REPEAT_RULE: RepeatRule = { minRepeats: 5, maxRepeats: 20, precision: 0.05 };

/** Sample relative standard deviation (sd with n - 1 over |mean|); null for fewer than 2 values or a zero mean. */
export function relativeSd(values: readonly number[]): number | null {
  if (values.length < 2) return null;
  if (values.every((value) => value === values[0])) return 0;
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  if (mean === 0) return null;
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1);
  return Math.sqrt(variance) / Math.abs(mean);
}

/**
 * The larger side of the 95% interval of the mean relative to the mean, for the interval summaries
 * print (statistics.ts): on the log scale for positive values, exp(t·rsd/√n) − 1; Student's t
 * where a value is 0 or below, t·sd/(√n·|mean|). 0 for equal values; null below MIN_INTERVAL_N
 * values or for a zero mean.
 */
export function relativeHalfWidth(values: readonly number[]): number | null {
  if (values.length < MIN_INTERVAL_N) return null;
  if (values.every((value) => value === values[0])) return 0;
  const rsd = relativeSd(values);
  if (rsd === null) return null;
  const half = (studentTQuantile(0.975, values.length - 1) * rsd) / Math.sqrt(values.length);
  return values.every((value) => value > 0) ? Math.expm1(half) : half;
}

/** "total_time" or "total_time/observer": a primary metric as a cell's rows carry it. */
function metricKey(sample: Pick<Sample, 'metric' | 'measured_by'>): string {
  return sample.measured_by === undefined ? sample.metric : `${sample.metric}/${sample.measured_by}`;
}

/**
 * Per primary metric, the per-repeat values (the guests of a repeat averaged) of a cell's `ok`
 * rows; a repeat counts only where every primary metric has a value.
 */
export function perRepeatValues(samples: readonly Sample[], primary: ReadonlySet<string>): Map<string, number[]> {
  const byRepeat = new Map<number, Map<string, number[]>>();
  for (const sample of samples) {
    const key = metricKey(sample);
    if (sample.state !== 'ok' || !primary.has(key)) continue;
    const metrics = byRepeat.get(sample.repeat) ?? new Map<string, number[]>();
    metrics.set(key, [...(metrics.get(key) ?? []), sample.value]);
    byRepeat.set(sample.repeat, metrics);
  }
  const values = new Map<string, number[]>([...primary].map((key) => [key, []]));
  for (const [, metrics] of [...byRepeat].sort(([a], [b]) => a - b)) {
    if (metrics.size < primary.size) continue;
    for (const [key, list] of metrics) values.get(key)?.push(list.reduce((sum, value) => sum + value, 0) / list.length);
  }
  return values;
}

/** The primary metric keys of a cell, from the rows it would get without a value. */
export function primaryKeys(valueless: readonly Sample[]): Set<string> {
  return new Set(valueless.map(metricKey));
}

/** The largest of per-metric figures, null when any is null. */
function largest(figures: readonly (number | null)[]): number | null {
  return figures.some((value) => value === null) ? null : Math.max(...(figures as number[]));
}

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

/**
 * Whether a cell stops now: precise (at least `minRepeats` measured, every primary metric's 95%
 * interval within ±`precision` of its mean), or at the cap (`ranRepeats` = the highest repeat
 * run); undefined to go on. A rule recorded with `maxRsd` (campaigns before 2026-12-08) stops on
 * the RSD as it did, so a resumed campaign decides the same way it started.
 */
export function stopDecision(
  cell: Pick<CellStop, 'backend' | 'guests' | 'config'>,
  values: ReadonlyMap<string, number[]>,
  ranRepeats: number,
  rule: RepeatRule,
): CellStop | undefined {
  const lists = [...values.values()];
  const measured = Math.min(...lists.map((list) => list.length));
  const rsd = largest(lists.map(relativeSd));
  const halfWidth = largest(lists.map(relativeHalfWidth));
  const base = {
    backend: cell.backend,
    guests: cell.guests,
    ...(cell.config === undefined ? {} : { config: cell.config }),
    repeats: measured,
    rsd,
    halfWidth,
  };
  if ('precision' in rule) {
    if (measured >= rule.minRepeats && halfWidth !== null && halfWidth <= rule.precision)
      return {
        ...base,
        reason: 'precise',
        words: `precise: 95% interval ±${percent(halfWidth)} <= ±${percent(rule.precision)} after ${measured} repeats`,
      };
  } else if (measured >= rule.minRepeats && rsd !== null && rsd <= rule.maxRsd)
    return {
      ...base,
      reason: 'stable',
      words: `stable: RSD ${percent(rsd)} <= ${percent(rule.maxRsd)} after ${measured} repeats`,
    };
  if (ranRepeats < rule.maxRepeats) return undefined;
  const [figure, target, label] =
    'precision' in rule ? [halfWidth, rule.precision, '95% interval ±'] : [rsd, rule.maxRsd, 'RSD '];
  const words =
    figure === null
      ? `cap of ${rule.maxRepeats} repeats reached with ${measured} measured (too few for ${'precision' in rule ? 'an interval' : 'an RSD'})`
      : `cap of ${rule.maxRepeats} repeats reached with ${label}${percent(figure)} > ${'precision' in rule ? '±' : ''}${percent(target)} (${measured} measured)`;
  return { ...base, reason: 'cap', words };
}
