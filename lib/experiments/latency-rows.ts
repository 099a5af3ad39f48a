/**
 * The rows of the latency experiments: one measurement is one more guest, started (and stopped)
 * while N others run, so its rows are guest N + 1; a row without a value is about the whole cell
 * (guest 0) when unsupported. Which interval each metric is: lib/results/schema.ts METRICS and
 * docs/latency.md; the backends measure them (their timed start, save/restore).
 */
import type { MeasuredValues } from '../backends/capabilities.js';
import type { BackendName } from '../model/backends.js';
import { okRow, valuelessRow as valueless } from '../results/rows.js';
import type { Accel, MetricName, Sample } from '../results/schema.js';

/** The identity of one measurement: every row of it shares these fields. */
export interface MeasurementCell {
  campaign: string;
  experiment: string;
  backend: BackendName;
  accel: Accel;
  /** a container's OCI runtime */
  runtime?: string;
  /** guests already running (N) */
  guests: number;
  repeat: number;
  /** raw record of the measurement, relative to the campaign directory */
  raw?: string;
}

function fields(cell: MeasurementCell, guest: number) {
  return {
    campaign: cell.campaign,
    experiment: cell.experiment,
    backend: cell.backend,
    accel: cell.accel,
    ...(cell.runtime === undefined ? {} : { runtime: cell.runtime }),
    guests: cell.guests,
    guest,
    repeat: cell.repeat,
    ...(cell.raw === undefined ? {} : { raw: cell.raw }),
  };
}

/** Rows of measured values; the measured guest is guest N + 1 (the one more guest). */
export function okRows(cell: MeasurementCell, values: MeasuredValues, at = new Date().toISOString()): Sample[] {
  return values.map(([metric, value]) => okRow(fields(cell, cell.guests + 1), metric, value, at));
}

/** One valueless row (errored: the run failed; unsupported: the host cannot do it), with the reason. */
export function valuelessRow(
  cell: MeasurementCell,
  metric: MetricName,
  state: 'errored' | 'unsupported',
  reason: string,
  at = new Date().toISOString(),
): Sample {
  return valueless(fields(cell, state === 'unsupported' ? 0 : cell.guests + 1), metric, state, reason, at);
}
