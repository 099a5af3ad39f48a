/**
 * HTML tables for notebooks and the report: plain markup with inline styles, so the table looks
 * the same in Jupyter, in nbconvert's HTML and in a mailed report.
 */

/** One column of a table. */
export interface Column<Row> {
  label: string;
  /** the cell's text; numbers are formatted by `digits` */
  value: (row: Row) => string | number | null | undefined;
  /** decimal places for numeric cells (default 2) */
  digits?: number;
  align?: 'left' | 'right';
}

/** Escapes text for HTML. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char,
  );
}

function cell(value: string | number | null | undefined, digits: number): string {
  if (value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value))) return '–';
  return typeof value === 'number' ? value.toFixed(digits) : value;
}

/** Renders rows as an HTML table with a caption; numeric columns are right-aligned by default. */
export function htmlTable<Row>(rows: readonly Row[], columns: ReadonlyArray<Column<Row>>, caption?: string): string {
  const head = columns
    .map(
      (column) =>
        `<th style="text-align:${column.align ?? 'left'};padding:2px 8px;border-bottom:1px solid #888">${escapeHtml(column.label)}</th>`,
    )
    .join('');
  const body = rows
    .map((row) => {
      const cells = columns.map((column) => {
        const value = column.value(row);
        const align = column.align ?? (typeof value === 'number' ? 'right' : 'left');
        return `<td style="text-align:${align};padding:2px 8px">${escapeHtml(cell(value, column.digits ?? 2))}</td>`;
      });
      return `<tr>${cells.join('')}</tr>`;
    })
    .join('\n');
  const title = caption
    ? `<caption style="caption-side:top;text-align:left;font-weight:bold;padding:4px 0">${escapeHtml(caption)}</caption>`
    : '';
  return `<table class="guestbench-table" style="border-collapse:collapse;font-family:sans-serif;font-size:13px;margin:8px 0">${title}<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}
