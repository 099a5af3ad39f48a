/**
 * Loads and validates data/thesis/: values.jsonl (one number the thesis publishes per line) and
 * inconsistencies.json (where the thesis contradicts itself). Every fault names the file and line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UNITS, type BackendName, type Unit } from '../results/schema.js';
import { ThesisDataError } from './errors.js';
import {
  COMPARISON_STATISTICS,
  INCONSISTENCY_KINDS,
  MIGRATION_LOADS,
  SOURCE_KINDS,
  THESIS_EXPERIMENTS,
  THESIS_STATISTICS,
  thesisMetricUnit,
  type InconsistencyKind,
  type MigrationLoad,
  type SourceKind,
  type ThesisExperiment,
  type ThesisInconsistency,
  type ThesisMetricName,
  type ThesisPrinted,
  type ThesisRow,
  type ThesisSelector,
  type ThesisSource,
  type ThesisStatistic,
} from './thesis-row.js';

/** File names inside the thesis data directory. */
export const VALUES_FILE = 'values.jsonl';
export const INCONSISTENCIES_FILE = 'inconsistencies.json';

/** The systems the thesis measured, in our backends' names: the bare host, Docker, KVM/QEMU. */
export const THESIS_BACKENDS = ['native', 'docker', 'kvm'] as const satisfies readonly BackendName[];
const BACKENDS: readonly BackendName[] = THESIS_BACKENDS;

const ROW_FIELDS = new Set([
  'id',
  'experiment',
  'backend',
  'guests',
  'metric',
  'value',
  'unit',
  'statistic',
  'vcpus',
  'memoryMiB',
  'load',
  'config',
  'aggregates',
  'source',
  'approximate',
  'printed',
  'relates',
  'restates',
  'note',
  'inconsistency',
]);
const SOURCE_FIELDS = new Set(['kind', 'ref', 'section', 'line', 'wrap']);
const SELECTOR_FIELDS = new Set(['backend', 'guests', 'metric', 'load', 'vcpus', 'memoryMiB']);
const INCONSISTENCY_FIELDS = new Set(['id', 'kind', 'refs', 'description', 'rows']);

/**
 * The thesis data directory: the first `data/thesis/` holding values.jsonl found walking up from
 * `start`, or by default from this module's directory (lib/thesis/ in a checkout, dist/lib/thesis/
 * when compiled) and then from the working directory.
 */
