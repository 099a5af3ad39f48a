/**
 * The record type of the thesis's quantitative claims (data/thesis/claims.jsonl): one record per
 * claim, saying where the thesis makes it, what quantity it is about (an expression over measured
 * cells), what the thesis says that quantity is, and how far ours may be from it for the claim to
 * hold. Adding a claim is adding one record; `lib/analysis/claims/` evaluates every record the same way.
 */
import type { BackendName, MeasuredBy, MetricName, MigrationLoad } from '../results/schema.js';
import type { ThesisExperiment } from './thesis-row.js';

/** The claims file, beside values.jsonl. */
export const CLAIMS_FILE = 'claims.jsonl';

/**
 * What the claim compares (a label for readers; every kind is evaluated as a quantity against a band):
 * - `ratio`: one quantity over another, "about 6 times", "within 10%";
 * - `ordering`: which side is larger ("containers do more requests"): a ratio above or below a bound;
 * - `trend`: the same backend at two guest counts ("halves", "stays constant", "triples");
 * - `value`: a difference or a derived number ("about 8.5 s longer", "7.06 s of 35.94 s").
 */
export const CLAIM_KINDS = ['ratio', 'ordering', 'trend', 'value'] as const;
export type ClaimKind = (typeof CLAIM_KINDS)[number];

/** How the quantity prints: `x` a dimensionless ratio (`1.04x`), else the unit of a difference. */
export const CLAIM_UNITS = ['x', 's', 'ms'] as const;
export type ClaimUnit = (typeof CLAIM_UNITS)[number];

/** One measured cell: the per-repeat values of `metric` of a backend at N guests. */
export interface ClaimTerm {
  /**
   * the thesis's backend (native, docker, kvm); our backends whose `thesisBackend` it is stand in for
   * it (podman for Docker, microvm for KVM...), the thesis's own first
   */
  backend: BackendName;
  /** guests as our campaigns store them (latency: the N others running while one more starts) */
  guests: number;
  metric: MetricName;
  /** who measured it, where two parties did (migration: `observer`, the thesis's vantage point) */
  measuredBy?: MeasuredBy;
  /**
   * `configs`: pool the per-repeat values of every configuration that all pooled terms of the
   * claim measured (migration's clean/loaded x vCPUs x memory), so both sides cover the same ones
   */
  pool?: 'configs';
  /**
   * one configuration of a migration campaign, chosen by what it is rather than its id (profiles
   * measure different memory sizes): the load, optionally the vCPUs, and the smallest or largest
   * memory size the campaign measured with them
   */
  config?: ClaimConfig;
}

/** A migration configuration by load, vCPUs and the end of the memory sizes measured. */
export interface ClaimConfig {
  load: MigrationLoad;
  vcpus?: number;
  memory: 'smallest' | 'largest';
}

/** The quantity a claim is about: a cell, or a ratio or difference of two quantities. */
export type ClaimQuantity =
  | ClaimTerm
  | { ratio: readonly [ClaimQuantity, ClaimQuantity] }
  | { difference: readonly [ClaimQuantity, ClaimQuantity] };

/**
 * How far ours may be, as the band the quantity must lie in for the claim to hold:
 * - `{factor: f}`: [thesis / f, thesis x f] ("about 6 times");
 * - `{within: r}`: [thesis x (1 - r), thesis x (1 + r)] ("within 10%");
 * - `{plusMinus: d}`: [thesis - d, thesis + d], in the claim's unit;
 * - `{above: b}` / `{below: b}`: (b, inf) / (-inf, b), whatever the thesis's value ("more than").
 */
export type ClaimTolerance =
  { factor: number } | { within: number } | { plusMinus: number } | { above: number } | { below: number };

/**
 * How the thesis's own figure of a claim's quantity follows from values.jsonl rows (in the claim's
 * unit): a row's value, a constant, or a ratio, difference, sum or power of figures, e.g.
 * `{ratio: [{row: 't5.1-kvm-n8-boot_time'}, {row: 't5.2-docker-n8-boot_time'}]}` (9.00 s / 0.44 s),
 * `{power: [{row: 'f4.4-kvm-events-halving'}, 3]}` (halving at each of three doublings).
 */
