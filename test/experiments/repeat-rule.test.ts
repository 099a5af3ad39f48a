/**
 * `--repeats auto`'s decision on per-repeat values. Expected RSDs worked by hand: sample sd with
 * n - 1 over the mean; e.g. [0.98, 1, 1.02]: mean 1, sd sqrt((0.0004 + 0 + 0.0004) / 2) = 0.02.
 */
import { describe, expect, it } from 'vitest';
import { perRepeatValues, relativeSd, stopDecision, type RepeatRule } from '../../lib/experiments/repeat-rule.js';
import type { Sample } from '../../lib/results/schema.js';

const rule: RepeatRule = { minRepeats: 3, maxRepeats: 6, maxRsd: 0.05 };
const cell = { backend: 'docker' as const, guests: 2 };
const row = (repeat: number, guest: number, value: number, metric = 'total_time'): Sample =>
  ({ repeat, guest, value, metric, state: 'ok', backend: 'docker', guests: 2 }) as Sample;

describe('relative standard deviation', () => {
  it('is the sample sd over the mean (n - 1), 0 for equal values, none for one value', () => {
    expect(relativeSd([0.98, 1, 1.02])).toBeCloseTo(0.02, 12);
    // [1, 2, 3]: mean 2, sd 1
    expect(relativeSd([1, 2, 3])).toBeCloseTo(0.5, 12);
    expect(relativeSd([4, 4, 4])).toBe(0);
    expect(relativeSd([4])).toBeNull();
  });
});

describe('when a cell under --repeats auto stops', () => {
  it('averages the guests of a repeat first, and counts a repeat only where every primary metric has a value', () => {
    const values = perRepeatValues(
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
    expect(values.get('total_time')).toEqual([2, 2, 5]);
    const two = perRepeatValues(
      [row(1, 1, 1), row(1, 1, 7, 'latency_avg'), row(2, 1, 1)],
      new Set(['total_time', 'latency_avg']),
    );
    expect(two.get('total_time')).toEqual([1]);
  });

  it('goes on below the minimum, stops once stable, and at the cap says the spread it had', () => {
    const values = (list: number[]) => new Map([['total_time', list]]);
    expect(stopDecision(cell, values([1, 1]), 2, rule)).toBeUndefined();
    expect(stopDecision(cell, values([0.98, 1, 1.02]), 3, rule)).toMatchObject({
      reason: 'stable',
      repeats: 3,
      words: 'stable: RSD 2.0% <= 5.0% after 3 repeats',
    });
    expect(stopDecision(cell, values([1, 2, 3]), 3, rule)).toBeUndefined();
    expect(stopDecision(cell, values([1, 2, 3, 1, 2, 3]), 6, rule)).toMatchObject({
      reason: 'cap',
      words: 'cap of 6 repeats reached with RSD 44.7% > 5.0% (6 measured)',
    });
    expect(stopDecision(cell, values([1]), 6, rule)?.words).toBe(
      'cap of 6 repeats reached with 1 measured (too few for an RSD)',
    );
  });

  it('is stable only when every primary metric is', () => {
    const both = new Map([
      ['boot_time', [1, 1.01, 0.99]],
      ['shutdown_time', [1, 2, 3]],
    ]);
    expect(stopDecision(cell, both, 3, rule)).toBeUndefined();
  });
});
