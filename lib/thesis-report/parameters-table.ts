/**
 * The experiment settings the thesis states (prime limit, file size, run time, repeats, guest
 * sizes...): the numbers the `thesis` campaign profile is built from.
 */
import { escapeHtml } from '../figures/html-table.js';
import type { ThesisRow } from '../thesis/index.js';
import { CAPTION_STYLE, TABLE_STYLE, TD_STYLE, TH_STYLE, printedText, type ThesisReportData } from './format.js';

/** Rows stating an experiment setting (statistic `parameter`), in text order. */
export function thesisParameterRows(data: ThesisReportData): ThesisRow[] {
  return data.rows
    .filter((row) => row.statistic === 'parameter' && row.restates === null)
    .sort((a, b) => a.source.line - b.source.line);
}

/** The stated settings as an HTML table: experiment, backend, setting, value as printed, line. */
export function thesisParametersHtml(
  data: ThesisReportData,
  caption = 'Experiment settings the thesis states',
): string {
  const headings = ['experiment', 'backend', 'setting', 'configuration', 'printed', 'stored', 'line'];
  const body = thesisParameterRows(data)
    .map((row) => {
      const config = [row.config, row.load, row.vcpus !== null ? `${row.vcpus} vCPU` : null]
        .filter((part) => part !== null)
        .join(', ');
      const cells = [
        row.experiment,
        row.backend ?? 'all',
        row.metric,
        config,
        printedText(row),
        row.unit === null || row.unit === 'count' ? String(row.value) : `${String(row.value)} ${row.unit}`,
        String(row.source.line),
      ];
      return `<tr>${cells.map((text) => `<td style="${TD_STYLE}">${escapeHtml(text)}</td>`).join('')}</tr>`;
    })
    .join('\n');
  return `<table style="${TABLE_STYLE}"><caption style="${CAPTION_STYLE};caption-side:top">${escapeHtml(caption)}</caption><thead><tr>${headings
    .map((label) => `<th style="${TH_STYLE}">${escapeHtml(label)}</th>`)
    .join('')}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}
