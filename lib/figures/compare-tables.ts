/**
 * How a comparison of two campaigns reads: the words and numbers of each cell (shared by the CLI's
 * text table and the notebook's HTML tables), and the HTML tables themselves.
 */
import type { CampaignComparison, CellComparison, HostLine } from '../analysis/campaign-compare.js';
import type { CellKey } from '../analysis/cell-values.js';
import { seriesLabel } from '../model/backends.js';
import { htmlTable } from './html-table.js';

/** A measured mean at about the precision it was measured with: 0.710, 10.75, 2792, 29671. */
export function formatMeasured(value: number): string {
  const size = Math.abs(value);
  if (size === 0) return '0';
  if (size >= 1000) return value.toFixed(0);
  return size >= 1 ? value.toPrecision(4) : value.toPrecision(3);
}

/** "1.10x". */
export function formatRatio(ratio: number | null): string {
  return ratio === null ? '–' : `${ratio.toPrecision(3)}x`;
}

/** The cell's place: guest, N, configuration and vantage point. */
export function cellLabel(key: CellKey): { guest: string; n: string; metric: string } {
  return {
    guest: seriesLabel(key.backend, key.accel),
    n: key.config ? `${key.config}${key.measured_by ? ` (${key.measured_by})` : ''}` : String(key.guests),
    metric: `${key.metric} (${key.unit})`,
  };
}

/** "[1.06, 1.14]", or "–" where there is none (the verdict's reason says why). */
export function ratioCiText(cell: CellComparison): string {
  if (cell.state !== 'compared' || cell.ratioInterval.state !== 'ok') return '–';
  return `[${cell.ratioInterval.low.toPrecision(3)}, ${cell.ratioInterval.high.toPrecision(3)}]`;
}

/** "flagged: slower", "flagged: higher", "no significant change", "untestable", "only in A". */
export function verdictText(cell: CellComparison): string {
  if (cell.state !== 'compared') return cell.state === 'only-in-a' ? 'only in A' : 'only in B';
  if (cell.verdict === 'changed') return `flagged: ${cell.meaning ?? cell.change ?? 'changed'}`;
  return cell.verdict;
}

/** The cell's q-value, "–" where it is not in the tested family (untestable, one-sided). */
export function qText(cell: CellComparison): string {
  return cell.state === 'compared' && cell.q !== null ? cell.q.toPrecision(2) : '–';
}

/** The verdict's reason, or which campaign lacks the cell. */
export function reasonText(cell: CellComparison): string {
  if (cell.state !== 'compared')
    return cell.state === 'only-in-a' ? 'B has no value for this cell' : 'A has no value for this cell';
  return cell.reason;
}

/** One line per (guest, N or configuration) only one campaign has, with how many metrics. */
export function oneSidedLines(cells: readonly CellComparison[]): string[] {
  const groups = new Map<string, number>();
  for (const cell of cells) {
    if (cell.state === 'compared') continue;
    const label = cellLabel(cell.key);
    const key = `${cell.state === 'only-in-a' ? 'only in A' : 'only in B'}: ${label.guest} N=${label.n}`;
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  return [...groups].map(([key, metrics]) => `${key} (${metrics} metric${metrics === 1 ? '' : 's'})`);
}

/** The two campaigns' hosts, versions and facts side by side; differing lines marked. */
export function hostsTableHtml(hosts: readonly HostLine[], caption: string): string {
  return htmlTable(
    hosts,
    [
      { label: '', value: (line) => (line.differs ? '≠' : '') },
      { label: 'what', value: (line) => line.label },
      { label: 'A', value: (line) => line.a },
      { label: 'B', value: (line) => line.b },
    ],
    caption,
  );
}

/** The per-cell table (cells both campaigns have; `onlyShared: false` adds the one-sided ones). */
export function compareTableHtml(
  comparison: CampaignComparison,
  caption: string,
  options: { onlyShared?: boolean } = {},
): string {
  const cells =
    options.onlyShared === false ? comparison.cells : comparison.cells.filter((cell) => cell.state === 'compared');
  const a = (cell: CellComparison) =>
    cell.state === 'compared' ? cell.a : cell.state === 'only-in-a' ? cell.side : null;
  const b = (cell: CellComparison) =>
    cell.state === 'compared' ? cell.b : cell.state === 'only-in-b' ? cell.side : null;
  return htmlTable(
    cells,
    [
      { label: 'guest', value: (cell) => cellLabel(cell.key).guest },
      { label: 'N / configuration', value: (cell) => cellLabel(cell.key).n, align: 'right' },
      { label: 'metric', value: (cell) => cellLabel(cell.key).metric },
      { label: 'n A', value: (cell) => (a(cell) ? String(a(cell)!.n) : '–'), align: 'right' },
      { label: 'n B', value: (cell) => (b(cell) ? String(b(cell)!.n) : '–'), align: 'right' },
      { label: 'mean A', value: (cell) => (a(cell) ? formatMeasured(a(cell)!.mean) : '–'), align: 'right' },
      { label: 'mean B', value: (cell) => (b(cell) ? formatMeasured(b(cell)!.mean) : '–'), align: 'right' },
      { label: 'B / A', value: (cell) => (cell.state === 'compared' ? formatRatio(cell.ratio) : '–'), align: 'right' },
      { label: 'B / A 95% CI (Welch, log scale)', value: ratioCiText, align: 'right' },
      {
        label: 'p (Mann-Whitney)',
        value: (cell) => (cell.state === 'compared' ? cell.p.toPrecision(2) : '–'),
        align: 'right',
      },
      { label: 'q (Benjamini-Hochberg)', value: qText, align: 'right' },
      { label: 'verdict', value: verdictText },
      { label: 'why', value: reasonText },
    ],
    caption,
  );
}
