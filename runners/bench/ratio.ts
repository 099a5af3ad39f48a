/**
 * Paired A/B measurement: A and B alternate (A B A B ...), so drift on a shared machine hits both,
 * and the result is the median of the pair-by-pair ratios.
 */
import { quantileSorted } from '../../lib/analysis/statistics.js';

/** The outcome of a paired comparison. */
export interface RatioResult {
  name: string;
  /** what A and B are, and what the value measures */
  a: string;
  b: string;
  unit: string;
  aValues: number[];
  bValues: number[];
  /** A/B per pair */
  ratios: number[];
  median: number;
  min: number;
  max: number;
  /** the target, e.g. ">= 0.98"; absent for a ratio measured to be seen, not judged */
  target?: { op: '>=' | '<='; value: number };
  /** whether the median meets the target; undefined without one */
  met: boolean | undefined;
}

/** Whether `value` meets `target`; undefined when there is none. */
export function meets(value: number, target: RatioResult['target']): boolean | undefined {
  if (target === undefined) return undefined;
  return target.op === '>=' ? value >= target.value : value <= target.value;
}

/** Runs `pairs` alternating rounds of a() and b() after `warmup` unrecorded rounds. */
export async function pairedRatio(options: {
  name: string;
  a: { label: string; run: () => Promise<number> };
  b: { label: string; run: () => Promise<number> };
  unit: string;
  pairs: number;
  warmup?: number;
  target?: { op: '>=' | '<='; value: number };
}): Promise<RatioResult> {
  for (let round = 0; round < (options.warmup ?? 1); round++) {
    await options.a.run();
    await options.b.run();
  }
  const aValues: number[] = [];
  const bValues: number[] = [];
  for (let pair = 0; pair < options.pairs; pair++) {
    // alternate which goes first, so neither always runs on a warmer machine
    if (pair % 2 === 0) {
      aValues.push(await options.a.run());
      bValues.push(await options.b.run());
    } else {
      bValues.push(await options.b.run());
      aValues.push(await options.a.run());
    }
  }
  const ratios = aValues.map((value, index) => value / (bValues[index] as number));
  const sorted = [...ratios].sort((x, y) => x - y);
  const median = quantileSorted(sorted, 0.5);
  return {
    name: options.name,
    a: options.a.label,
    b: options.b.label,
    unit: options.unit,
    aValues,
    bValues,
    ratios,
    median,
    min: sorted[0] as number,
    max: sorted.at(-1) as number,
    ...(options.target ? { target: options.target } : {}),
    met: meets(median, options.target),
  };
}

/** One line per result: the median ratio, its range and the target. */
export function formatRatio(result: RatioResult): string {
  const median = (values: number[]) =>
    quantileSorted(
      [...values].sort((x, y) => x - y),
      0.5,
    );
  return [
    `${result.name}: ratio ${result.median.toFixed(3)} (min ${result.min.toFixed(3)}, max ${result.max.toFixed(3)}, ${result.ratios.length} pairs), ${result.target ? `target ${result.target.op} ${result.target.value}: ${result.met ? 'met' : 'NOT met'}` : 'no target'}`,
    `    A = ${result.a}: median ${median(result.aValues).toFixed(3)} ${result.unit}`,
    `    B = ${result.b}: median ${median(result.bValues).toFixed(3)} ${result.unit}`,
  ].join('\n');
}
