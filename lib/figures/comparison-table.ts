/**
 * The "ours beside the thesis's" table every notebook shows: our mean with its 95% CI and n, the
 * thesis's value with where it is printed, and the ratio. The two never share a column.
 */
import type { Comparison } from '../analysis/compare.js';
import { isWorkloadTotal } from '../analysis/workload-totals.js';
import { seriesLabel } from '../model/backends.js';
import { escapeHtml, htmlTable, type NotedText } from './html-table.js';
import { groupDecimals, intervalText } from './interval-text.js';
import { fixedText, printedText } from './number-text.js';

// "1.23 [1.10, 1.37]", or "1.23" footnoted with why there is no interval
function ours(comparison: Comparison, digits: number | undefined): string | NotedText {
  if (!comparison.ours) return '–';
  const places = digits ?? groupDecimals(comparison.ours);
  const average = fixedText(comparison.ours.mean, places);
  const interval = intervalText(comparison.ours, places);
  if (typeof interval !== 'string') return { text: average, note: interval.note };
  return interval ? `${average} ${interval}` : average;
}

/** Options of {@link comparisonHtml}. */
export interface ComparisonHtmlOptions {
  /** decimals of our means (default: each row's own, about 3 significant digits) */
  digits?: number;
  /**
   * why this campaign's workload is not the thesis's (workloadDiffers(): the quick profile's smaller run): then no
   * value is divided by the thesis's but the ratios to the bare host (unit `ratio`), which hold whatever the size
   */
  workloadDiffers?: string | null;
}

/**
 * Renders comparisons as an HTML table: only the rows with a thesis value (what there is to
 * compare) when there are any, saying how many rows measured here only are left to the summary
 * table; all rows otherwise. The ours / thesis column is left out when no row has a ratio (totals of
 * the workload, or a workload of another size: the caption says which); where no row has both a
 * value of ours and the thesis's, a sentence says so instead of a table of dashes.
 */
export function comparisonHtml(
  comparisons: readonly Comparison[],
  caption: string,
  options: ComparisonHtmlOptions = {},
): string {
  const digits = options.digits;
  const ratioOf = (row: Comparison): number | null =>
    options.workloadDiffers && row.unit !== 'ratio' ? null : row.ratio;
  const compared = comparisons.filter((row) => row.thesis);
  const rows = compared.length > 0 ? compared : comparisons;
  const left = comparisons.length - rows.length;
  const paired = rows.filter((row) => row.ours && row.thesis);
  if (compared.length > 0 && paired.length === 0) {
    // "Docker containers N=1,2,4; VMs (tcg) N=1,2"
    const at = (list: readonly Comparison[]) => {
      const guests = new Map<string, Set<number>>();
      for (const row of list) {
        const label = seriesLabel(row.backend, row.accel);
        guests.set(label, (guests.get(label) ?? new Set()).add(row.guests));
      }
      return [...guests].map(([label, values]) => `${label} N=${[...values].join(',')}`).join('; ');
    };
    const measured = comparisons.filter((row) => row.ours);
    return `<p class="guestbench-nothing-beside" style="font-family:sans-serif;font-size:13px"><b>${escapeHtml(caption)}</b>: nothing to set side by side. The thesis states ${escapeHtml([...new Set(compared.map((row) => row.metric))].join(', '))} for ${escapeHtml(at(compared))}; this campaign has no value there${measured.length ? ` (it measured ${escapeHtml(at(measured))}: see the figure and the summary table)` : ''}.</p>`;
  }
  const withheldTotals = paired.some((row) => row.ratio === null && isWorkloadTotal(row.metric, row.unit));
  const withheldSize = Boolean(options.workloadDiffers) && paired.some((row) => row.unit !== 'ratio');
  const anyRatio = rows.some((row) => ratioOf(row) !== null);
  const counted = [
    left > 0
      ? `${caption} (the ${rows.length} rows with a thesis value; ${left} more measured here only are in the summary table)`
      : caption,
    withheldSize
      ? `No ours / thesis here: ${options.workloadDiffers}; compare ratios to the bare host, or run the thesis profile.`
      : withheldTotals
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
        value: (row) => (row.thesis ? `${row.thesis.approximate ? '~' : ''}${printedText(row.thesis.value)}` : '–'),
        align: 'right',
      },
      { label: 'printed at', value: (row) => row.thesis?.source ?? '' },
      ...(anyRatio ? [{ label: 'ours / thesis', value: ratioOf, digits: 2 }] : []),
    ],
    counted,
    { empty: 'nothing measured here and no thesis value for these cells.' },
  );
}
