/**
 * One campaign against another (`guestbench compare A B`, notebooks/07-compare.ipynb): for every
 * cell both have, the per-repeat values' means, the ratio B/A with a bootstrap confidence interval
 * and a Mann-Whitney U test; a change is flagged only when it is significant (p < alpha) and
 * beyond a stated minimum effect (the asv and Firecracker A/B rules). docs/statistics.md.
 */
import type { CampaignMeta } from '../results/campaign-meta.js';
import { UsageError } from '../util/errors.js';
import { fasterWhen } from './better-direction.js';
import { bootstrapRatioCi, DEFAULT_RESAMPLES, type RatioInterval } from './bootstrap.js';
import { byCell, cellKeyString, cellValues, type CellKey, type CellValues } from './cell-values.js';
import type { LoadedCampaign } from './load-campaign.js';
import { mannWhitneyU, smallestP, type RankTestMethod } from './rank-test.js';
import { mean } from './statistics.js';

/** Options of {@link compareCampaigns}. */
export interface CompareOptions {
  /** significance level of the rank test (default 0.05) */
  alpha?: number;
  /** smallest relative change flagged, as a fraction: 0.05 flags B/A >= 1.05 or <= 1/1.05 (default) */
  minEffect?: number;
  /** bootstrap resamples per cell (default 4000) */
  resamples?: number;
  /** bootstrap seed (default fixed: the same numbers on every run) */
  seed?: number;
}

/** The defaults of {@link CompareOptions}. */
export const COMPARE_DEFAULTS = { alpha: 0.05, minEffect: 0.05 } as const;

/** One campaign's values of a cell. */
export interface CellSide {
  /** repeats with a value (the guests of a repeat averaged) */
  n: number;
  mean: number;
  /** per-repeat values */
  values: number[];
  /** runs of the cell that errored */
  errored: number;
}

/**
 * What the comparison of a cell concluded:
 * - 'changed': p < alpha and B/A beyond the minimum effect;
 * - 'unchanged': not significant, or significant but within the minimum effect;
 * - 'untestable': too few repeats for the rank test to reach alpha at all.
 */
export type CellVerdict = 'changed' | 'unchanged' | 'untestable';

/** A cell both campaigns have. */
export interface ComparedCell {
  state: 'compared';
  key: CellKey;
  a: CellSide;
  b: CellSide;
  /** mean B / mean A; null where mean A is 0 */
  ratio: number | null;
  /** percentile bootstrap 95% CI of the ratio, or why there is none */
  ratioInterval: RatioInterval;
  /** two-sided Mann-Whitney U p-value of A's against B's per-repeat values */
  p: number;
  test: RankTestMethod;
  /** the smallest p the test could give with these repeat counts */
  smallestP: number;
  verdict: CellVerdict;
  /** B against A where changed: 'higher' or 'lower'; null otherwise */
  change: 'higher' | 'lower' | null;
  /** what the change means where the unit says (times: lower is faster; rates: higher is) */
  meaning: 'faster' | 'slower' | null;
  /** the verdict in words, e.g. "p = 0.0016 < 0.05 and 1.12x is beyond ±5%" */
  reason: string;
}

/** A cell only one of the two campaigns has. */
export interface OneSidedCell {
  state: 'only-in-a' | 'only-in-b';
  key: CellKey;
  side: CellSide;
}

/** One line of the per-cell table. */
export type CellComparison = ComparedCell | OneSidedCell;

/** One line of the hosts-and-versions table. */
export interface HostLine {
  label: string;
  a: string;
  b: string;
  differs: boolean;
}

/** Counts for the one-line summary. */
export interface CompareSummary {
  compared: number;
  changed: number;
  faster: number;
  slower: number;
  /** changed without a better direction (counts, sizes) */
  otherChanges: number;
  unchanged: number;
  untestable: number;
  onlyInA: number;
  onlyInB: number;
}

