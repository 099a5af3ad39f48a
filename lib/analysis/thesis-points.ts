/**
 * The thesis's transcribed numbers (data/thesis/) in the shapes the figures and tables take.
 */
import type { ThesisPoint } from '../figures/density-figures.js';
import type { ThesisHostValue } from '../figures/host-table.js';
import { isNumericRow, loadThesisRows, type ThesisRow } from '../thesis/index.js';

/** Where a thesis row is printed, e.g. "Table 5.1, line 1230", with its inconsistency ids. */
export function sourceText(row: ThesisRow): string {
  const flagged = row.inconsistencies.length > 0 ? `; inconsistent: ${row.inconsistencies.join(', ')}` : '';
  return `${row.source.ref}, line ${row.source.line}${flagged}`;
}

/**
 * The thesis's per-backend, per-N values of one experiment (means and plain values; comparisons,
 * parameters and restatements are left out), ready to plot and join with ours.
 */
export function thesisPoints(experiment: string, dir?: string): ThesisPoint[] {
  return loadThesisRows(dir)
    .filter(isNumericRow)
    .filter(
      (row) => row.experiment === experiment && row.backend !== null && row.guests !== null && row.restates === null,
    )
    .filter((row) => row.statistic === 'mean' || row.statistic === 'value')
    .map((row) => ({
      backend: row.backend as ThesisPoint['backend'],
      guests: row.guests as number,
      metric: row.metric,
      value: row.value,
      approximate: row.approximate,
      source: sourceText(row),
    }));
}

/** The thesis's Table 4.1 and the versions it names. */
export function thesisHostValues(dir?: string): ThesisHostValue[] {
  return loadThesisRows(dir)
    .filter((row) => row.experiment === 'host')
    .map((row) => ({ metric: row.metric, value: row.value, unit: row.unit }));
}
