/**
 * Every place where the thesis contradicts itself (data/thesis/inconsistencies.json) as an HTML
 * list: what disagrees, then each row involved with its value as printed and its line in the text.
 */
import { escapeHtml } from '../figures/html-table.js';
import type { ThesisRow } from '../thesis/index.js';
import {
  INCONSISTENCY_KIND_LABELS,
  NOTE_STYLE,
  TABLE_STYLE,
  TD_STYLE,
  TH_STYLE,
  printedText,
  type ThesisReportData,
} from './format.js';

function describeRow(row: ThesisRow): string {
  const where = [
    row.backend !== null ? row.backend : null,
    row.guests !== null ? `N=${row.guests}` : null,
    row.load,
    row.vcpus !== null ? `${row.vcpus} vCPU` : null,
    row.memoryMiB !== null ? `${row.memoryMiB} MiB` : null,
  ].filter((part) => part !== null);
  return `${row.metric}${where.length > 0 ? ` (${where.join(', ')})` : ''}`;
}

/** The inconsistencies as an ordered HTML list, each with a table of its rows and their seed lines. */
export function inconsistencyListHtml(data: ThesisReportData): string {
  const byId = new Map(data.rows.map((row) => [row.id, row]));
  const items = data.inconsistencies.map((inconsistency) => {
    const rows = inconsistency.rows.map((id) => byId.get(id));
    const body = rows
      .map((row, index) => {
        if (row === undefined)
          return `<tr><td style="${TD_STYLE}"><code>${escapeHtml(inconsistency.rows[index] ?? '')}</code></td><td style="${TD_STYLE}" colspan="4">not in values.jsonl</td></tr>`;
        const cells = [
          `<code>${escapeHtml(row.id)}</code>`,
          escapeHtml(describeRow(row)),
          escapeHtml(`${row.approximate ? '≈ ' : ''}${printedText(row)}`),
          escapeHtml(row.source.ref),
          escapeHtml(String(row.source.line)),
        ];
        return `<tr>${cells.map((cell, column) => `<td style="${TD_STYLE}${column === 2 || column === 4 ? ';text-align:right' : ''}">${cell}</td>`).join('')}</tr>`;
      })
      .join('\n');
    const head = ['row', 'quantity', 'printed', 'printed for', 'line']
      .map((label) => `<th style="${TH_STYLE}">${label}</th>`)
      .join('');
    return `<li style="margin-bottom:10px" data-inconsistency="${escapeHtml(inconsistency.id)}"><code style="font-weight:bold">${escapeHtml(inconsistency.id)}</code>
 <span style="color:#555">(${escapeHtml(INCONSISTENCY_KIND_LABELS[inconsistency.kind])}; ${escapeHtml(inconsistency.refs.join(', '))})</span><br>
${escapeHtml(inconsistency.description)}
<table style="${TABLE_STYLE};margin-left:0"><thead><tr>${head}</tr></thead><tbody>
${body}
</tbody></table></li>`;
  });
  return `<div class="guestbench-thesis-inconsistencies" style="font-family:sans-serif;font-size:13px">
<div style="${NOTE_STYLE}">${data.inconsistencies.length} inconsistencies in data/thesis/inconsistencies.json. "line" is the line of the thesis text that prints the value; "printed for" is the table or figure it is printed for or cited for.</div>
<ol style="padding-left:2em">
${items.join('\n')}
</ol></div>`;
}
