/**
 * A danfojs DataFrame or Series, or a list of records (summary rows), as a readable HTML table:
 * numbers rounded as everywhere else (lib/figures/number-text.ts), the size of the frame in the
 * caption, and a long frame cut to its first and last rows with a row that says how many are
 * not shown. The table itself is lib/figures/html-table.ts's.
 */
import type { DataFrame, Series } from 'danfojs';
import { htmlTable, type CellValue, type Column } from '../figures/html-table.js';
import { groupThousands, numberText } from '../figures/number-text.js';

/** What {@link frameHtml} shows. */
export type Tabular = DataFrame | Series | ReadonlyArray<object>;

/** Options of {@link frameHtml}. */
export interface FrameHtmlOptions {
  /** the table's title (default: DataFrame, Series or rows) */
  caption?: string;
  /** the most rows shown; a longer frame shows its first and last halves (default 20) */
  maxRows?: number;
  /** significant digits of numbers (default 4) */
  digits?: number;
}

/** A table's content, whatever it came from. */
interface Grid {
  kind: string;
  columns: string[];
  index: Array<string | number>;
  rows: unknown[][];
}

/**
 * Whether `value` is a danfojs DataFrame or Series. By shape, not `instanceof`: danfojs's own
 * methods (query, groupby, ...) return its base classes, which the exported ones extend.
 */
export function isFrame(value: unknown): value is DataFrame | Series {
  return typeof value === 'object' && value !== null && '$isSeries' in value && 'columns' in value;
}

/** Whether `value` is a danfojs Series (see {@link isFrame}). */
export const isSeries = (value: unknown): value is Series => isFrame(value) && value.$isSeries;

function gridOf(value: Tabular): Grid {
  if (isSeries(value))
    return {
      kind: 'Series',
      columns: [value.columns?.[0] ?? 'value'],
      index: value.index,
      rows: (value.values as unknown[]).map((cell) => [cell]),
    };
  if (isFrame(value))
    return { kind: 'DataFrame', columns: value.columns, index: value.index, rows: value.values as unknown[][] };
  const records = value as ReadonlyArray<Record<string, unknown>>;
  const columns = [...new Set(records.flatMap((record) => Object.keys(record)))];
  return {
    kind: 'rows',
    columns,
    index: records.map((_, at) => at),
    rows: records.map((record) => columns.map((column) => record[column])),
  };
}

/** A cell as text: numbers rounded to `digits` significant digits, nothing as a dash. */
function cellText(value: unknown, digits: number): CellValue {
  if (value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value))) return null;
  if (typeof value === 'number') return numberText(value, digits);
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

type Line = { at: string | number; cells: unknown[] } | { gap: number };

/**
 * `value` as an HTML table (see the module comment): a caption with its size (`120 rows x 16
 * columns`), an index column, numbers right-aligned and rounded, and at most `maxRows` rows.
 */
export function frameHtml(value: Tabular, options: FrameHtmlOptions = {}): string {
  const grid = gridOf(value);
  const maxRows = Math.max(2, options.maxRows ?? 20);
  const digits = options.digits ?? 4;
  const total = grid.rows.length;
  const lines: Line[] = grid.rows.map((cells, at) => ({ at: grid.index[at] ?? at, cells }));
  const head = Math.ceil(maxRows / 2);
  const shown: Line[] =
    total <= maxRows
      ? lines
      : [...lines.slice(0, head), { gap: total - maxRows }, ...lines.slice(total - (maxRows - head))];
  const numeric = grid.columns.map((_, column) =>
    grid.rows.some((row) => typeof row[column] === 'number' && !Number.isNaN(row[column])),
  );
  const columns: Array<Column<Line>> = [
    {
      label: '',
      value: (line) => ('gap' in line ? '…' : String(line.at)),
      align: 'right',
    },
    ...grid.columns.map((label, column): Column<Line> => ({
      label,
      value: (line) =>
        'gap' in line
          ? column === 0
            ? `${groupThousands(line.gap)} rows not shown`
            : '…'
          : cellText(line.cells[column], digits),
      align: numeric[column] && !(shown[0] && 'gap' in shown[0]) ? 'right' : 'left',
    })),
  ];
  const size = `${groupThousands(total)} row${total === 1 ? '' : 's'} × ${grid.columns.length} column${grid.columns.length === 1 ? '' : 's'}`;
  const cut = total > maxRows ? `, first ${head} and last ${maxRows - head} shown` : '';
  return htmlTable(shown, columns, `${options.caption ?? grid.kind}: ${size}${cut}`, {
    empty: `no rows (${grid.columns.length} columns: ${grid.columns.join(', ') || 'none'}).`,
  });
}