export type ThesisFigure =
  | { row: string }
  | { value: number }
  | { ratio: readonly [ThesisFigure, ThesisFigure] }
  | { difference: readonly [ThesisFigure, ThesisFigure] }
  | { sum: readonly [ThesisFigure, ThesisFigure] }
  | { power: readonly [ThesisFigure, number] };

/** What the thesis says the quantity is. */
export interface ClaimThesisSide {
  /** the thesis's value of the quantity, in the claim's unit; null where it states only a direction */
  value: number | null;
  /** ids of the values.jsonl rows the value comes from (checked to exist) */
  rows: readonly string[];
  /** the thesis's own words or numbers where they are not the value itself, e.g. `1:6` */
  printed: string | null;
  /**
   * the thesis's figure computed from values.jsonl rows (every row it names is in `rows`); null
   * where the thesis prints no number for the quantity (its words, `printed`, give `value`)
   */
  figure: ThesisFigure | null;
  /**
   * ids of inconsistencies.json records explaining why the band may not contain the figure (the
   * thesis gives two figures for the quantity, or its text and its tables disagree)
   */
  inconsistencies: readonly string[];
}

/** One claim of the thesis. */
export interface ClaimRecord {
  /** `<section>-<slug>`, unique, e.g. `4.5.1-cpu-total-n8` */
  id: string;
  /** the section that makes the claim, e.g. `4.5.1` */
  section: string;
  /** 1-based line of seeds/001_666abb54a6c10ee7.txt that makes it */
  line: number;
  /** the claim in our words (never the thesis's text copied) */
  claim: string;
  /** the experiment whose campaign measures it */
  experiment: Exclude<ThesisExperiment, 'host'>;
  kind: ClaimKind;
  quantity: ClaimQuantity;
  unit: ClaimUnit;
  thesis: ClaimThesisSide;
  tolerance: ClaimTolerance;
  /** the notebook whose claims section shows it, e.g. `02-density-fileio` */
  notebook: string;
  /** why the quantity is read this way, where it needs saying */
  note: string | null;
  /**
   * the id of the claim this one restates (chapter 7 restating chapters 4-6): shown, evaluated, and
   * counted once with the claim it restates
   */
  restates: string | null;
  /**
   * claims that measure the same quantity share a group (counted once, by its first member): e.g.
   * the thesis's VM cold boot over restore, "about 3 times", "about 10 times", "at least 1.5 times"
   */
  group: string | null;
}

/**
 * What a claim counts as: its group, else the claim it restates, else itself. Restating a grouped
 * claim means carrying its group (the loader checks), so one key covers both.
 */
export function countingUnit(claim: Pick<ClaimRecord, 'id' | 'group' | 'restates'>): string {
  return claim.group ?? claim.restates ?? claim.id;
}

/** The thesis's figure from values.jsonl rows (`value(id)` gives a row's numeric value). */
export function computeThesisFigure(figure: ThesisFigure, value: (row: string) => number): number {
  if ('row' in figure) return value(figure.row);
  if ('value' in figure) return figure.value;
  if ('power' in figure) return computeThesisFigure(figure.power[0], value) ** figure.power[1];
  const [a, b] = 'ratio' in figure ? figure.ratio : 'difference' in figure ? figure.difference : figure.sum;
  const left = computeThesisFigure(a, value);
  const right = computeThesisFigure(b, value);
  return 'ratio' in figure ? left / right : 'difference' in figure ? left - right : left + right;
}

/** The values.jsonl rows a figure reads. */
export function thesisFigureRows(figure: ThesisFigure): string[] {
  if ('row' in figure) return [figure.row];
  if ('value' in figure) return [];
  if ('power' in figure) return thesisFigureRows(figure.power[0]);
  const [a, b] = 'ratio' in figure ? figure.ratio : 'difference' in figure ? figure.difference : figure.sum;
  return [...thesisFigureRows(a), ...thesisFigureRows(b)];
}

/** Whether a quantity is one cell (the other two shapes are ratio and difference). */
export function isClaimTerm(quantity: ClaimQuantity): quantity is ClaimTerm {
  return 'metric' in quantity;
}

/** The cells a quantity reads, in the order they appear (a cell named twice listed twice). */
export function claimTerms(quantity: ClaimQuantity): ClaimTerm[] {
  if (isClaimTerm(quantity)) return [quantity];
  const [a, b] = 'ratio' in quantity ? quantity.ratio : quantity.difference;
  return [...claimTerms(a), ...claimTerms(b)];
}