/** The whole comparison. */
export interface CampaignComparison {
  a: { id: string; dir: string; meta: CampaignMeta };
  b: { id: string; dir: string; meta: CampaignMeta };
  alpha: number;
  minEffect: number;
  hosts: HostLine[];
  /** where the two campaigns' workloads or methods differ (then ratios of totals mislead) */
  warnings: string[];
  cells: CellComparison[];
  summary: CompareSummary;
}

function side(cell: CellValues): CellSide {
  return { n: cell.values.length, mean: mean(cell.values), values: cell.values, errored: cell.errored };
}

function keyOf(cell: CellValues): CellKey {
  const { values: _values, errored: _errored, ...key } = cell;
  return key;
}

function ratioText(ratio: number): string {
  return `${ratio.toPrecision(3)}x`;
}

function pText(p: number): string {
  return p.toPrecision(2);
}

/** Compares the per-repeat values of one cell (values of A, values of B). */
export function compareCell(
  key: CellKey,
  a: CellSide,
  b: CellSide,
  options: Required<Pick<CompareOptions, 'alpha' | 'minEffect'>> & Pick<CompareOptions, 'resamples' | 'seed'>,
): ComparedCell {
  const ratioInterval = bootstrapRatioCi(a.values, b.values, {
    resamples: options.resamples ?? DEFAULT_RESAMPLES,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
  });
  const ratio = ratioInterval.ratio;
  const test = mannWhitneyU(a.values, b.values);
  const floor = smallestP(a.n, b.n);
  const base = { state: 'compared' as const, key, a, b, ratio, ratioInterval, p: test.p, test: test.method };
  const effect = `±${(options.minEffect * 100).toPrecision(2).replace(/\.0+$/, '')}%`;
  if (floor >= options.alpha) {
    return {
      ...base,
      smallestP: floor,
      verdict: 'untestable',
      change: null,
      meaning: null,
      reason: `too few repeats to test (n=${a.n} and ${b.n}): p cannot go below ${pText(floor)}`,
    };
  }
  const significant = test.p < options.alpha;
  const large =
    ratio === null ? mean(b.values) !== 0 : ratio >= 1 + options.minEffect || ratio <= 1 / (1 + options.minEffect);
  const sized = ratio === null ? 'a change from a mean of 0' : ratioText(ratio);
  // either way the cell is unchanged: only the reason differs
  if (!significant || !large) {
    return {
      ...base,
      smallestP: floor,
      verdict: 'unchanged',
      change: null,
      meaning: null,
      reason: significant
        ? `significant (p = ${pText(test.p)}) but ${sized} is within ${effect}`
        : `not significant (p = ${pText(test.p)}, not below ${options.alpha})`,
    };
  }
  const change = b.mean > a.mean ? 'higher' : 'lower';
  const faster = fasterWhen(key.unit);
  return {
    ...base,
    smallestP: floor,
    verdict: 'changed',
    change,
    meaning: faster === null ? null : faster === change ? 'faster' : 'slower',
    reason: `p = ${pText(test.p)} < ${options.alpha} and ${sized} is beyond ${effect}`,
  };
}

function text(value: unknown): string {
  if (value === null || value === undefined) return '–';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value as string | number | boolean);
}

