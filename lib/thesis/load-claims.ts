/**
 * Reads and validates data/thesis/claims.jsonl: every field of every record checked, a bad one named
 * by file, line, claim id and field; the thesis rows a claim cites must exist in values.jsonl.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { METRICS, MIGRATION_LOADS, type MeasuredBy, type MetricName } from '../results/schema.js';
import {
  CLAIM_KINDS,
  CLAIM_UNITS,
  CLAIMS_FILE,
  type ClaimConfig,
  type ClaimQuantity,
  type ClaimRecord,
  type ClaimTerm,
  type ClaimThesisSide,
  type ClaimTolerance,
  type ThesisFigure,
  thesisFigureRows,
} from './claim-record.js';
import { ClaimDataError } from './errors.js';
import { findThesisDir, loadThesis, THESIS_BACKENDS } from './load-thesis.js';
import { THESIS_EXPERIMENTS } from './thesis-row.js';

const RECORD_FIELDS = new Set([
  'id',
  'section',
  'line',
  'claim',
  'experiment',
  'kind',
  'quantity',
  'unit',
  'thesis',
  'tolerance',
  'notebook',
  'note',
  'restates',
  'group',
]);
const TERM_FIELDS = new Set(['backend', 'guests', 'metric', 'measuredBy', 'pool', 'config']);
const CONFIG_FIELDS = new Set(['load', 'vcpus', 'memory']);
const THESIS_FIELDS = new Set(['value', 'rows', 'printed', 'figure', 'inconsistencies']);
const FIGURE_OPS = ['row', 'value', 'ratio', 'difference', 'sum', 'power'] as const;
const TOLERANCES = ['factor', 'within', 'plusMinus', 'above', 'below'] as const;
const MEASURED_BY: readonly MeasuredBy[] = ['qemu', 'criu', 'observer', 'link', 'runner'];
const CLAIM_EXPERIMENTS = THESIS_EXPERIMENTS.filter((name): name is ClaimRecord['experiment'] => name !== 'host');

/** Fails naming the field at fault. */
type Fail = (field: string, what: string) => never;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkFields(record: Record<string, unknown>, allowed: Set<string>, where: string, fail: Fail): void {
  const unknown = Object.keys(record).filter((key) => !allowed.has(key));
  if (unknown.length > 0)
    fail(`${where}${unknown[0] as string}`, `unknown field; expected one of ${[...allowed].join(', ')}`);
}

