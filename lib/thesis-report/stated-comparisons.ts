/**
 * The comparisons the thesis's text states about its figures ("containers complete 6 times the
 * requests", "boot time almost triples"), beside what the thesis's own printed values give for the
 * same comparison where both sides are printed somewhere.
 */
import { escapeHtml } from '../figures/html-table.js';
import type { BackendName } from '../model/backends.js';
import {
  COMPARISON_STATISTICS,
  isNumericRow,
  type ThesisExperiment,
  type ThesisNumericRow,
  type ThesisRow,
  type ThesisSelector,
} from '../thesis/index.js';
import {
  thesisLabel,
  CAPTION_STYLE,
  TABLE_STYLE,
  TD_STYLE,
  TH_STYLE,
  printedText,
  type ThesisReportData,
} from './format.js';

/** Metric names in words, for labels. */
export const METRIC_WORDS: Readonly<Record<string, string>> = {
  total_time: 'total time',
  latency_min: 'min. time per request',
  latency_avg: 'avg. time per request',
  latency_max: 'max. time per request',
  latency_p95: '95th pct. time per request',
  per_request_time: 'time per request',
  events: 'events',
  reads: 'reads',
  writes: 'writes',
  requests_per_s: 'requests/s',
  transactions_per_s: 'transactions/s',
  total_mib_per_s: 'transfer rate',
  boot_time: 'boot time',
  shutdown_time: 'shutdown time',
  cold_boot_time: 'cold boot time',
  restore_time: 'restore time',
  downtime: 'downtime',
  file_total_size: 'file size',
  ram: 'RAM',
};

const metricWords = (metric: string): string => METRIC_WORDS[metric] ?? metric.replaceAll('_', ' ');

/** What the thesis's printed values give for a stated comparison. */
export interface ComputedComparison {
  /** first op second, in the comparison's unit (ratio, or the metric's unit for a difference) */
  value: number;
  /** the two rows it was computed from, in order */
  from: readonly [ThesisNumericRow, ThesisNumericRow];
}

/** A comparison the text states, and what the printed values make of it. */
export interface StatedComparison {
  row: ThesisNumericRow;
  /** "boot time, N=1: VMs / containers" */
  label: string;
  /** every combination of printed values matching both sides (several where the thesis gives a side twice) */
  computed: readonly ComputedComparison[];
}

type SelectorField = 'backend' | 'metric' | 'guests' | 'load' | 'vcpus' | 'memoryMiB';
const SELECTOR_FIELDS: readonly SelectorField[] = ['backend', 'metric', 'guests', 'load', 'vcpus', 'memoryMiB'];

function fieldWords(field: SelectorField, value: ThesisSelector[SelectorField]): string {
  if (value === null || value === undefined) return '';
  if (field === 'backend') return thesisLabel(value as BackendName);
  if (field === 'metric') return metricWords(String(value));
  if (field === 'guests') return Array.isArray(value) ? `N=${value.join(',')}` : `N=${String(value)}`;
  if (field === 'load') return value === 'loaded' ? 'under mprime' : 'idle';
  if (field === 'vcpus') return `${String(value)} vCPU`;
  return `${String(value)} MB`;
}

const wordsOf = (selector: ThesisSelector, fields: readonly SelectorField[]): string =>
  fields
    .map((field) => fieldWords(field, selector[field]))
    .filter((part) => part !== '')
    .join(', ');

const OPERATORS = { ratio: ' / ', difference: ' − ', relative_change: ' vs ' } as const;

/** A comparison in words: what both sides share, then what tells them apart. */
export function comparisonLabel(row: ThesisRow): string {
  if (row.relates === null) return row.id;
  const [first, second] = row.relates;
  const same = (field: SelectorField) => JSON.stringify(first[field] ?? null) === JSON.stringify(second[field] ?? null);
  const shared = SELECTOR_FIELDS.filter((field) => same(field) && first[field] !== undefined && first[field] !== null);
  const differing = SELECTOR_FIELDS.filter((field) => !same(field));
  const operator = OPERATORS[row.statistic as keyof typeof OPERATORS] ?? ' / ';
  const pairwise = Array.isArray(first.guests) ? ' (each step)' : '';
  const sides = `${wordsOf(first, differing)}${operator}${wordsOf(second, differing)}${pairwise}`;
  const common = wordsOf(first, shared);
  return common === '' ? sides : `${common}: ${sides}`;
}

