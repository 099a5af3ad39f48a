/**
 * One campaign against another (`guestbench compare A B`, notebooks/07-compare.ipynb): for every
 * cell both have, the per-repeat values' means, the ratio B/A with Welch's 95% interval on the log
 * scale and a Mann-Whitney U test; the p-values of all tested cells get Benjamini-Hochberg
 * q-values (a campaign has hundreds of cells), and a change is flagged only when q < alpha and
 * B/A is beyond a stated minimum effect (the asv and Firecracker A/B rules). docs/statistics.md.
 */
import type { CampaignMeta } from '../results/campaign-meta.js';
import { UsageError } from '../util/errors.js';
import { fasterWhen } from './better-direction.js';
import { byCell, cellKeyString, cellValues, type CellKey, type CellValues } from './cell-values.js';
import type { LoadedCampaign } from './load-campaign.js';
import { mannWhitneyU, smallestP, type RankTestMethod } from './rank-test.js';
import { welchRatioInterval, type RatioInterval } from './ratio-interval.js';
import { mean } from './statistics.js';

/** Options of {@link compareCampaigns}. */
export interface CompareOptions {
  /** false discovery rate: a cell is flagged only when its q-value is below it (default 0.05) */
  alpha?: number;
  /** smallest relative change flagged, as a fraction: 0.05 flags B/A >= 1.05 or <= 1/1.05 (default) */
  minEffect?: number;
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
 * - 'changed': q < alpha and B/A beyond the minimum effect;
 * - 'no significant change': not significant, or significant but within the minimum effect (not
 *   evidence that nothing changed: the data could not show a change of that size);
 * - 'untestable': too few repeats for the rank test to reach alpha at all.
 */
export type CellVerdict = 'changed' | 'no significant change' | 'untestable';

/** A cell both campaigns have. */
export interface ComparedCell {
  state: 'compared';
  key: CellKey;
  a: CellSide;
  b: CellSide;
  /** mean B / mean A; null where mean A is 0 */
  ratio: number | null;
  /** Welch's 95% interval of the ratio on the log scale (ratio-interval.ts), or why there is none */
  ratioInterval: RatioInterval;
  /** two-sided Mann-Whitney U p-value of A's against B's per-repeat values */
  p: number;
  /**
   * Benjamini-Hochberg q-value of p among the comparison's tested cells (its family); null for an
   * untestable cell, which is not in the family
   */
  q: number | null;
  test: RankTestMethod;
  /** the smallest p the test could give with these repeat counts */
  smallestP: number;
  verdict: CellVerdict;
  /** B against A where changed: 'higher' or 'lower'; null otherwise */
  change: 'higher' | 'lower' | null;
  /** what the change means where the unit says (times: lower is faster; rates: higher is) */
  meaning: 'faster' | 'slower' | null;
  /** the verdict in words, e.g. "q = 0.0016 < 0.05 (p = 0.0008) and 1.12x is beyond ±5%" */
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
  noSignificantChange: number;
  untestable: number;
  /** the cells tested together, whose p-values the q-values adjust (compared minus untestable) */
  family: number;
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
  const { values: _values, repeats: _repeats, errored: _errored, ...key } = cell;
  return key;
}

function ratioText(ratio: number): string {
  return `${ratio.toPrecision(3)}x`;
}

function pText(p: number): string {
  return p.toPrecision(2);
}

/** Settings of {@link compareCell} and {@link judgeCells}. */
export type CompareSettings = Required<CompareOptions>;

/**
 * Compares the per-repeat values of one cell (values of A, values of B) on its own: the ratio, its
 * interval and the rank test. The verdict waits for the family's q-values: {@link judgeCells}.
 */
export function compareCell(key: CellKey, a: CellSide, b: CellSide, options: CompareSettings): ComparedCell {
  const ratioInterval = welchRatioInterval(a.values, b.values);
  const test = mannWhitneyU(a.values, b.values);
  const floor = smallestP(a.n, b.n);
  const base = {
    state: 'compared' as const,
    key,
    a,
    b,
    ratio: ratioInterval.ratio,
    ratioInterval,
    p: test.p,
    q: null,
    test: test.method,
    smallestP: floor,
    change: null,
    meaning: null,
  };
  if (floor >= options.alpha)
    return {
      ...base,
      verdict: 'untestable',
      reason: `too few repeats to test (n=${a.n} and ${b.n}): p cannot go below ${pText(floor)}`,
    };
  // provisional until judgeCells gives the family's q-values
  return { ...base, verdict: 'no significant change', reason: '' };
}

/**
 * Benjamini-Hochberg q-values of `p` (same order): q_(i) = min over j >= i of p_(j)·m/j, at most 1.
 * Flagging every q below alpha keeps the expected share of false flags among the flagged at alpha.
 */
export function benjaminiHochberg(p: readonly number[]): number[] {
  const order = p.map((value, index) => ({ value, index })).sort((x, y) => x.value - y.value);
  const q = new Array<number>(p.length);
  let running = 1;
  for (let rank = order.length; rank >= 1; rank -= 1) {
    const { value, index } = order[rank - 1] as { value: number; index: number };
    running = Math.min(running, (value * order.length) / rank);
    q[index] = running;
  }
  return q;
}

/** The verdict of a tested cell from its q-value: flagged when q < alpha and beyond the minimum effect. */
function judged(cell: ComparedCell, q: number, options: CompareSettings): ComparedCell {
  const effect = `±${(options.minEffect * 100).toPrecision(2).replace(/\.0+$/, '')}%`;
  const { ratio } = cell;
  const significant = q < options.alpha;
  const large =
    ratio === null ? cell.b.mean !== 0 : ratio >= 1 + options.minEffect || ratio <= 1 / (1 + options.minEffect);
  const sized = ratio === null ? 'a change from a mean of 0' : ratioText(ratio);
  const qp = `q = ${pText(q)}`;
  if (!significant || !large)
    return {
      ...cell,
      q,
      verdict: 'no significant change',
      reason: significant
        ? `significant (${qp}) but ${sized} is within ${effect}`
        : `not significant (${qp}, p = ${pText(cell.p)}; not below ${options.alpha})`,
    };
  const change = cell.b.mean > cell.a.mean ? 'higher' : 'lower';
  const faster = fasterWhen(cell.key.unit);
  return {
    ...cell,
    q,
    verdict: 'changed',
    change,
    meaning: faster === null ? null : faster === change ? 'faster' : 'slower',
    reason: `${qp} < ${options.alpha} (p = ${pText(cell.p)}) and ${sized} is beyond ${effect}`,
  };
}

/**
 * The verdicts of one comparison's cells: the tested cells (compared, not untestable) form the
 * family whose p-values get Benjamini-Hochberg q-values; the others keep theirs.
 */
export function judgeCells(cells: readonly CellComparison[], options: CompareSettings): CellComparison[] {
  const tested = cells.filter(
    (cell): cell is ComparedCell => cell.state === 'compared' && cell.verdict !== 'untestable',
  );
  const q = benjaminiHochberg(tested.map((cell) => cell.p));
  const byCellQ = new Map(tested.map((cell, index) => [cell, q[index] as number]));
  return cells.map((cell) => {
    const value = cell.state === 'compared' ? byCellQ.get(cell) : undefined;
    return value === undefined ? cell : judged(cell as ComparedCell, value, options);
  });
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
    noSignificantChange: compared.filter((cell) => cell.verdict === 'no significant change').length,
    untestable: compared.filter((cell) => cell.verdict === 'untestable').length,
    family: compared.filter((cell) => cell.verdict !== 'untestable').length,
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
  const settings: CompareSettings = {
    alpha: options.alpha ?? COMPARE_DEFAULTS.alpha,
    minEffect: options.minEffect ?? COMPARE_DEFAULTS.minEffect,
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
  return judgeCells(cells, settings).sort((x, y) => byCell(x.key, y.key));
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

/**
 * "42 cells compared: 2 flagged (1 faster, 1 slower), 30 no significant change, 10 untestable (too
 * few repeats); 32 tested together (Benjamini-Hochberg); 3 only in A, 0 only in B".
 */
export function summaryLine(summary: CompareSummary): string {
  const kinds = [
    summary.faster > 0 ? `${summary.faster} faster` : '',
    summary.slower > 0 ? `${summary.slower} slower` : '',
    summary.otherChanges > 0 ? `${summary.otherChanges} higher or lower (no better direction)` : '',
  ].filter(Boolean);
  return (
    `${summary.compared} cells compared: ${summary.changed} flagged${kinds.length > 0 ? ` (${kinds.join(', ')})` : ''}, ` +
    `${summary.noSignificantChange} no significant change, ${summary.untestable} untestable (too few repeats); ` +
    `family of ${summary.family} tested cells (Benjamini-Hochberg q-values); ` +
    `${summary.onlyInA} only in A, ${summary.onlyInB} only in B`
  );
}