function text(value: unknown, field: string, fail: Fail): string {
  if (typeof value === 'string' && value.trim() !== '') return value;
  return fail(field, `expected a non-empty string, got ${JSON.stringify(value)}`);
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string, fail: Fail): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  return fail(field, `expected one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
}

function parseTerm(raw: Record<string, unknown>, field: string, fail: Fail): ClaimTerm {
  checkFields(raw, TERM_FIELDS, `${field}.`, fail);
  const backend = oneOf(raw.backend, THESIS_BACKENDS, `${field}.backend`, fail);
  if (typeof raw.guests !== 'number' || !Number.isInteger(raw.guests) || raw.guests < 0)
    fail(`${field}.guests`, `expected an integer of 0 or more, got ${JSON.stringify(raw.guests)}`);
  const metric = oneOf(raw.metric, Object.keys(METRICS) as MetricName[], `${field}.metric`, fail);
  const term: ClaimTerm = { backend, guests: raw.guests as number, metric };
  if (raw.measuredBy !== undefined) term.measuredBy = oneOf(raw.measuredBy, MEASURED_BY, `${field}.measuredBy`, fail);
  if (raw.pool !== undefined) term.pool = oneOf(raw.pool, ['configs'] as const, `${field}.pool`, fail);
  if (raw.config !== undefined) {
    if (term.pool !== undefined) fail(`${field}.config`, 'expected either `pool` or `config`, not both');
    if (!isRecord(raw.config)) return fail(`${field}.config`, `expected an object, got ${JSON.stringify(raw.config)}`);
    checkFields(raw.config, CONFIG_FIELDS, `${field}.config.`, fail);
    const config: ClaimConfig = {
      load: oneOf(raw.config.load, MIGRATION_LOADS, `${field}.config.load`, fail),
      memory: oneOf(raw.config.memory, ['smallest', 'largest'] as const, `${field}.config.memory`, fail),
    };
    if (raw.config.vcpus !== undefined) {
      if (typeof raw.config.vcpus !== 'number' || !Number.isInteger(raw.config.vcpus) || raw.config.vcpus < 1)
        fail(`${field}.config.vcpus`, `expected an integer of 1 or more, got ${JSON.stringify(raw.config.vcpus)}`);
      config.vcpus = raw.config.vcpus as number;
    }
    term.config = config;
  }
  return term;
}

function parseQuantity(raw: unknown, field: string, fail: Fail): ClaimQuantity {
  if (!isRecord(raw)) return fail(field, `expected an object, got ${JSON.stringify(raw)}`);
  if ('metric' in raw) return parseTerm(raw, field, fail);
  const keys = Object.keys(raw);
  const op = keys[0];
  if (keys.length !== 1 || (op !== 'ratio' && op !== 'difference'))
    return fail(field, `expected a cell {backend, guests, metric} or {ratio: [a, b]} or {difference: [a, b]}`);
  const pair = raw[op];
  if (!Array.isArray(pair) || pair.length !== 2) return fail(`${field}.${op}`, 'expected two quantities [a, b]');
  const sides = [
    parseQuantity(pair[0], `${field}.${op}[0]`, fail),
    parseQuantity(pair[1], `${field}.${op}[1]`, fail),
  ] as const;
  return op === 'ratio' ? { ratio: sides } : { difference: sides };
}

function parseFigure(raw: unknown, field: string, fail: Fail): ThesisFigure {
  const shape = `expected one of {${FIGURE_OPS.join('|')}: ...}`;
  if (!isRecord(raw) || Object.keys(raw).length !== 1) return fail(field, `${shape}, got ${JSON.stringify(raw)}`);
  const op = oneOf(Object.keys(raw)[0], FIGURE_OPS, field, fail);
  const arg = raw[op];
  if (op === 'row') return { row: text(arg, `${field}.row`, fail) };
  if (op === 'value') {
    if (typeof arg !== 'number' || !Number.isFinite(arg))
      fail(`${field}.value`, `expected a number, got ${JSON.stringify(arg)}`);
    return { value: arg as number };
  }
  if (!Array.isArray(arg) || arg.length !== 2) return fail(`${field}.${op}`, 'expected two operands [a, b]');
  const left = parseFigure(arg[0], `${field}.${op}[0]`, fail);
  if (op === 'power') {
    if (typeof arg[1] !== 'number' || !Number.isInteger(arg[1]) || arg[1] < 1)
      fail(`${field}.power[1]`, `expected a whole exponent of 1 or more, got ${JSON.stringify(arg[1])}`);
    return { power: [left, arg[1] as number] };
  }
  const pair = [left, parseFigure(arg[1], `${field}.${op}[1]`, fail)] as const;
  return op === 'ratio' ? { ratio: pair } : op === 'difference' ? { difference: pair } : { sum: pair };
}

function parseThesis(raw: unknown, fail: Fail): ClaimThesisSide {
  if (!isRecord(raw)) return fail('thesis', `expected {value, rows?, printed?}, got ${JSON.stringify(raw)}`);
  checkFields(raw, THESIS_FIELDS, 'thesis.', fail);
  if (raw.value !== null && (typeof raw.value !== 'number' || !Number.isFinite(raw.value)))
    fail('thesis.value', `expected a number or null, got ${JSON.stringify(raw.value)}`);
  const rows = raw.rows ?? [];
  if (!Array.isArray(rows) || !rows.every((row) => typeof row === 'string' && row !== ''))
    fail('thesis.rows', `expected a list of values.jsonl ids, got ${JSON.stringify(raw.rows)}`);
  if (raw.printed !== undefined) text(raw.printed, 'thesis.printed', fail);
  if (raw.value === null && raw.printed === undefined && raw.figure === undefined)
    fail('thesis.printed', 'a claim without a thesis value needs the words it rests on, or a `figure`');
  const figure = raw.figure === undefined ? null : parseFigure(raw.figure, 'thesis.figure', fail);
  const uncited =
    figure === null ? undefined : thesisFigureRows(figure).find((row) => !(rows as string[]).includes(row));
  if (uncited !== undefined) fail('thesis.figure', `reads row ${uncited}, which \`thesis.rows\` does not cite`);
  const inconsistencies = raw.inconsistencies ?? [];
  if (!Array.isArray(inconsistencies) || !inconsistencies.every((id) => typeof id === 'string' && id !== ''))
    fail(
      'thesis.inconsistencies',
      `expected a list of inconsistencies.json ids, got ${JSON.stringify(raw.inconsistencies)}`,
    );
  return {
    value: raw.value as number | null,
    rows: rows as string[],
    printed: (raw.printed as string | undefined) ?? null,
    figure,
    inconsistencies: inconsistencies as string[],
  };
}

