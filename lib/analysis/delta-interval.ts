/**
 * The 95% interval of a quantity computed from several means (a ratio of two means, a ratio of
 * ratios, a difference over a mean): the delta method, with Satterthwaite's degrees of freedom for
 * Student's t, on the log scale when the quantity is a product or quotient of positive means,
 * linear otherwise. Samples measured together (the same repeats of one run, the same
 * configurations) are paired: their per-unit deviations are combined before the variance is taken,
 * so what they share cancels. docs/statistics.md says why this method and not a bootstrap.
 */
import { MIN_INTERVAL_N } from './statistics.js';
import { studentTQuantile } from '../util/student-t.js';

/** An expression over the means of samples: `{mean: i}` is the mean of the i-th sample. */
export type MeanExpression =
  | { mean: number }
  | { ratio: readonly [MeanExpression, MeanExpression] }
  | { difference: readonly [MeanExpression, MeanExpression] };

/** The values of one mean, and what they pair with. */
export interface MeanSample {
  /** one value per independent unit (a repeat, or a configuration's mean) */
  values: readonly number[];
  /**
   * the unit of each value (a repeat number, a configuration id); with `pairing`, two samples of
   * the same pairing key and the same units are paired unit by unit
   */
  units?: readonly (number | string)[];
  /** samples measured together share a key (the same run of one campaign); absent: independent */
  pairing?: string;
}

/** How an interval was computed. */
export interface DeltaMethod {
  /** 'log': exp(± t·se) around the quantity, se of its logarithm; 'linear': ± t·se */
  scale: 'log' | 'linear';
  /** Satterthwaite's degrees of freedom of the t quantile (Infinity when every sample has no spread) */
  df: number;
  /** whether any samples were paired */
  paired: boolean;
}

/** An interval of the quantity, or why there is none. */
export type DeltaInterval =
  | ({ state: 'ok'; estimate: number; low: number; high: number } & DeltaMethod)
  | { state: 'none'; estimate: number | null; reason: string };

/** Options of {@link deltaInterval}. */
export interface DeltaOptions {
  /** coverage (default 0.95) */
  level?: number;
}

interface Evaluated {
  value: number;
  /** ∂value/∂mean_i, summed where a mean appears twice */
  gradient: Map<number, number>;
  /** no difference anywhere below: a product or quotient of means */
  multiplicative: boolean;
  /** a denominator is 0: no ratio */
  undefinedRatio: boolean;
}

function add(into: Map<number, number>, from: ReadonlyMap<number, number>, factor: number): void {
  for (const [index, value] of from) into.set(index, (into.get(index) ?? 0) + value * factor);
}

function evaluate(expression: MeanExpression, means: readonly number[]): Evaluated {
  if ('mean' in expression) {
    const value = means[expression.mean];
    if (value === undefined) throw new RangeError(`the expression names sample ${expression.mean}, which is not given`);
    return { value, gradient: new Map([[expression.mean, 1]]), multiplicative: true, undefinedRatio: false };
  }
  const isRatio = 'ratio' in expression;
  const [left, right] = (isRatio ? expression.ratio : expression.difference).map((part) => evaluate(part, means)) as [
    Evaluated,
    Evaluated,
  ];
  const gradient = new Map<number, number>();
  const undefinedRatio = left.undefinedRatio || right.undefinedRatio || (isRatio && right.value === 0);
  if (isRatio) {
    // d(L/R) = dL/R − L·dR/R²
    add(gradient, left.gradient, 1 / right.value);
    add(gradient, right.gradient, -left.value / right.value ** 2);
  } else {
    add(gradient, left.gradient, 1);
    add(gradient, right.gradient, -1);
  }
  return {
    value: isRatio ? left.value / right.value : left.value - right.value,
    gradient,
    multiplicative: isRatio && left.multiplicative && right.multiplicative,
    undefinedRatio,
  };
}

function sampleMean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function variance(values: readonly number[]): number {
  const average = sampleMean(values);
  return values.reduce((sum, value) => sum + (value - average) ** 2, 0) / (values.length - 1);
}

/** Indexes of samples that pair: the same pairing key and the same units in the same order. */
function pairingGroups(samples: readonly MeanSample[], used: ReadonlySet<number>): number[][] {
  const groups = new Map<string, number[]>();
  const alone: number[][] = [];
  for (const index of [...used].sort((x, y) => x - y)) {
    const sample = samples[index] as MeanSample;
    if (sample.pairing === undefined || sample.units === undefined || sample.units.length !== sample.values.length) {
      alone.push([index]);
      continue;
    }
    // paired only on exactly the same units: a repeat missing on one side leaves the two independent
    const key = JSON.stringify([sample.pairing, sample.units]);
    groups.set(key, [...(groups.get(key) ?? []), index]);
  }
  return [...groups.values(), ...alone];
}

/**
 * The interval of `expression` over the means of `samples`. Needs MIN_INTERVAL_N values in every
 * sample the expression reads and no ratio to a mean of 0; the log scale further needs every value
 * of every sample above 0 and no difference in the expression.
 */
export function deltaInterval(
  expression: MeanExpression,
  samples: readonly MeanSample[],
  options: DeltaOptions = {},
): DeltaInterval {
  const level = options.level ?? 0.95;
  const means = samples.map((sample) => (sample.values.length > 0 ? sampleMean(sample.values) : Number.NaN));
  const evaluated = evaluate(expression, means);
  const used = new Set([...evaluated.gradient.keys()].sort((x, y) => x - y));
  const estimate = evaluated.undefinedRatio || !Number.isFinite(evaluated.value) ? null : evaluated.value;
  const counts = [...used].map((index) => (samples[index] as MeanSample).values.length);
  const fewest = Math.min(...counts);
  if (fewest < MIN_INTERVAL_N) {
    const shown = counts.length === 2 ? `n=${counts.join(' and ')}` : `n=${fewest}`;
    return { state: 'none', estimate, reason: `too few repeats (${shown}) for an interval` };
  }
  if (estimate === null) return { state: 'none', estimate, reason: 'no interval: a ratio to a mean of 0' };
  const positive = [...used].every((index) => (samples[index] as MeanSample).values.every((value) => value > 0));
  const scale = evaluated.multiplicative && positive && estimate > 0 ? 'log' : 'linear';
  // on the log scale the gradient of log Q is ∂Q/∂m / Q
  const weight = (index: number) => (evaluated.gradient.get(index) ?? 0) / (scale === 'log' ? estimate : 1);
  const groups = pairingGroups(samples, used);
  const parts = groups.map((group) => {
    const n = (samples[group[0] as number] as MeanSample).values.length;
    // per unit: the weighted deviations of every sample of the group, summed (one sample: just its own)
    const combined = Array.from({ length: n }, (_, unit) =>
      group.reduce((sum, index) => {
        const sample = samples[index] as MeanSample;
        return sum + weight(index) * ((sample.values[unit] as number) - (means[index] as number));
      }, 0),
    );
    return { variance: variance(combined) / n, df: n - 1 };
  });
  const total = parts.reduce((sum, part) => sum + part.variance, 0);
  const denominator = parts.reduce((sum, part) => sum + part.variance ** 2 / part.df, 0);
  const df = total === 0 ? Infinity : total ** 2 / denominator;
  const paired = groups.some((group) => group.length > 1);
  const half = total === 0 ? 0 : studentTQuantile(1 - (1 - level) / 2, df) * Math.sqrt(total);
  const [low, high] =
    scale === 'log' ? [estimate * Math.exp(-half), estimate * Math.exp(half)] : [estimate - half, estimate + half];
  return { state: 'ok', estimate, low, high, scale, df, paired };
}
