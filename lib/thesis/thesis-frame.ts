/**
 * Queries over the thesis's numbers for notebooks: pick rows, get one value with its provenance,
 * or a danfojs DataFrame to join with measured results on (experiment, backend, guests, metric).
 */
import type { DataFrame } from 'danfojs';
import type { BackendName } from '../results/schema.js';
import { ThesisLookupError } from './errors.js';
import { danfojs } from '../util/danfojs.js';
import { loadThesis } from './load-thesis.js';
import {
  isNumericRow,
  type MigrationLoad,
  type SourceKind,
  type ThesisExperiment,
  type ThesisMetricName,
  type ThesisNumericRow,
  type ThesisRow,
  type ThesisStatistic,
} from './thesis-row.js';

/** Fields to match; an absent field matches anything, `null` matches only null. */
export interface ThesisQuery {
  id?: string;
  experiment?: ThesisExperiment;
  backend?: BackendName | null;
  guests?: number | null;
  metric?: ThesisMetricName;
  statistic?: ThesisStatistic;
  load?: MigrationLoad | null;
  vcpus?: number | null;
  memoryMiB?: number | null;
  config?: string | null;
  /** source kind */
  kind?: SourceKind;
  /** source ref, e.g. "Table 5.1" */
  ref?: string;
}

/** Options shared by the query helpers. */
export interface ThesisSelectOptions {
  /** thesis data directory (default: found from this module, see findThesisDir) */
  dir?: string;
  /** keep rows that only repeat another row's value elsewhere in the text (default false) */
  includeRestatements?: boolean;
}

/** A query object, or a predicate over rows. */
export type ThesisFilter = ThesisQuery | ((row: ThesisRow) => boolean);

const QUERY_FIELDS = [
  'id',
  'experiment',
  'backend',
  'guests',
  'metric',
  'statistic',
  'load',
  'vcpus',
  'memoryMiB',
  'config',
] as const;

function matches(row: ThesisRow, query: ThesisQuery): boolean {
  for (const field of QUERY_FIELDS) {
    const wanted = query[field];
    if (wanted !== undefined && row[field] !== wanted) return false;
  }
  if (query.kind !== undefined && row.source.kind !== query.kind) return false;
  if (query.ref !== undefined && row.source.ref !== query.ref) return false;
  return true;
}

/** The rows matching `filter` (all rows when absent), restatements left out unless asked for. */
export function selectThesisRows(filter?: ThesisFilter, options: ThesisSelectOptions = {}): ThesisRow[] {
  const rows = loadThesis(options.dir).rows;
  const test = typeof filter === 'function' ? filter : (row: ThesisRow) => filter === undefined || matches(row, filter);
  return rows.filter((row) => (options.includeRestatements === true || row.restates === null) && test(row));
}

function describeCandidate(row: ThesisRow): string {
  const flags = row.inconsistencies.length > 0 ? `, inconsistency ${row.inconsistencies.join(', ')}` : '';
  return `${row.id} = ${String(row.value)}${row.unit !== null ? ' ' + row.unit : ''} (${row.source.ref}, line ${row.source.line}${flags})`;
}

/**
 * The one row matching `query` (restatements left out), or a ThesisLookupError listing the
 * candidates when none or several match.
 *
 * @example thesisValue({experiment: 'latency', backend: 'kvm', guests: 12, metric: 'boot_time'}).value // 30.77
 */
export function thesisValue(query: ThesisQuery, options: ThesisSelectOptions = {}): ThesisRow {
  const found = selectThesisRows(query, options);
  const [first] = found;
  if (found.length === 1 && first) return first;
  const asked = JSON.stringify(query);
  if (found.length === 0) {
    throw new ThesisLookupError(`No thesis value matches ${asked}`, {
      candidates: [],
      fix: 'loosen the query, or list the rows with selectThesisRows() / thesisFrame()',
    });
  }
  const shared = found[0]?.inconsistencies.filter((id) => found.every((row) => row.inconsistencies.includes(id))) ?? [];
  const why =
    shared.length > 0
      ? ` (the thesis gives this more than once with different values: inconsistency ${shared.join(', ')})`
      : '';
  throw new ThesisLookupError(
    `${found.length} thesis values match ${asked}${why}: ${found.map(describeCandidate).join('; ')}`,
    {
      candidates: found.map((row) => row.id),
      fix: 'narrow the query (e.g. by statistic, guests, config) or pick one row by `id`',
    },
  );
}