function parseTolerance(raw: unknown, thesis: ClaimThesisSide, fail: Fail): ClaimTolerance {
  if (!isRecord(raw) || Object.keys(raw).length !== 1)
    return fail('tolerance', `expected one of {${TOLERANCES.join('|')}: number}, got ${JSON.stringify(raw)}`);
  const key = oneOf(Object.keys(raw)[0], TOLERANCES, 'tolerance', fail);
  const value = raw[key];
  if (typeof value !== 'number' || !Number.isFinite(value))
    return fail(`tolerance.${key}`, `expected a number, got ${JSON.stringify(value)}`);
  if (key === 'factor' && !(value > 1)) fail('tolerance.factor', `expected a factor above 1, got ${value}`);
  if (key === 'within' && !(value > 0 && value < 1))
    fail('tolerance.within', `expected a fraction in (0, 1), got ${value}`);
  if (key === 'plusMinus' && !(value > 0)) fail('tolerance.plusMinus', `expected a positive number, got ${value}`);
  if ((key === 'factor' || key === 'within' || key === 'plusMinus') && thesis.value === null)
    fail(`tolerance.${key}`, 'a band around the thesis needs `thesis.value`; use `above` or `below` for a direction');
  if (key === 'factor' && thesis.value !== null && !(thesis.value > 0))
    fail('tolerance.factor', 'a factor band needs a positive `thesis.value`');
  return { [key]: value } as ClaimTolerance;
}

function parseClaim(raw: unknown, fail: Fail): ClaimRecord {
  if (!isRecord(raw)) return fail('(record)', 'expected a JSON object');
  checkFields(raw, RECORD_FIELDS, '', fail);
  const id = text(raw.id, 'id', fail);
  const section = text(raw.section, 'section', fail);
  if (!/^[4-7](\.[0-9]+)*$/.test(section))
    fail('section', `expected a section of chapters 4-7 such as 4.5.1, got ${section}`);
  if (!id.startsWith(`${section}-`)) fail('id', `expected the id to start with its section \`${section}-\`, got ${id}`);
  if (typeof raw.line !== 'number' || !Number.isInteger(raw.line) || raw.line < 1)
    fail('line', `expected the 1-based line of the thesis text, got ${JSON.stringify(raw.line)}`);
  const thesis = parseThesis(raw.thesis, fail);
  return {
    id,
    section,
    line: raw.line as number,
    claim: text(raw.claim, 'claim', fail),
    experiment: oneOf(raw.experiment, CLAIM_EXPERIMENTS, 'experiment', fail),
    kind: oneOf(raw.kind, CLAIM_KINDS, 'kind', fail),
    quantity: parseQuantity(raw.quantity, 'quantity', fail),
    unit: oneOf(raw.unit, CLAIM_UNITS, 'unit', fail),
    thesis,
    tolerance: parseTolerance(raw.tolerance, thesis, fail),
    notebook: text(raw.notebook, 'notebook', fail),
    note: raw.note === undefined ? null : text(raw.note, 'note', fail),
    restates: raw.restates === undefined ? null : text(raw.restates, 'restates', fail),
    group: raw.group === undefined ? null : groupName(raw.group, fail),
  };
}

function groupName(value: unknown, fail: Fail): string {
  if (typeof value === 'string' && /^[a-z0-9][a-z0-9.-]*$/.test(value)) return value;
  return fail(
    'group',
    `expected a lower-case name such as \`kvm-cold-boot-over-restore\`, got ${JSON.stringify(value)}`,
  );
}

