/**
 * A pivot table of a tidy DataFrame: one row per value of `index`, one column per value of
 * `columns`, each cell the mean (or count) of `values` over the rows that share both. danfojs
 * 1.1.2 has no pivot, and its arithmetic runs in float32: the means are computed in plain JS.
 */
import { DataFrame } from 'danfojs';
import { BACKEND_NAMES, backendRank, isBackendName } from '../model/backends.js';
import { UsageError } from '../util/errors.js';

/** Options of {@link pivotFrame}. */
export interface PivotOptions {
  /** the column whose values become rows (e.g. guests) */
  index: string;
  /** the column whose values become columns (e.g. backend) */
  columns: string;
  /** the numeric column aggregated (e.g. value) */
  values: string;
  /** mean (default) or count of the non-missing values */
  aggregate?: 'mean' | 'count';
}

function columnValues(frame: DataFrame, name: string): unknown[] {
  if (!frame.columns.includes(name))
    throw new UsageError(`No column \`${name}\` to pivot on (the frame has ${frame.columns.join(', ')})`, {
      fix: 'name one of its columns',
    });
  return frame.column(name).values as unknown[];
}

// numbers ascending, backends in the backend table's order (as every legend), other text alphabetically
const rank = (value: string | number): number =>
  typeof value === 'string' && isBackendName(value) ? backendRank(value) : BACKEND_NAMES.length;
const ordered = (values: unknown[]): Array<string | number> =>
  [...new Set(values as Array<string | number>)].sort((a, b) =>
    typeof a === 'number' && typeof b === 'number' ? a - b : rank(a) - rank(b) || String(a).localeCompare(String(b)),
  );

/** The pivot table of `frame` (see the module comment); a cell with no value is NaN. */
export function pivotFrame(frame: DataFrame, options: PivotOptions): DataFrame {
  const rowKeys = columnValues(frame, options.index);
  const columnKeys = columnValues(frame, options.columns);
  const values = columnValues(frame, options.values);
  const cells = new Map<string, number[]>();
  values.forEach((value, at) => {
    if (typeof value !== 'number' || Number.isNaN(value)) return;
    const key = JSON.stringify([rowKeys[at], columnKeys[at]]);
    cells.set(key, [...(cells.get(key) ?? []), value]);
  });
  const heads = ordered(columnKeys);
  const rows = ordered(rowKeys).map((row) => ({
    [options.index]: row,
    ...Object.fromEntries(
      heads.map((head) => {
        const found = cells.get(JSON.stringify([row, head])) ?? [];
        const cell =
          options.aggregate === 'count'
            ? found.length
            : found.length === 0
              ? NaN
              : found.reduce((sum, value) => sum + value, 0) / found.length;
        return [String(head), cell];
      }),
    ),
  }));
  return new DataFrame(rows, { columns: [options.index, ...heads.map(String)] });
}