export function findThesisDir(start?: string): string {
  const starts = start !== undefined ? [path.resolve(start)] : [moduleDir(), process.cwd()];
  for (const from of starts) {
    let dir = from;
    for (;;) {
      const candidate = path.join(dir, 'data', 'thesis');
      if (fs.existsSync(path.join(candidate, VALUES_FILE))) return candidate;
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  throw new ThesisDataError(`No data/thesis/${VALUES_FILE} found above ${starts.join(' or ')}`, {
    file: path.join(starts[0] ?? '.', 'data', 'thesis', VALUES_FILE),
    fix: 'pass the thesis data directory explicitly, e.g. loadThesisRows("/path/to/guestbench/data/thesis")',
  });
}

function moduleDir(): string {
  // new URL('../../data/thesis/', import.meta.url) in a checkout; walking up also covers dist/lib/thesis/
  return path.dirname(fileURLToPath(import.meta.url));
}

/** Both files of the thesis data, validated against each other. */
export interface ThesisData {
  /** the directory they were read from */
  dir: string;
  rows: readonly ThesisRow[];
  inconsistencies: readonly ThesisInconsistency[];
}

const cache = new Map<string, { stamp: string; data: ThesisData }>();

/**
 * Reads and validates values.jsonl and inconsistencies.json from `dir` (default: findThesisDir()).
 * Cached per directory until either file changes.
 */
export function loadThesis(dir?: string): ThesisData {
  const root = dir !== undefined ? path.resolve(dir) : findThesisDir();
  const valuesFile = path.join(root, VALUES_FILE);
  const inconsistenciesFile = path.join(root, INCONSISTENCIES_FILE);
  const stamp = [valuesFile, inconsistenciesFile].map(stampOf).join('|');
  const hit = cache.get(root);
  if (hit && hit.stamp === stamp) return hit.data;
  const parsed = parseValues(valuesFile);
  const inconsistencies = parseInconsistencies(inconsistenciesFile);
  checkCrossReferences(parsed, inconsistencies, valuesFile, inconsistenciesFile);
  const data: ThesisData = {
    dir: root,
    rows: parsed.map((entry) => entry.row),
    inconsistencies: inconsistencies.map((entry) => entry.entry),
  };
  cache.set(root, { stamp, data });
  return data;
}

/** Every row of values.jsonl, validated (throws ThesisDataError naming the file and line of a bad row). */
export function loadThesisRows(dir?: string): readonly ThesisRow[] {
  return loadThesis(dir).rows;
}

/** Every entry of inconsistencies.json, validated against values.jsonl. */
export function loadInconsistencies(dir?: string): readonly ThesisInconsistency[] {
  return loadThesis(dir).inconsistencies;
}

function stampOf(file: string): string {
  try {
    const stat = fs.statSync(file);
    return `${stat.mtimeMs}:${stat.size}`;
  } catch {
    return 'missing';
  }
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ThesisDataError(`Cannot read ${file}`, { file, cause: error });
  }
}

interface ParsedRow {
  row: ThesisRow;
  line: number;
}

// ---------------------------------------------------------------- values.jsonl

function parseValues(file: string): ParsedRow[] {
  const lines = readText(file).split('\n');
  const parsed: ParsedRow[] = [];
  lines.forEach((text, index) => {
    if (text.trim() === '') return;
    const line = index + 1;
    const fail = (what: string, cause?: unknown): never => {
      throw new ThesisDataError(`Malformed thesis row at ${file}:${line}: ${what}`, { file, line, cause });
    };
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      fail(`not valid JSON (${(error as Error).message})`, error);
    }
    parsed.push({ row: parseRow(raw, fail), line });
  });
  if (parsed.length === 0) throw new ThesisDataError(`No rows in ${file}`, { file });
  checkRows(parsed, file);
  return parsed;
}

type Fail = (what: string) => never;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string, fail: Fail): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  return fail(`unknown ${field} ${JSON.stringify(value)}; expected one of ${allowed.join(', ')}`);
}

function nullableOneOf<T extends string>(value: unknown, allowed: readonly T[], field: string, fail: Fail): T | null {
  return value === null || value === undefined ? null : oneOf(value, allowed, field, fail);
}

function positiveIntOrNull(value: unknown, field: string, fail: Fail): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  return fail(`\`${field}\` must be a positive integer or null, got ${JSON.stringify(value)}`);
}

function nonEmptyString(value: unknown, field: string, fail: Fail): string {
  if (typeof value === 'string' && value.trim() !== '') return value;
  return fail(`\`${field}\` must be a non-empty string, got ${JSON.stringify(value)}`);
}

function optionalString(value: unknown, field: string, fail: Fail): string | null {
  return value === null || value === undefined ? null : nonEmptyString(value, field, fail);
}

function checkFields(record: Record<string, unknown>, allowed: Set<string>, where: string, fail: Fail): void {
  for (const key of Object.keys(record)) if (!allowed.has(key)) fail(`unknown field \`${key}\`${where}`);
}