/** What the other records of the file must agree with: restated claims exist, groups have two members. */
function checkLinks(claims: readonly ClaimRecord[], failAt: (claim: ClaimRecord) => Fail): void {
  const byId = new Map(claims.map((claim) => [claim.id, claim]));
  const members = new Map<string, number>();
  for (const claim of claims) if (claim.group !== null) members.set(claim.group, (members.get(claim.group) ?? 0) + 1);
  for (const claim of claims) {
    const fail = failAt(claim);
    if (claim.group !== null && (members.get(claim.group) ?? 0) < 2)
      fail('group', `names group ${claim.group}, which no other claim has: a group holds claims of one quantity`);
    if (claim.restates === null) continue;
    const original = byId.get(claim.restates);
    if (original === undefined) fail('restates', `names ${claim.restates}, which is not a claim of this file`);
    else if (original.id === claim.id) fail('restates', 'names the claim itself');
    else if (original.restates !== null)
      fail('restates', `names ${original.id}, itself a restatement of ${original.restates}: name the original`);
    else if (original.group !== claim.group)
      fail(
        'group',
        `restates ${original.id}, whose group is ${original.group ?? 'none'}: expected ${original.group === null ? 'no `group`' : `\`group: ${original.group}\``}`,
      );
  }
}

/** Parses claims from the text of a claims file; `file` names it in errors. */
export function parseClaims(
  content: string,
  file: string,
  knownRows?: ReadonlySet<string>,
  knownInconsistencies?: ReadonlySet<string>,
): ClaimRecord[] {
  const claims: ClaimRecord[] = [];
  const seen = new Map<string, number>();
  const failer =
    (at: number, claimId: string | undefined): Fail =>
    (field, what) => {
      throw new ClaimDataError(`Malformed claim ${claimId ?? '(no id)'} at ${file}:${at}: \`${field}\` ${what}`, {
        file,
        line: at,
        field,
        ...(claimId === undefined ? {} : { claimId }),
      });
    };
  content.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const at = index + 1;
    let claimId: string | undefined;
    const fail: Fail = (field, what) => failer(at, claimId)(field, what);
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (error) {
      throw new ClaimDataError(`Malformed claim at ${file}:${at}: not valid JSON (${(error as Error).message})`, {
        file,
        line: at,
        cause: error,
      });
    }
    if (isRecord(raw) && typeof raw.id === 'string') claimId = raw.id;
    const claim = parseClaim(raw, fail);
    const before = seen.get(claim.id);
    if (before !== undefined) fail('id', `repeats the id of line ${before}`);
    seen.set(claim.id, at);
    const unknownRow = knownRows ? claim.thesis.rows.find((row) => !knownRows.has(row)) : undefined;
    if (unknownRow !== undefined) fail('thesis.rows', `names ${unknownRow}, which values.jsonl does not have`);
    const unknownInconsistency = knownInconsistencies
      ? claim.thesis.inconsistencies.find((id) => !knownInconsistencies.has(id))
      : undefined;
    if (unknownInconsistency !== undefined)
      fail('thesis.inconsistencies', `names ${unknownInconsistency}, which inconsistencies.json does not have`);
    claims.push(claim);
  });
  if (claims.length === 0) throw new ClaimDataError(`No claims in ${file}`, { file });
  checkLinks(claims, (claim) => failer(seen.get(claim.id) as number, claim.id));
  return claims;
}

/** What {@link loadClaims} keeps. */
export interface ClaimFilter {
  /** only the claims this notebook shows, e.g. `02-density-fileio` */
  notebook?: string;
  /** only the claims of these experiments */
  experiments?: readonly string[];
}

/**
 * Every claim of data/thesis/claims.jsonl (in `dir`, default the thesis data directory), validated,
 * in file order; `filter` keeps a notebook's or some experiments' claims.
 */
export function loadClaims(filter: ClaimFilter = {}, dir?: string): ClaimRecord[] {
  const root = dir ?? findThesisDir();
  const file = path.join(root, CLAIMS_FILE);
  let content: string;
  try {
    content = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ClaimDataError(`Cannot read ${file}`, { file, cause: error });
  }
  const thesis = loadThesis(root);
  const known = new Set(thesis.rows.map((row) => row.id));
  const inconsistencies = new Set(thesis.inconsistencies.map((entry) => entry.id));
  return parseClaims(content, file, known, inconsistencies).filter(
    (claim) =>
      (filter.notebook === undefined || claim.notebook === filter.notebook) &&
      (filter.experiments === undefined || filter.experiments.includes(claim.experiment)),
  );
}
