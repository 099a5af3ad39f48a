/**
 * The "ours beside the thesis's" table every notebook shows: our mean with its 95% CI and n, the
 * thesis's value with where it is printed, and the ratio. The two never share a column.
 */
import type { Comparison } from '../analysis/compare.js';
import { isWorkloadTotal } from '../analysis/workload-totals.js';
import { seriesLabel } from '../model/backends.js';
import { htmlTable, type NotedText } from './html-table.js';
import { groupDecimals, intervalText } from './interval-text.js';
import { fixedText } from './number-text.js';

// "1.23 [1.10, 1.37]", or "1.23" footnoted with why there is no interval
function ours(comparison: Comparison, digits: number | undefined): string | NotedText {
  if (!comparison.ours) return '–';
  const places = digits ?? groupDecimals(comparison.ours);
  const average = fixedText(comparison.ours.mean, places);
  const interval = intervalText(comparison.ours, places);
  if (typeof interval !== 'string') return { text: average, note: interval.note };
  return interval ? `${average} ${interval}` : average;
}

/**
 * Renders comparisons as an HTML table: only the rows with a thesis value (what there is to
 * compare) when there are any, saying how many rows measured here only are left to the summary
 * table; all rows otherwise.
 */
export function comparisonHtml(
  comparisons: readonly Comparison[],
  caption: string,
  options: { digits?: number } = {},
): string {
  const digits = options.digits;
  const compared = comparisons.filter((row) => row.thesis);
  const rows = compared.length > 0 ? compared : comparisons;
  const left = comparisons.length - rows.length;
  const withheld = rows.some(
    (row) => row.ours && row.thesis && row.ratio === null && isWorkloadTotal(row.metric, row.unit),
  );
  const counted = [
    left > 0
      ? `${caption} (the ${rows.length} rows with a thesis value; ${left} more measured here only are in the summary table)`
      : caption,
    withheld
      ? 'Totals of the workload (times and counts of a whole run) get no ours / thesis: the two workloads differ in size; compare rates, per-request times or ratios to the bare host.'
      : '',
  ]
    .filter(Boolean)
    .join(' ');
  return htmlTable(
    rows,
    [
      { label: 'backend', value: (row) => seriesLabel(row.backend, row.accel) },
      { label: 'N', value: (row) => String(row.guests), align: 'right' },
      { label: 'metric', value: (row) => `${row.metric}${row.unit ? ` (${row.unit})` : ''}` },
      { label: 'this host: mean [95% CI]', value: (row) => ours(row, digits), align: 'right' },
      { label: 'n', value: (row) => (row.ours ? String(row.ours.n) : '–'), align: 'right' },
      {
        label: 'thesis',
        value: (row) => (row.thesis ? `${row.thesis.approximate ? '~' : ''}${row.thesis.value}` : '–'),
        align: 'right',
      },
      { label: 'printed at', value: (row) => row.thesis?.source ?? '' },
      { label: 'ours / thesis', value: (row) => row.ratio, digits: 2 },
    ],
    counted,
    { empty: 'nothing measured here and no thesis value for these cells.' },
  );
}
