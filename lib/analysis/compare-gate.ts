/**
 * `guestbench compare A B --gate SET`: a comparison as a CI check against a baseline (as Kata
 * Containers' checkmetrics): A is the baseline, B the candidate; the gate fails when any cell of
 * the named set regressed, i.e. was flagged (q < alpha and beyond the minimum effect) in the
 * slower direction its unit implies (better-direction.ts).
 */
import { METRICS, type MetricName } from '../results/schema.js';
import { UsageError } from '../util/errors.js';
import { fasterWhen } from './better-direction.js';
import type { CampaignComparison, ComparedCell } from './campaign-compare.js';

/** The named sets a gate can check, beside a list of metric names. */
export const GATE_SETS = {
  all: 'every cell whose unit says which way is better (times and rates)',
  times: 'every cell measured in seconds or milliseconds (lower is better)',
  rates: 'every cell measured per second (higher is better)',
} as const;

/** A named set or the metrics a gate checks. */
export type GateSet = { name: keyof typeof GATE_SETS } | { metrics: MetricName[] };

/** What a gate found. */
export interface GateResult {
  /** the set as given: "all", or the metrics joined with commas */
  set: string;
  /** the set's compared cells (a better direction known) */
  checked: number;
  /** of those, the cells too small to test */
  untestable: number;
  /** the cells that regressed: flagged, and slower */
  regressed: ComparedCell[];
  /** true when no cell regressed */
  passed: boolean;
}

/** `all`, `times`, `rates`, or comma-separated metric names each with a better direction. */
export function parseGateSet(text: string): GateSet {
  const value = text.trim();
  if (value in GATE_SETS) return { name: value as keyof typeof GATE_SETS };
  const metrics = value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  if (metrics.length === 0)
    throw new UsageError('Expected `--gate` to name a set or metrics, got nothing', {
      fix: `for example \`--gate all\`, \`--gate times\` or \`--gate boot_time,total_time\``,
    });
  for (const metric of metrics) {
    if (!(metric in METRICS))
      throw new UsageError(
        `Expected \`--gate\` to name a set (${Object.keys(GATE_SETS).join(', ')}) or metrics, got \`${metric}\``,
        {
          fix: 'name metrics as samples.jsonl has them, e.g. `--gate boot_time,events_per_s`',
        },
      );
    if (fasterWhen(METRICS[metric as MetricName]) === null)
      throw new UsageError(
        `Expected \`--gate\` metrics with a better direction, got \`${metric}\` (${METRICS[metric as MetricName]}: neither higher nor lower is slower)`,
        { fix: 'gate on times (s, ms) or rates (per second)' },
      );
  }
  return { metrics: metrics as MetricName[] };
}

function inSet(cell: ComparedCell, set: GateSet): boolean {
  const direction = fasterWhen(cell.key.unit);
  if (direction === null) return false;
  if ('metrics' in set) return set.metrics.includes(cell.key.metric);
  if (set.name === 'times') return direction === 'lower';
  if (set.name === 'rates') return direction === 'higher';
  return true;
}

/**
 * Checks a comparison against a gate. Throws a UsageError when the set has no compared cell, or
 * when every one of them is untestable: a gate that can test nothing must not pass.
 */
export function checkGate(comparison: CampaignComparison, set: GateSet): GateResult {
  const name = 'metrics' in set ? set.metrics.join(',') : set.name;
  const cells = comparison.cells.filter((cell): cell is ComparedCell => cell.state === 'compared' && inSet(cell, set));
  if (cells.length === 0)
    throw new UsageError(`The gate's set \`${name}\` has no cell both campaigns measured`, {
      fix: 'gate on metrics both campaigns have (see `guestbench compare A B` without --gate)',
    });
  const untestable = cells.filter((cell) => cell.verdict === 'untestable').length;
  if (untestable === cells.length)
    throw new UsageError(
      `Every cell of the gate's set \`${name}\` is untestable (too few repeats for p below ${comparison.alpha})`,
      { fix: 'run both campaigns with `--repeats 5` or more, or state a looser `--alpha`' },
    );
  const regressed = cells.filter((cell) => cell.verdict === 'changed' && cell.meaning === 'slower');
  return { set: name, checked: cells.length, untestable, regressed, passed: regressed.length === 0 };
}