function parseRow(raw: unknown, fail: Fail): ThesisRow {
  if (!isRecord(raw)) return fail('expected a JSON object');
  checkFields(raw, ROW_FIELDS, '', fail);
  const id = nonEmptyString(raw.id, 'id', fail);
  const experiment: ThesisExperiment = oneOf(raw.experiment, THESIS_EXPERIMENTS, 'experiment', fail);
  const backend = nullableOneOf(raw.backend, BACKENDS, 'backend', fail);
  const guests = positiveIntOrNull(raw.guests, 'guests', fail);
  const metric = nonEmptyString(raw.metric, 'metric', fail);
  const metricUnit = thesisMetricUnit(metric);
  if (metricUnit === undefined)
    fail(
      `unknown metric \`${metric}\`; add it to THESIS_EXTRA_METRICS in lib/thesis/thesis-row.ts or use a name from METRICS`,
    );
  const statistic: ThesisStatistic = oneOf(raw.statistic, THESIS_STATISTICS, 'statistic', fail);

  const value = raw.value;
  let unit: Unit | null;
  if (typeof value === 'string') {
    if (experiment !== 'host')
      fail(`a text value is allowed only in host rows, got ${JSON.stringify(value)} in ${experiment}`);
    if (raw.unit !== null) fail(`a text value takes unit null, got ${JSON.stringify(raw.unit)}`);
    if (metricUnit !== null)
      fail(`metric \`${metric}\` holds numbers in ${metricUnit}, got text ${JSON.stringify(value)}`);
    unit = null;
  } else if (typeof value === 'number' && Number.isFinite(value)) {
    unit = oneOf(raw.unit, UNITS, 'unit', fail);
    const expected = statistic === 'ratio' || statistic === 'relative_change' ? 'ratio' : metricUnit;
    if (expected === null) fail(`metric \`${metric}\` holds text, got the number ${value}`);
    if (unit !== expected)
      fail(
        `unit \`${unit}\` does not fit metric \`${metric}\` with statistic \`${statistic}\`; expected \`${expected}\``,
      );
  } else {
    return fail(`\`value\` must be a finite number (or text in host rows), got ${JSON.stringify(value)}`);
  }

  const vcpus = positiveIntOrNull(raw.vcpus, 'vcpus', fail);
  const memoryMiB = positiveIntOrNull(raw.memoryMiB, 'memoryMiB', fail);
  const load: MigrationLoad | null = nullableOneOf(raw.load, MIGRATION_LOADS, 'load', fail);
  const config = optionalString(raw.config, 'config', fail);
  const aggregates = parseAggregates(raw.aggregates, fail);
  const source = parseSource(raw.source, fail);
  if (typeof raw.approximate !== 'boolean')
    fail(`\`approximate\` must be true or false, got ${JSON.stringify(raw.approximate)}`);
  const printed = parsePrinted(raw.printed, fail);
  const relates = parseRelates(raw.relates, fail);
  const isComparison = COMPARISON_STATISTICS.includes(statistic);
  if (isComparison && relates === null) fail(`statistic \`${statistic}\` needs \`relates\`: the two things compared`);
  if (!isComparison && relates !== null)
    fail(`\`relates\` is only for the statistics ${COMPARISON_STATISTICS.join(', ')}`);
  const restates = optionalString(raw.restates, 'restates', fail);
  const note = optionalString(raw.note, 'note', fail);
  const inconsistencies = parseInconsistencyRefs(raw.inconsistency, fail);

  const base = {
    id,
    experiment,
    backend,
    guests,
    metric: metric as ThesisMetricName,
    statistic,
    vcpus,
    memoryMiB,
    load,
    config,
    aggregates,
    source,
    approximate: raw.approximate as boolean,
    printed,
    relates,
    restates,
    note,
    inconsistencies,
  };
  if (typeof value === 'string') return { ...base, experiment: 'host', value, unit: null };
  return { ...base, value: value as number, unit: unit as Unit };
}

function parseAggregates(raw: unknown, fail: Fail): ThesisRow['aggregates'] {
  if (raw === undefined || raw === null) return null;
  if (!isRecord(raw)) return fail('`aggregates` must be an object');
  checkFields(raw, new Set(['vcpus', 'memoryMiB']), ' in `aggregates`', fail);
  const out: { vcpus?: number[]; memoryMiB?: number[] } = {};
  for (const key of ['vcpus', 'memoryMiB'] as const) {
    const list = raw[key];
    if (list === undefined) continue;
    if (
      !Array.isArray(list) ||
      list.length < 2 ||
      !list.every((item) => Number.isInteger(item) && (item as number) > 0)
    ) {
      fail(`\`aggregates.${key}\` must list at least two positive integers`);
    }
    out[key] = list as number[];
  }
  return out;
}

