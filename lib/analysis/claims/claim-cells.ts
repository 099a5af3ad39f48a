/**
 * The cells a claim reads, found in one campaign: each thesis backend the claim names becomes one of
 * our backends (the thesis's own, else a stand-in the backend table names), each cell its per-repeat
 * values; or, where the campaign cannot answer, why not (backend not run, unsupported, guest count
 * not reached, metric not measured, no configuration in common).
 */
import { BACKEND_DESCRIPTORS, backendRank, type BackendName } from '../../model/backends.js';
import { parseMigrationConfigId } from '../../results/parameters.js';
import type { Accel, Sample } from '../../results/schema.js';
import { claimTerms, type ClaimQuantity, type ClaimTerm } from '../../thesis/index.js';
import { cellValues, type CellValues } from '../cell-values.js';
import { mean } from '../statistics.js';

/** One cell of a claim as found: which backend stood for the thesis's, and its per-repeat values. */
export interface ClaimCell {
  /** the thesis's backend the claim names */
  thesisBackend: BackendName;
  /** ours that stood for it */
  backend: BackendName;
  accel: Accel;
  guests: number;
  metric: ClaimTerm['metric'];
  measuredBy: ClaimTerm['measuredBy'] | null;
  /** the configurations pooled (migration), null where the cell has none */
  configs: readonly string[] | null;
  /**
   * one value per independent unit: per repeat, or, where configurations are pooled, the mean of
   * each configuration's repeats (n = configurations: a configuration's repeats are not
   * independent observations of the pooled quantity)
   */
  values: readonly number[];
  /** the unit of each value: its repeat number, or its configuration where pooled */
  units: readonly (number | string)[];
  /**
   * cells with the same key were measured together (one run: the same backend, accelerator, N and
   * configuration; or pooled over the same configurations) and pair unit by unit
   */
  pairing: string;
}

/** The pairing key of a cell pooled over configurations: its values are one mean per configuration. */
export const POOLED_CONFIGURATIONS = 'pooled configurations';

/** The cells of a claim, in the order its quantity names them, or why the campaign has none. */
export type ClaimCells = { state: 'found'; cells: ClaimCell[] } | { state: 'not measured'; reason: string };

/** Our backends standing for a thesis backend: the thesis's own first, then the backend table's order. */
function standIns(thesisBackend: BackendName): BackendName[] {
  return BACKEND_DESCRIPTORS.filter((descriptor) => descriptor.thesisBackend === thesisBackend)
    .map((descriptor) => descriptor.name)
    .sort((a, b) => Number(b === thesisBackend) - Number(a === thesisBackend) || backendRank(a) - backendRank(b));
}

// the configuration a selector accepts: its load and, when named, its vCPUs
function accepts(term: ClaimTerm, config: string | undefined): boolean {
  if (term.config === undefined) return true;
  const parsed = config === undefined ? null : parseMigrationConfigId(config);
  return (
    parsed !== null &&
    parsed.load === term.config.load &&
    (term.config.vcpus === undefined || parsed.vcpus === term.config.vcpus)
  );
}

function matches(cell: CellValues, backend: BackendName, term: ClaimTerm): boolean {
  return (
    cell.backend === backend &&
    cell.guests === term.guests &&
    cell.metric === term.metric &&
    (term.measuredBy === undefined || cell.measured_by === term.measuredBy) &&
    accepts(term, cell.config)
  );
}

/** The configuration a term's selector picks among those `backend` measured: the smallest or largest memory. */
function selectedConfig(cells: readonly CellValues[], backend: BackendName, term: ClaimTerm): string | undefined {
  if (term.config === undefined) return undefined;
  const measured = cells
    .filter((cell) => matches(cell, backend, term))
    .map((cell) => ({
      id: cell.config as string,
      memoryMiB: parseMigrationConfigId(cell.config as string)?.memoryMiB ?? 0,
    }))
    .sort((a, b) => a.memoryMiB - b.memoryMiB || a.id.localeCompare(b.id));
  return (term.config.memory === 'smallest' ? measured[0] : measured.at(-1))?.id;
}

/** "clean 1-vCPU" / "loaded": what a selector asks for, in words. */
function selectorText(term: ClaimTerm): string {
  const config = term.config;
  return config === undefined ? '' : `${config.load}${config.vcpus === undefined ? '' : ` ${config.vcpus}-vCPU`}`;
}

/** Why `backend` cannot give `term`'s cell, from the campaign's rows; null when it can. */
function whyNot(
  samples: readonly Sample[],
  cells: readonly CellValues[],
  backend: BackendName,
  term: ClaimTerm,
): string | null {
  if (cells.some((cell) => matches(cell, backend, term))) return null;
  const rows = samples.filter((sample) => sample.backend === backend);
  if (rows.length === 0) return `${backend} not run`;
  const unsupported = rows.find((sample) => sample.state === 'unsupported');
  if (!rows.some((sample) => sample.state === 'ok'))
    return unsupported && unsupported.state === 'unsupported'
      ? `${backend} unsupported: ${unsupported.reason}`
      : `${backend} has no measured rows (every run errored)`;
  const reached = cells
    .filter((cell) => cell.backend === backend && cell.metric === term.metric)
    .map((cell) => cell.guests);
  if (reached.length === 0)
    return term.config !== undefined
      ? `no ${backend} ${term.metric} of a ${selectorText(term)} configuration measured`
      : `no ${backend} ${term.metric}${term.measuredBy ? ` (${term.measuredBy})` : ''} measured`;
  const most = Math.max(...reached);
  if (term.guests > most) return `${backend} measured up to N=${most}; the claim is about N=${term.guests}`;
  return `${backend} ${term.metric} not measured at N=${term.guests} (measured at N=${[...new Set(reached)].sort((a, b) => a - b).join(', ')})`;
}

