/**
 * HTML tables for notebooks and the report: plain markup with inline styles, so the table looks
 * the same in Jupyter, in nbconvert's HTML and in a mailed report. What every table does the same
 * way: whole numbers and values of 1000 or more print whole with grouped thousands (`29 671`),
 * others at the column's decimals; a long text (a reason), or a note a cell carries (why it has
 * no interval), prints once, as a footnote its cells point to; a table without rows is one
 * sentence saying so.
 */
import { groupThousands } from './number-text.js';

/** A cell text longer than this becomes a footnote. */
export const FOOTNOTE_LENGTH = 90;

/** A cell's text with a footnote (why a value is missing), printed once under the table. */
export interface NotedText {
  text: string;
  note: string;
}

/** What a cell holds: text, a number (formatted by the column's `digits`), text with a note, or nothing. */
export type CellValue = string | number | NotedText | null | undefined;

/** One column of a table. */
export interface Column<Row> {
  label: string;
  /** the cell's text; numbers are formatted by `digits` */
  value: (row: Row) => CellValue;
  /** decimal places for numeric cells (default 2) */
  digits?: number;
  align?: 'left' | 'right';
  /**
   * what a text longer than {@link FOOTNOTE_LENGTH} does: 'footnote' (default) prints once under
   * the table, the cell showing its number; 'wrap' stays in its cell (a column whose text is the
   * row's point, such as a claim, is never sent to a footnote)
   */
  long?: 'footnote' | 'wrap';
}

/** Escapes text for HTML. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char,
  );
}

function cell(value: Exclude<CellValue, NotedText>, digits: number): string {
  if (value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value))) return '–';
  if (typeof value !== 'number') return value;
  // a count or a large value carries no meaningful decimals
  if (Number.isInteger(value) || Math.abs(value) >= 1000) return groupThousands(Math.round(value));
  return value.toFixed(digits);
}

/** Options of {@link htmlTable}. */
export interface TableOptions {
  /** the sentence shown instead of a table without rows (default: says there are none) */
  empty?: string;
}

/**
 * Renders rows as an HTML table with a caption; numeric columns are right-aligned by default. A
 * cell text longer than {@link FOOTNOTE_LENGTH} is printed once under the table, the cells
 * showing its number.
 */
export function htmlTable<Row>(
  rows: readonly Row[],
  columns: ReadonlyArray<Column<Row>>,
  caption?: string,
  options: TableOptions = {},
): string {
  if (rows.length === 0)
    return `<p class="guestbench-table-empty" style="font-family:sans-serif;font-size:13px;margin:8px 0">${caption ? `<b>${escapeHtml(caption)}</b>: ` : ''}${escapeHtml(options.empty ?? 'no rows to show.')}</p>`;
  const footnotes: string[] = [];
  const footnote = (text: string): string => {
    const at = footnotes.indexOf(text);
    const number = (at < 0 ? footnotes.push(text) : at + 1).toString();
    return `<sup>[${number}]</sup>`;
  };
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
        if (typeof value === 'object' && value !== null)
          return `<td style="text-align:${align};padding:2px 8px;white-space:nowrap">${escapeHtml(value.text)}${footnote(value.note)}</td>`;
        const text = cell(value, column.digits ?? 2);
        const shown =
          text.length > FOOTNOTE_LENGTH && column.long !== 'wrap' ? `see note ${footnote(text)}` : escapeHtml(text);
        return `<td style="text-align:${align};padding:2px 8px">${shown}</td>`;
      });
      return `<tr>${cells.join('')}</tr>`;
    })
    .join('\n');
  const title = caption
    ? `<caption style="caption-side:top;text-align:left;font-weight:bold;padding:4px 0">${escapeHtml(caption)}</caption>`
    : '';
  const notes =
    footnotes.length === 0
      ? ''
      : `\n<ol class="guestbench-footnotes" style="font-family:sans-serif;font-size:12px;color:#444;margin:0 0 8px 0;padding-left:24px;max-width:1000px">${footnotes.map((text) => `<li>${escapeHtml(text)}</li>`).join('')}</ol>`;
  return `<table class="guestbench-table" style="border-collapse:collapse;font-family:sans-serif;font-size:13px;margin:8px 0">${title}<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>${notes}`;
}