function parseSource(raw: unknown, fail: Fail): ThesisSource {
  if (!isRecord(raw)) return fail('`source` must be an object {kind, ref, section, line}');
  checkFields(raw, SOURCE_FIELDS, ' in `source`', fail);
  const kind: SourceKind = oneOf(raw.kind, SOURCE_KINDS, 'source kind', fail);
  const ref = nonEmptyString(raw.ref, 'source.ref', fail);
  const section = nonEmptyString(raw.section, 'source.section', fail);
  if (!/^\d+(\.\d+)*$/.test(section)) fail(`\`source.section\` must look like 4.5.1, got ${JSON.stringify(section)}`);
  const line = raw.line;
  if (typeof line !== 'number' || !Number.isInteger(line) || line < 1)
    fail(`\`source.line\` must be a positive integer, got ${JSON.stringify(line)}`);
  if (raw.wrap !== undefined && typeof raw.wrap !== 'boolean') fail('`source.wrap` must be true or false');
  const source: ThesisSource = { kind, ref, section, line: line as number };
  if (raw.wrap === true) source.wrap = true;
  return source;
}

function parsePrinted(raw: unknown, fail: Fail): ThesisPrinted | null {
  if (raw === undefined || raw === null) return null;
  if (!isRecord(raw)) return fail('`printed` must be an object {value, unit}');
  checkFields(raw, new Set(['value', 'unit']), ' in `printed`', fail);
  const value = raw.value;
  if (!(typeof value === 'string' && value.trim() !== '') && !(typeof value === 'number' && Number.isFinite(value))) {
    fail(`\`printed.value\` must be a number or non-empty text, got ${JSON.stringify(value)}`);
  }
  return { value: value as number | string, unit: nonEmptyString(raw.unit, 'printed.unit', fail) };
}

function parseSelector(raw: unknown, fail: Fail): ThesisSelector {
  if (!isRecord(raw)) return fail('each side of `relates` must be an object');
  checkFields(raw, SELECTOR_FIELDS, ' in `relates`', fail);
  const selector: ThesisSelector = {};
  if (raw.backend !== undefined) selector.backend = nullableOneOf(raw.backend, BACKENDS, 'backend in `relates`', fail);
  if (raw.guests !== undefined) {
    const guests = raw.guests;
    if (Array.isArray(guests)) {
      if (guests.length === 0 || !guests.every((item) => Number.isInteger(item) && (item as number) > 0))
        fail('`relates` guests lists must hold positive integers');
      selector.guests = guests as number[];
    } else {
      selector.guests = positiveIntOrNull(guests, 'guests in `relates`', fail);
    }
  }
  if (raw.metric !== undefined) {
    const metric = nonEmptyString(raw.metric, 'metric in `relates`', fail);
    if (thesisMetricUnit(metric) === undefined) fail(`unknown metric \`${metric}\` in \`relates\``);
    selector.metric = metric as ThesisMetricName;
  }
  if (raw.load !== undefined) selector.load = nullableOneOf(raw.load, MIGRATION_LOADS, 'load in `relates`', fail);
  if (raw.vcpus !== undefined) selector.vcpus = positiveIntOrNull(raw.vcpus, 'vcpus in `relates`', fail);
  if (raw.memoryMiB !== undefined)
    selector.memoryMiB = positiveIntOrNull(raw.memoryMiB, 'memoryMiB in `relates`', fail);
  return selector;
}

