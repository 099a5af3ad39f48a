/**
 * `--repeats auto`'s decision on per-repeat values. Expected figures computed independently with
 * Python 3 and SciPy 1.17.1: RSD = statistics.stdev(v) / statistics.mean(v); the 95% interval's
 * relative half-width = math.expm1(scipy.stats.t.ppf(0.975, n - 1) * rsd / math.sqrt(n)) for
 * positive values, scipy.stats.t.ppf(0.975, n - 1) * rsd / math.sqrt(n) otherwise.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_REPEAT_RULE,
  perRepeatValues,
  relativeHalfWidth,
  relativeSd,
  stopDecision,
  type RepeatRule,
} from '../../lib/experiments/repeat-rule.js';
import type { Sample } from '../../lib/results/schema.js';
import { normalSource, sample } from '../helpers/simulate.js';

const rule: RepeatRule = { minRepeats: 3, maxRepeats: 6, precision: 0.05 };
const cell = { backend: 'docker' as const, guests: 2 };
const row = (repeat: number, guest: number, value: number, metric = 'total_time'): Sample =>
  ({ repeat, guest, value, metric, state: 'ok', backend: 'docker', guests: 2 }) as Sample;
const values = (list: number[]) => new Map([['total_time', list]]);

describe('relative standard deviation and relative half-width', () => {
  it('is the sample sd over the mean (n - 1), 0 for equal values, none for one value', () => {
    expect(relativeSd([0.98, 1, 1.02])).toBeCloseTo(0.02, 12);
    // [1, 2, 3]: mean 2, sd 1
    expect(relativeSd([1, 2, 3])).toBeCloseTo(0.5, 12);
    expect(relativeSd([4, 4, 4])).toBe(0);
    expect(relativeSd([4])).toBeNull();
  });

  it("is the larger side of the log-scale 95% interval over the mean, t's for signed values", () => {
    expect(relativeHalfWidth([0.99, 1, 1.01])).toBeCloseTo(0.025152494982950892, 12);
    expect(relativeHalfWidth([0.98, 1, 1.02])).toBeCloseTo(0.050937637969769155, 12);
    expect(relativeHalfWidth([1, 2, 3, 1, 2, 3])).toBeCloseTo(0.5989095821635744, 12);
    expect(relativeHalfWidth([-1, 1, 2])).toBeCloseTo(5.6918745503951405, 10);
    expect(relativeHalfWidth([4, 4, 4])).toBe(0);
    expect(relativeHalfWidth([1, 2])).toBeNull();
  });
});

describe('when a cell under --repeats auto stops', () => {
  it('averages the guests of a repeat first, and counts a repeat only where every primary metric has a value', () => {
    const perRepeat = perRepeatValues(
      [
        row(1, 1, 1),
        row(1, 2, 3),
        row(2, 1, 2),
        row(2, 2, 2),
        row(3, 1, 5),
        { ...row(3, 2, 9), state: 'errored' } as Sample,
      ],
      new Set(['total_time']),
    );
    expect(perRepeat.get('total_time')).toEqual([2, 2, 5]);
    const two = perRepeatValues(
      [row(1, 1, 1), row(1, 1, 7, 'latency_avg'), row(2, 1, 1)],
      new Set(['total_time', 'latency_avg']),
    );
    expect(two.get('total_time')).toEqual([1]);
  });

  it('goes on below the minimum, stops once precise, and at the cap says the width it had', () => {
    expect(stopDecision(cell, values([1, 1]), 2, rule)).toBeUndefined();
    expect(stopDecision(cell, values([0.99, 1, 1.01]), 3, rule)).toMatchObject({
      reason: 'precise',
      repeats: 3,
      words: 'precise: 95% interval ±2.5% <= ±5.0% after 3 repeats',
    });
    // an RSD of 2% at three repeats is not precise enough: ±5.09%
    expect(stopDecision(cell, values([0.98, 1, 1.02]), 3, rule)).toBeUndefined();
    expect(stopDecision(cell, values([1, 2, 3, 1, 2, 3]), 6, rule)).toMatchObject({
      reason: 'cap',
      words: 'cap of 6 repeats reached with 95% interval ±59.9% > ±5.0% (6 measured)',
    });
    expect(stopDecision(cell, values([1]), 6, rule)?.words).toBe(
      'cap of 6 repeats reached with 1 measured (too few for an interval)',
    );
  });

  it('is precise only when every primary metric is', () => {
    const both = new Map([
      ['boot_time', [1, 1.01, 0.99]],
      ['shutdown_time', [1, 2, 3]],
    ]);
    expect(stopDecision(cell, both, 3, rule)).toBeUndefined();
  });

  it('keeps the RSD rule a campaign recorded before the precision rule, so a resumed one decides as it began', () => {
    const old: RepeatRule = { minRepeats: 3, maxRepeats: 6, maxRsd: 0.05 };
    expect(stopDecision(cell, values([0.98, 1, 1.02]), 3, old)).toMatchObject({
      reason: 'stable',
      words: 'stable: RSD 2.0% <= 5.0% after 3 repeats',
    });
    expect(stopDecision(cell, values([1, 2, 3, 1, 2, 3]), 6, old)?.words).toBe(
      'cap of 6 repeats reached with RSD 44.7% > 5.0% (6 measured)',
    );
  });
});

/** Runs `cells` simulated cells under `rule`, one lognormal repeat at a time; the repeats each stopped at. */
function simulate(seed: number, cv: number, cells: number, stopRule: RepeatRule): number[] {
  const normal = normalSource(seed);
  return Array.from({ length: cells }, () => {
    const list: number[] = [];
    for (;;) {
      list.push(...sample(normal, 'lognormal', 10, cv, 1));
      const stop = stopDecision(cell, values(list), list.length, stopRule);
      if (stop) return stop.repeats;
    }
  });
}

describe('the default rule by seeded simulation (lognormal, 2000 cells each)', () => {
  const share = (list: readonly number[], predicate: (n: number) => boolean) =>
    list.filter(predicate).length / list.length;

  it('stops at the minimum for few cells whose true CV is 10%, where the RSD rule stopped for a fifth', () => {
    expect(DEFAULT_REPEAT_RULE).toEqual({ minRepeats: 5, maxRepeats: 20, precision: 0.05 });
    // ±5% needs t·rsd/√n <= 0.05: at n = 5 an RSD of 3.9% or less, P(chi²(4)/4 <= 0.155) ≈ 0.04
    const now = simulate(1, 0.1, 2000, DEFAULT_REPEAT_RULE);
    expect(share(now, (n) => n === 5)).toBeLessThanOrEqual(0.06);
    // the rule before: RSD <= 5% after 3 repeats; P(s/sigma <= 0.5 | 2 df) = 1 - exp(-0.25) = 0.22
    const before = simulate(1, 0.1, 2000, { minRepeats: 3, maxRepeats: 20, maxRsd: 0.05 });
    expect(share(before, (n) => n === 3)).toBeGreaterThan(0.15);
  });

  it('stops at the minimum for a cell that is precise already (true CV 2%)', () => {
    expect(share(simulate(2, 0.02, 2000, DEFAULT_REPEAT_RULE), (n) => n === 5)).toBeGreaterThan(0.95);
  });
});