/** The two hosts' fingerprints, tool versions and campaign facts side by side. */
export function hostLines(a: CampaignMeta, b: CampaignMeta): HostLine[] {
  const disk = (meta: CampaignMeta) => {
    const d = meta.host.disk;
    return [
      d.device,
      d.model,
      d.sizeGiB === null ? null : `${d.sizeGiB} GiB`,
      d.rotational === null ? null : d.rotational ? 'rotational' : 'solid state',
    ]
      .filter((part) => part !== null)
      .join(', ');
  };
  const facts: Array<[string, (meta: CampaignMeta) => unknown]> = [
    ['campaign', (meta) => meta.id],
    ['experiment', (meta) => meta.experiment],
    ['profile', (meta) => meta.profile],
    ['started', (meta) => meta.startedAt],
    ['state', (meta) => meta.state],
    ['git commit', (meta) => (meta.git ? `${meta.git.commit.slice(0, 12)}${meta.git.dirty ? ' (dirty)' : ''}` : null)],
    ['hostname', (meta) => meta.host.hostname],
    ['CPU model', (meta) => meta.host.cpuModel],
    ['logical CPUs', (meta) => meta.host.cpus],
    ['cores', (meta) => meta.host.cores],
    ['threads per core', (meta) => meta.host.threadsPerCore],
    ['memory (MiB)', (meta) => meta.host.memoryMiB],
    ['OS', (meta) => meta.host.os],
    ['kernel', (meta) => meta.host.kernel],
    ['arch', (meta) => meta.host.arch],
    ['disk', disk],
    ['KVM module', (meta) => meta.host.kvmModule],
    [
      'accelerators',
      (meta) =>
        Object.entries(meta.accel)
          .map(([backend, accel]) => `${backend} ${accel}`)
          .join(', '),
    ],
    ['guest image', (meta) => meta.image?.key ?? null],
  ];
  const versions = [...new Set([...Object.keys(a.versions), ...Object.keys(b.versions)])];
  return [
    ...facts.map(([label, pick]) => ({ label, a: text(pick(a)), b: text(pick(b)) })),
    ...versions.map((name) => ({ label: name, a: text(a.versions[name]), b: text(b.versions[name]) })),
  ].map((line) => ({ ...line, differs: line.a !== line.b }));
}

// parameters that set how many cells there are, not what one cell measures
const CELL_COUNT_PARAMETERS = new Set(['guests', 'repeats']);

function leaves(value: unknown, prefix: string, out: Map<string, string>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value as Record<string, unknown>))
      leaves(inner, prefix ? `${prefix}.${key}` : key, out);
  } else out.set(prefix, JSON.stringify(value));
}

function parameterDifferences(a: CampaignMeta, b: CampaignMeta): string[] {
  const left = new Map<string, string>();
  const right = new Map<string, string>();
  for (const [key, value] of Object.entries(a.parameters))
    if (!CELL_COUNT_PARAMETERS.has(key)) leaves(value, key, left);
  for (const [key, value] of Object.entries(b.parameters))
    if (!CELL_COUNT_PARAMETERS.has(key)) leaves(value, key, right);
  const differences: string[] = [];
  for (const key of [...new Set([...left.keys(), ...right.keys()])]) {
    const x = left.get(key);
    const y = right.get(key);
    if (x === y) continue;
    if (x === undefined) differences.push(`${key} only in B`);
    else if (y === undefined) differences.push(`${key} only in A`);
    else if (x.length > 40 || y.length > 40) differences.push(`${key} (text differs)`);
    else differences.push(`${key} ${x} vs ${y}`);
  }
  return differences;
}

/** Plain warnings where the two campaigns did not run the same workload the same way. */
export function workloadWarnings(a: CampaignMeta, b: CampaignMeta): string[] {
  const warnings: string[] = [];
  if (a.experiment !== b.experiment) warnings.push(`the experiments differ: ${a.experiment} vs ${b.experiment}`);
  const differences = parameterDifferences(a, b);
  if (a.profile !== b.profile || differences.length > 0) {
    const what = [
      ...(a.profile === b.profile ? [] : [`profile ${a.profile} vs ${b.profile}`]),
      ...(differences.length > 0 ? [`parameters: ${differences.join('; ')}`] : []),
    ].join('; ');
    warnings.push(
      `the two campaigns' workloads or methods differ (${what}): ratios of totals (times, counts) then compare ` +
        'different workloads, not the two hosts; prefer the rate metrics (per second) and per-request latencies',
    );
  }
  return warnings;
}

