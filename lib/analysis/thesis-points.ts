/**
 * The thesis's transcribed numbers (data/thesis/) in the shapes the figures and tables take.
 */
import type { BackendName } from '../model/backends.js';
import { isNumericRow, loadThesisRows, type ThesisRow } from '../thesis/index.js';

/** A value the thesis printed, reduced to what a figure needs. */
export interface ThesisPoint {
  backend: BackendName;
  guests: number;
  metric: string;
  value: number;
  /** the thesis said "around", "almost" ... */
  approximate: boolean;
  /** where it is printed, e.g. "Figure 4.1 text, line 987" */
  source: string;
}

/** One line of the thesis's Table 4.1 (or its software versions), as transcribed. */
export interface ThesisHostValue {
  metric: string;
  value: string | number;
  unit: string | null;
}

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
