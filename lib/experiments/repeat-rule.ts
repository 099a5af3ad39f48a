/**
 * `--repeats auto`: whether a cell has enough repeats. The statistical unit is one repeat: each
 * primary metric's values of one repeat (one per guest) are averaged first; the cell is stable when
 * every primary metric's per-repeat values have a relative standard deviation at or below the
 * rule's, after at least its minimum of repeats; it stops at the cap either way.
 */
import type { CellStop, RepeatRule } from '../results/campaign-meta.js';
import type { Sample } from '../results/schema.js';

export type { CellStop, RepeatRule };

/** The defaults `--repeats auto` documents. */
export const DEFAULT_REPEAT_RULE: RepeatRule = { minRepeats: 3, maxRepeats: 20, maxRsd: 0.05 };

/** Sample relative standard deviation (sd with n - 1 over |mean|); null for fewer than 2 values or a zero mean. */
export function relativeSd(values: readonly number[]): number | null {
  if (values.length < 2) return null;
  if (values.every((value) => value === values[0])) return 0;
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  if (mean === 0) return null;
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1);
  return Math.sqrt(variance) / Math.abs(mean);
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

/**
 * Whether a cell stops now: stable (at least `minRepeats` measured, every RSD <= `maxRsd`), or at
 * the cap (`ranRepeats` = the highest repeat run); undefined to go on.
 */
export function stopDecision(
  cell: Pick<CellStop, 'backend' | 'guests' | 'config'>,
  values: ReadonlyMap<string, number[]>,
  ranRepeats: number,
  rule: RepeatRule,
): CellStop | undefined {
  const lists = [...values.values()];
  const measured = Math.min(...lists.map((list) => list.length));
  const rsds = lists.map(relativeSd);
  const rsd = rsds.some((value) => value === null) ? null : Math.max(...(rsds as number[]));
  const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
  const base = {
    backend: cell.backend,
    guests: cell.guests,
    ...(cell.config === undefined ? {} : { config: cell.config }),
  };
  if (measured >= rule.minRepeats && rsd !== null && rsd <= rule.maxRsd)
    return {
      ...base,
      repeats: measured,
      rsd,
      reason: 'stable',
      words: `stable: RSD ${percent(rsd)} <= ${percent(rule.maxRsd)} after ${measured} repeats`,
    };
  if (ranRepeats >= rule.maxRepeats)
    return {
      ...base,
      repeats: measured,
      rsd,
      reason: 'cap',
      words:
        rsd === null
          ? `cap of ${rule.maxRepeats} repeats reached with ${measured} measured (too few for an RSD)`
          : `cap of ${rule.maxRepeats} repeats reached with RSD ${percent(rsd)} > ${percent(rule.maxRsd)} (${measured} measured)`,
    };
  return undefined;
}