function parseRelates(raw: unknown, fail: Fail): readonly [ThesisSelector, ThesisSelector] | null {
  if (raw === undefined || raw === null) return null;
  if (!Array.isArray(raw) || raw.length !== 2) return fail('`relates` must be a pair [first, second] of selectors');
  const first = parseSelector(raw[0], fail);
  const second = parseSelector(raw[1], fail);
  if (
    Array.isArray(first.guests) !== Array.isArray(second.guests) ||
    (Array.isArray(first.guests) && first.guests.length !== (second.guests as readonly number[]).length)
  ) {
    fail('`relates` guests lists must be given on both sides with the same length (pairwise)');
  }
  return [first, second];
}

function parseInconsistencyRefs(raw: unknown, fail: Fail): string[] {
  if (raw === undefined || raw === null) return [];
  const list = typeof raw === 'string' ? [raw] : raw;
  if (!Array.isArray(list) || list.length === 0 || !list.every((item) => typeof item === 'string' && item !== '')) {
    return fail('`inconsistency` must be null, an inconsistency id, or a non-empty list of ids');
  }
  if (new Set(list).size !== list.length) fail('`inconsistency` lists an id twice');
  return list as string[];
}

/** The identity of the quantity a row gives: rows sharing it must agree or be flagged. */
export function thesisRowKey(row: ThesisRow): string {
  return JSON.stringify([
    row.experiment,
    row.backend,
    row.guests,
    row.metric,
    row.statistic,
    row.vcpus,
    row.memoryMiB,
    row.load,
    row.config,
    row.relates?.map((side) => Object.entries(side).sort(([a], [b]) => a.localeCompare(b))) ?? null,
  ]);
}

function checkRows(parsed: readonly ParsedRow[], file: string): void {
  const byId = new Map<string, ParsedRow>();
  for (const entry of parsed) {
    const previous = byId.get(entry.row.id);
    if (previous) {
      throw new ThesisDataError(
        `Malformed thesis row at ${file}:${entry.line}: duplicate id \`${entry.row.id}\` (first at line ${previous.line})`,
        { file, line: entry.line },
      );
    }
    byId.set(entry.row.id, entry);
  }
  const byKey = new Map<string, ParsedRow[]>();
  for (const entry of parsed) {
    const { row, line } = entry;
    if (row.restates !== null) {
      const target = byId.get(row.restates);
      const fail = (what: string): never => {
        throw new ThesisDataError(`Malformed thesis row at ${file}:${line}: ${what}`, { file, line });
      };
      if (!target) fail(`\`restates\` names an unknown row \`${row.restates}\``);
      else if (target.row.restates !== null)
        fail(
          `\`restates\` must name the original row, but \`${target.row.id}\` itself restates \`${target.row.restates}\``,
        );
      else if (thesisRowKey(target.row) !== thesisRowKey(row))
        fail(`restates \`${target.row.id}\` (line ${target.line}) but describes another quantity`);
      else if (target.row.value !== row.value)
        fail(
          `restates \`${target.row.id}\` (line ${target.line}) with another value (${String(row.value)} vs ${String(target.row.value)}); flag an inconsistency instead`,
        );
      continue;
    }
    const key = thesisRowKey(row);
    const same = byKey.get(key) ?? [];
    for (const other of same) {
      const shared = row.inconsistencies.some((id) => other.row.inconsistencies.includes(id));
      if (!shared) {
        throw new ThesisDataError(
          `Malformed thesis row at ${file}:${line}: \`${row.id}\` gives the same quantity as \`${other.row.id}\` (line ${other.line}); ` +
            'mark it `restates` if it repeats the value, or flag both rows with the same inconsistency',
          { file, line },
        );
      }
    }
    byKey.set(key, [...same, entry]);
  }
}

// ---------------------------------------------------------------- inconsistencies.json

interface ParsedInconsistency {
  entry: ThesisInconsistency;
  line: number | undefined;
}

