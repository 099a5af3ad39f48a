/**
 * Building rows: one measured value, or one row without a value and the reason. Every experiment
 * makes its rows through these, so a row is `ok` with a number or `errored`/`unsupported` with a
 * reason, and its unit is always its metric's.
 */
import { METRICS, type MetricName, type OkSample, type SampleFields, type ValuelessSample } from './schema.js';

/** What a row says besides its metric, value and time: campaign, experiment, backend, accel, N, guest, repeat, ... */
export type RowFields = Omit<SampleFields, 'metric' | 'unit' | 'at'>;

/** One measured value. */
export function okRow(fields: RowFields, metric: MetricName, value: number, at = new Date().toISOString()): OkSample {
  return { ...fields, metric, value, unit: METRICS[metric], at, state: 'ok' };
}

/** One row without a value: the run failed (errored) or the host cannot do it (unsupported), and why. */
export function valuelessRow(
  fields: RowFields,
  metric: MetricName,
  state: ValuelessSample['state'],
  reason: string,
  at = new Date().toISOString(),
): ValuelessSample {
  return { ...fields, metric, value: null, unit: METRICS[metric], at, state, reason };
}