/** Per-repeat values of the term's cells of `backend`, keyed by configuration ('' where none). */
function byConfig(cells: readonly CellValues[], backend: BackendName, term: ClaimTerm): Map<string, CellValues> {
  const found = new Map<string, CellValues>();
  for (const cell of cells)
    if (matches(cell, backend, term) && !found.has(cell.config ?? '')) found.set(cell.config ?? '', cell);
  return found;
}

// every claim of an experiment reads the same campaign's rows: their cells are computed once per rows array
const CELLS = new WeakMap<readonly Sample[], CellValues[]>();
function campaignCells(samples: readonly Sample[]): CellValues[] {
  const known = CELLS.get(samples);
  if (known) return known;
  const cells = cellValues(samples);
  CELLS.set(samples, cells);
  return cells;
}

/** Finds the cells `quantity` reads in `samples` (one campaign's rows). */
export function findClaimCells(quantity: ClaimQuantity, samples: readonly Sample[]): ClaimCells {
  const terms = claimTerms(quantity);
  const cells = campaignCells(samples);
  const chosen = new Map<BackendName, BackendName>();
  for (const thesisBackend of [...new Set(terms.map((term) => term.backend))]) {
    const needed = terms.filter((term) => term.backend === thesisBackend);
    const candidates = standIns(thesisBackend);
    const usable = candidates.find((backend) => needed.every((term) => whyNot(samples, cells, backend, term) === null));
    if (usable === undefined) {
      // the reason of the first candidate that ran at all (the thesis's own first), else "not run"
      const ran = candidates.find((backend) => samples.some((sample) => sample.backend === backend));
      const reasons = needed
        .map((term) => whyNot(samples, cells, ran ?? thesisBackend, term))
        .filter((reason): reason is string => reason !== null);
      const others = candidates.filter((backend) => backend !== thesisBackend);
      const reason =
        ran === undefined
          ? `${thesisBackend} not run${others.length > 0 ? ` (nor a stand-in: ${others.join(', ')})` : ''}`
          : (reasons[0] as string);
      return { state: 'not measured', reason };
    }
    chosen.set(thesisBackend, usable);
  }
  // pooled cells cover the configurations every pooled cell measured
  const pooled = terms.filter((term) => term.pool === 'configs');
  let shared: string[] | null = null;
  for (const term of pooled) {
    const configs = [...byConfig(cells, chosen.get(term.backend) as BackendName, term).keys()];
    shared = shared === null ? configs : shared.filter((config) => configs.includes(config));
  }
  if (shared !== null && shared.length === 0)
    return {
      state: 'not measured',
      reason: `${[...new Set(pooled.map((term) => chosen.get(term.backend)))].join(' and ')} measured no configuration in common`,
    };
  // terms that pick one configuration each: a claim comparing sizes needs two sizes
  const picked = terms.map((term) => selectedConfig(cells, chosen.get(term.backend) as BackendName, term));
  const selecting = terms.filter((term) => term.config !== undefined);
  if (selecting.length > 1 && new Set(picked.filter((config) => config !== undefined)).size < selecting.length) {
    const backend = chosen.get((selecting[0] as ClaimTerm).backend) as BackendName;
    return {
      state: 'not measured',
      reason: `${backend} measured one memory size of the ${selectorText(selecting[0] as ClaimTerm)} configurations (${picked.find((config) => config !== undefined) ?? 'none'}); the claim compares memory sizes`,
    };
  }
  return {
    state: 'found',
    cells: terms.map((term, index) => {
      const backend = chosen.get(term.backend) as BackendName;
      const found = byConfig(cells, backend, term);
      const one = picked[index];
      const configs = one !== undefined ? [one] : term.pool === 'configs' ? [...(shared ?? [])].sort() : null;
      const parts =
        configs === null
          ? [[...found.values()][0] as CellValues]
          : configs.map((config) => found.get(config) as CellValues);
      const first = parts[0] as CellValues;
      const pooled = one === undefined && term.pool === 'configs';
      return {
        thesisBackend: term.backend,
        backend,
        accel: first.accel,
        guests: term.guests,
        metric: term.metric,
        measuredBy: term.measuredBy ?? null,
        configs,
        values: pooled ? parts.map((part) => mean(part.values)) : first.values,
        units: pooled ? (configs as string[]) : first.repeats,
        pairing: pooled ? POOLED_CONFIGURATIONS : `${backend}/${first.accel}/${term.guests}/${first.config ?? ''}`,
      };
    }),
  };
}