/** The printed values (means and plain values, no restatements) a comparison side names. */
function sideRows(
  rows: readonly ThesisRow[],
  experiment: ThesisExperiment,
  selector: ThesisSelector,
): ThesisNumericRow[] {
  if (Array.isArray(selector.guests)) return [];
  return rows
    .filter(isNumericRow)
    .filter(
      (row) =>
        row.experiment === experiment &&
        row.restates === null &&
        (row.statistic === 'mean' || row.statistic === 'value'),
    )
    .filter((row) => SELECTOR_FIELDS.every((field) => (selector[field] ?? null) === row[field]));
}

function compute(statistic: ThesisRow['statistic'], a: number, b: number): number {
  if (statistic === 'difference') return a - b;
  if (statistic === 'relative_change') return (a - b) / b;
  return a / b;
}

/**
 * The comparisons (ratio, difference, relative change) the text states about the figures of
 * `experiments`, in text order; parameter comparisons of the method sections are left out.
 */
export function statedComparisons(
  data: ThesisReportData,
  experiments: readonly ThesisExperiment[],
): StatedComparison[] {
  return data.rows
    .filter(isNumericRow)
    .filter(
      (row) =>
        experiments.includes(row.experiment) && COMPARISON_STATISTICS.includes(row.statistic) && row.restates === null,
    )
    .filter((row) => !row.source.ref.startsWith('Section'))
    .sort((a, b) => a.source.line - b.source.line)
    .map((row) => {
      const [first, second] = row.relates ?? [{}, {}];
      const computed = sideRows(data.rows, row.experiment, first).flatMap((a) =>
        sideRows(data.rows, row.experiment, second).map((b) => ({
          value: compute(row.statistic, a.value, b.value),
          from: [a, b] as const,
        })),
      );
      return { row, label: comparisonLabel(row), computed };
    });
}

function formatNumber(value: number, statistic: ThesisRow['statistic'], unit: string): string {
  if (statistic === 'relative_change') return `${(value * 100).toFixed(2)}%`;
  if (statistic === 'ratio') return value.toFixed(2);
  return `${value.toFixed(2)} ${unit}`;
}

function computedText(comparison: StatedComparison): string {
  if (comparison.computed.length === 0) return '–';
  const { statistic, unit } = comparison.row;
  const operator = OPERATORS[statistic as keyof typeof OPERATORS] ?? ' / ';
  return comparison.computed
    .map(
      ({ value, from: [a, b] }) =>
        `${formatNumber(value, statistic, unit)} (${printedText(a)}${operator}${printedText(b)}, lines ${a.source.line}, ${b.source.line})`,
    )
    .join('; ');
}

/**
 * The stated comparisons as an HTML table: statement, stated value, what the printed values give, line,
 * inconsistencies.
 */
export function statedComparisonsHtml(comparisons: readonly StatedComparison[], caption: string): string {
  if (comparisons.length === 0) return '';
  const headings = [
    'comparison stated in the text',
    'stated',
    'as a number',
    'from the values the thesis prints',
    'line',
    'inconsistency',
  ];
  const body = comparisons
    .map((comparison) => {
      const { row } = comparison;
      const stated = `${row.approximate ? '≈ ' : ''}${printedText(row)}`;
      const cells = [
        comparison.label,
        stated,
        formatNumber(row.value, row.statistic, row.unit),
        computedText(comparison),
        `${row.source.line} (${row.source.ref})`,
        row.inconsistencies.join(', '),
      ];
      return `<tr>${cells.map((text) => `<td style="${TD_STYLE};vertical-align:top">${escapeHtml(text)}</td>`).join('')}</tr>`;
    })
    .join('\n');
  return `<table style="${TABLE_STYLE}"><caption style="${CAPTION_STYLE};caption-side:top">${escapeHtml(caption)}</caption><thead><tr>${headings
    .map((label) => `<th style="${TH_STYLE}">${escapeHtml(label)}</th>`)
    .join('')}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}