/** The numeric value of the one row matching `query` (see thesisValue). */
export function thesisNumber(query: ThesisQuery, options: ThesisSelectOptions = {}): number {
  const row = thesisValue(query, options);
  if (!isNumericRow(row)) {
    throw new ThesisLookupError(`Thesis value ${row.id} is text (${JSON.stringify(row.value)}), not a number`, {
      candidates: [row.id],
    });
  }
  return row.value;
}

/** Columns of thesisFrame(), in order. */
export const THESIS_FRAME_COLUMNS = [
  'id',
  'experiment',
  'backend',
  'guests',
  'metric',
  'statistic',
  'value',
  'unit',
  'load',
  'vcpus',
  'memoryMiB',
  'config',
  'kind',
  'ref',
  'line',
  'approximate',
  'inconsistency',
] as const;
const THESIS_FRAME_DTYPES = [
  'string',
  'string',
  'string',
  'int32',
  'string',
  'string',
  'float32',
  'string',
  'string',
  'int32',
  'int32',
  'string',
  'string',
  'string',
  'int32',
  'boolean',
  'string',
];

/** One numeric row as a flat record, as thesisFrame() lays it out. */
export interface ThesisFrameRecord {
  id: string;
  experiment: ThesisExperiment;
  backend: BackendName | null;
  guests: number | null;
  metric: ThesisMetricName;
  statistic: ThesisStatistic;
  /** double precision (danfojs labels the column float32 but keeps the JS numbers) */
  value: number;
  unit: string;
  load: MigrationLoad | null;
  vcpus: number | null;
  memoryMiB: number | null;
  config: string | null;
  kind: SourceKind;
  ref: string;
  line: number;
  approximate: boolean;
  /** inconsistency ids joined with "," or null */
  inconsistency: string | null;
}

/** The numeric rows matching `filter` as flat records (the rows of thesisFrame()). */
export function thesisRecords(filter?: ThesisFilter, options: ThesisSelectOptions = {}): ThesisFrameRecord[] {
  return selectThesisRows(filter, options)
    .filter(isNumericRow)
    .map((row: ThesisNumericRow) => ({
      id: row.id,
      experiment: row.experiment,
      backend: row.backend,
      guests: row.guests,
      metric: row.metric,
      statistic: row.statistic,
      value: row.value,
      unit: row.unit,
      load: row.load,
      vcpus: row.vcpus,
      memoryMiB: row.memoryMiB,
      config: row.config,
      kind: row.source.kind,
      ref: row.source.ref,
      line: row.source.line,
      approximate: row.approximate,
      inconsistency: row.inconsistencies.length > 0 ? row.inconsistencies.join(',') : null,
    }));
}

/**
 * The thesis's numeric rows matching `filter` as a danfojs DataFrame, one row per number, with the
 * columns of THESIS_FRAME_COLUMNS (absent values are null). Join with measured results on
 * (experiment, backend, guests, metric); the bare host is backend "native", guests 1.
 */
export function thesisFrame(filter?: ThesisFilter, options: ThesisSelectOptions = {}): DataFrame {
  const records = thesisRecords(filter, options);
  const columns = [...THESIS_FRAME_COLUMNS];
  const { DataFrame: Frame } = danfojs();
  if (records.length === 0) return new Frame([], { columns, dtypes: THESIS_FRAME_DTYPES });
  return new Frame(
    records.map((record) => columns.map((column) => record[column])),
    { columns, dtypes: THESIS_FRAME_DTYPES },
  );
}
