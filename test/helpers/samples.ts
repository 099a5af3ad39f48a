/**
 * Rows for unit tests of the analysis and figure layers: an ok row of the given experiment, with
 * whatever fields a test sets (a valueless row sets `state`, `value: null` and `reason`).
 */
import { METRICS, type Sample, type SampleFields } from '../../lib/results/schema.js';

type RowOverrides = Partial<SampleFields> & { state?: Sample['state']; value?: number | null; reason?: string };

/** A row maker: `row({ guests: 4, value: 1.2 })` with `base` under the overrides (unit: the metric's). */
export function rowMaker(base: Partial<SampleFields>): (overrides?: RowOverrides) => Sample {
  return (overrides = {}) => {
    const metric = overrides.metric ?? base.metric ?? 'total_time';
    return {
      campaign: 'c',
      experiment: 'density-cpu',
      backend: 'docker',
      accel: 'none',
      guests: 1,
      guest: 1,
      repeat: 1,
      unit: METRICS[metric],
      at: '2026-11-21T00:00:00.000Z',
      state: 'ok',
      value: 1,
      ...base,
      metric,
      ...overrides,
    } as Sample;
  };
}