/** Counts the outcomes of a per-cell comparison. */
export function compareSummary(cells: readonly CellComparison[]): CompareSummary {
  const compared = cells.filter((cell): cell is ComparedCell => cell.state === 'compared');
  const changed = compared.filter((cell) => cell.verdict === 'changed');
  return {
    compared: compared.length,
    changed: changed.length,
    faster: changed.filter((cell) => cell.meaning === 'faster').length,
    slower: changed.filter((cell) => cell.meaning === 'slower').length,
    otherChanges: changed.filter((cell) => cell.meaning === null).length,
    unchanged: compared.filter((cell) => cell.verdict === 'unchanged').length,
    untestable: compared.filter((cell) => cell.verdict === 'untestable').length,
    onlyInA: cells.filter((cell) => cell.state === 'only-in-a').length,
    onlyInB: cells.filter((cell) => cell.state === 'only-in-b').length,
  };
}

/** Compares the cells of two campaigns' rows (the statistics, without the campaigns' metadata). */
export function compareCells(
  a: Parameters<typeof cellValues>[0],
  b: Parameters<typeof cellValues>[0],
  options: CompareOptions = {},
): CellComparison[] {
  const settings = {
    alpha: options.alpha ?? COMPARE_DEFAULTS.alpha,
    minEffect: options.minEffect ?? COMPARE_DEFAULTS.minEffect,
    ...(options.resamples === undefined ? {} : { resamples: options.resamples }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
  };
  const left = new Map(cellValues(a).map((cell) => [cellKeyString(cell), cell]));
  const right = new Map(cellValues(b).map((cell) => [cellKeyString(cell), cell]));
  const cells: CellComparison[] = [];
  for (const [key, cell] of left) {
    const other = right.get(key);
    cells.push(
      other
        ? compareCell(keyOf(cell), side(cell), side(other), settings)
        : { state: 'only-in-a', key: keyOf(cell), side: side(cell) },
    );
  }
  for (const [key, cell] of right)
    if (!left.has(key)) cells.push({ state: 'only-in-b', key: keyOf(cell), side: side(cell) });
  return cells.sort((x, y) => byCell(x.key, y.key));
}

/**
 * Compares campaign B against campaign A. Throws a UsageError when they share no cell (different
 * experiments, or no backend, N or metric in common).
 */
export function compareCampaigns(
  a: LoadedCampaign,
  b: LoadedCampaign,
  options: CompareOptions = {},
): CampaignComparison {
  const cells = compareCells(a.samples, b.samples, options);
  const summary = compareSummary(cells);
  if (summary.compared === 0) {
    throw new UsageError(
      `Campaigns ${a.meta.id} (${a.meta.experiment}) and ${b.meta.id} (${b.meta.experiment}) have no cell in common`,
      { fix: 'compare two campaigns of the same experiment with a backend, N and metric in common' },
    );
  }
  return {
    a: { id: a.meta.id, dir: a.dir, meta: a.meta },
    b: { id: b.meta.id, dir: b.dir, meta: b.meta },
    alpha: options.alpha ?? COMPARE_DEFAULTS.alpha,
    minEffect: options.minEffect ?? COMPARE_DEFAULTS.minEffect,
    hosts: hostLines(a.meta, b.meta),
    warnings: workloadWarnings(a.meta, b.meta),
    cells,
    summary,
  };
}

/** "42 cells compared: 2 changed (1 faster, 1 slower), 30 unchanged, 10 untestable; 3 only in A, 0 only in B". */
export function summaryLine(summary: CompareSummary): string {
  const kinds = [
    summary.faster > 0 ? `${summary.faster} faster` : '',
    summary.slower > 0 ? `${summary.slower} slower` : '',
    summary.otherChanges > 0 ? `${summary.otherChanges} higher or lower (no better direction)` : '',
  ].filter(Boolean);
  return (
    `${summary.compared} cells compared: ${summary.changed} flagged${kinds.length > 0 ? ` (${kinds.join(', ')})` : ''}, ` +
    `${summary.unchanged} unchanged, ${summary.untestable} untestable (too few repeats); ` +
    `${summary.onlyInA} only in A, ${summary.onlyInB} only in B`
  );
}