function parseInconsistencies(file: string): ParsedInconsistency[] {
  const text = readText(file);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ThesisDataError(`Malformed ${file}: not valid JSON (${(error as Error).message})`, {
      file,
      cause: error,
    });
  }
  if (!Array.isArray(raw))
    throw new ThesisDataError(`Malformed ${file}: expected a JSON array of inconsistencies`, { file });
  const seen = new Set<string>();
  return raw.map((item: unknown, index) => {
    const id = isRecord(item) && typeof item.id === 'string' ? item.id : undefined;
    const line = id !== undefined ? lineOf(text, id) : undefined;
    const fail = (what: string): never => {
      const where = line !== undefined ? `${file}:${line}` : `${file} (entry ${index + 1})`;
      throw new ThesisDataError(`Malformed inconsistency at ${where}: ${what}`, { file, line });
    };
    if (!isRecord(item)) return fail('expected a JSON object');
    checkFields(item, INCONSISTENCY_FIELDS, '', fail);
    const entryId = nonEmptyString(item.id, 'id', fail);
    if (seen.has(entryId)) fail(`duplicate id \`${entryId}\``);
    seen.add(entryId);
    const kind: InconsistencyKind = oneOf(item.kind, INCONSISTENCY_KINDS, 'kind', fail);
    const refs = item.refs;
    if (!Array.isArray(refs) || refs.length === 0 || !refs.every((ref) => typeof ref === 'string' && ref !== ''))
      fail('`refs` must list the tables and figures involved');
    const description = nonEmptyString(item.description, 'description', fail);
    const rows = item.rows;
    if (!Array.isArray(rows) || !rows.every((row) => typeof row === 'string' && row !== ''))
      fail('`rows` must list row ids');
    const rowIds = rows as string[];
    if (new Set(rowIds).size < 2)
      fail(`\`${entryId}\` must involve at least two distinct rows, has ${new Set(rowIds).size}`);
    if (new Set(rowIds).size !== rowIds.length) fail('`rows` lists a row twice');
    return { entry: { id: entryId, kind, refs: refs as string[], description, rows: rowIds }, line };
  });
}

function lineOf(text: string, id: string): number | undefined {
  const at = text.indexOf(`"id": ${JSON.stringify(id)}`);
  const index = at >= 0 ? at : text.indexOf(JSON.stringify(id));
  return index < 0 ? undefined : text.slice(0, index).split('\n').length;
}

function checkCrossReferences(
  rows: readonly ParsedRow[],
  inconsistencies: readonly ParsedInconsistency[],
  valuesFile: string,
  inconsistenciesFile: string,
): void {
  const byId = new Map(inconsistencies.map((item) => [item.entry.id, item]));
  const rowsById = new Map(rows.map((row) => [row.row.id, row]));
  for (const { row, line } of rows) {
    for (const id of row.inconsistencies) {
      const item = byId.get(id);
      if (!item) {
        throw new ThesisDataError(
          `Malformed thesis row at ${valuesFile}:${line}: unknown inconsistency \`${id}\` (not in ${INCONSISTENCIES_FILE})`,
          { file: valuesFile, line },
        );
      }
      if (!item.entry.rows.includes(row.id)) {
        throw new ThesisDataError(
          `Malformed thesis row at ${valuesFile}:${line}: \`${row.id}\` names inconsistency \`${id}\`, whose \`rows\` do not list it`,
          { file: valuesFile, line },
        );
      }
    }
  }
  for (const { entry, line } of inconsistencies) {
    const where = line !== undefined ? `${inconsistenciesFile}:${line}` : inconsistenciesFile;
    for (const rowId of entry.rows) {
      const row = rowsById.get(rowId);
      if (!row)
        throw new ThesisDataError(
          `Malformed inconsistency at ${where}: \`${entry.id}\` lists unknown row \`${rowId}\``,
          { file: inconsistenciesFile, line },
        );
      if (!row.row.inconsistencies.includes(entry.id)) {
        throw new ThesisDataError(
          `Malformed inconsistency at ${where}: \`${entry.id}\` lists \`${rowId}\`, which does not name it back (${valuesFile}:${row.line})`,
          { file: inconsistenciesFile, line },
        );
      }
    }
  }
}
