/**
 * The summary table every notebook ends with: one line per backend (with its accelerator), N or
 * configuration, metric (and vantage point where two parties measured), with n, mean, spread and
 * the 95% interval (or why there is none: too few repeats).
 */
import type { SummaryRow } from '../analysis/summarize.js';
import { seriesLabel } from '../model/backends.js';
import { htmlTable, type Column } from './html-table.js';
import { groupDecimals, intervalText } from './interval-text.js';
import { fixedText } from './number-text.js';

/** Options of {@link summaryTableHtml}. */
export interface SummaryTableOptions {
  caption: string;
  /** only these metrics (default every metric) */
  metrics?: readonly string[];
  /** decimal places (default: about 3 significant digits of each row's mean) */
  digits?: number;
  /** add the experiment column (a notebook reading two campaigns) */
  experiment?: boolean;
  /** configuration and vantage point instead of N (migration) */
  configurations?: boolean;
  /** add the median */
  median?: boolean;
}

/** The summary as an HTML table. */
export function summaryTableHtml(summary: readonly SummaryRow[], options: SummaryTableOptions): string {
  const places = (row: SummaryRow): number => options.digits ?? groupDecimals(row);
  const rows = options.metrics ? summary.filter((row) => options.metrics?.includes(row.metric)) : summary;
  const columns: Array<Column<SummaryRow> | false> = [
    options.experiment === true && { label: 'experiment', value: (row) => row.experiment },
    { label: 'guest', value: (row) => seriesLabel(row.backend, row.accel) },
    options.configurations === true
      ? { label: 'configuration', value: (row) => row.config ?? '' }
      : { label: 'N', value: (row) => String(row.guests), align: 'right' },
    { label: 'metric', value: (row) => `${row.metric} (${row.unit})` },
    options.configurations === true && { label: 'measured by', value: (row) => row.measured_by ?? '' },
    { label: 'n', value: (row) => String(row.n), align: 'right' },
    { label: 'mean', value: (row) => fixedText(row.mean, places(row)), align: 'right' },
    { label: 'sd', value: (row) => (row.sd === null ? null : fixedText(row.sd, places(row))), align: 'right' },
    { label: '95% CI of the mean', value: (row) => intervalText(row, places(row)), align: 'right' },
    options.median === true && {
      label: 'median',
      value: (row) => fixedText(row.median, places(row)),
      align: 'right',
    },
    { label: 'errored', value: (row) => String(row.errored), align: 'right' },
  ];
  return htmlTable(
    rows,
    columns.filter((column): column is Column<SummaryRow> => column !== false),
    options.caption,
  );
}
