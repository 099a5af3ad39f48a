/**
 * Do the 95% intervals hold their level? Seeded simulations with a known truth: normal and
 * lognormal values, CV 5%, 10% and 20%, n = 3, 5 and 10, unpaired and paired; each method's
 * coverage of the true quantity must lie in [0.93, 0.97]. With 2000 intervals per setting the
 * binomial standard error at 0.95 is 0.0049, so the band is four standard errors either side: a
 * correct method passes, and one that covers 0.87 (the old percentile bootstrap at n = 5; 0.79-0.81 at n = 3)
 * cannot.
 */
import { describe as group, expect, it } from 'vitest';
import { deltaInterval, type MeanExpression } from '../../lib/analysis/delta-interval.js';
import { pairedRatioInterval, welchRatioInterval } from '../../lib/analysis/ratio-interval.js';
import { describe } from '../../lib/analysis/statistics.js';
import { normalSource, pairedSamples, sample, type Distribution } from '../helpers/simulate.js';

const RUNS = 2000;
const DISTRIBUTIONS: Distribution[] = ['normal', 'lognormal'];
const CVS = [0.05, 0.1, 0.2];
const NS = [3, 5, 10];
const SETTINGS = DISTRIBUTIONS.flatMap((distribution) => CVS.flatMap((cv) => NS.map((n) => ({ distribution, cv, n }))));
// a fixed seed per setting, so each setting's draws do not depend on which others run
const seedOf = (distribution: Distribution, cv: number, n: number, method: number) =>
  (method * 1000 + (distribution === 'normal' ? 0 : 500) + cv * 1000 + n) >>> 0;

/** The share of `runs` intervals that contain `truth`. */
function coverage(runs: number, draw: () => { low: number; high: number } | null, truth: number): number {
  let covered = 0;
  for (let run = 0; run < runs; run += 1) {
    const interval = draw();
    if (interval === null) throw new Error('expected an interval');
    if (interval.low <= truth && truth <= interval.high) covered += 1;
  }
  return covered / runs;
}

const ok = <T extends { state: string }>(interval: T) =>
  interval.state === 'ok' ? (interval as T & { low: number; high: number }) : null;

group('coverage of the 95% intervals (seeded simulation, 2000 per setting)', () => {
  it.each(SETTINGS)(
    'ratio of two independent means (Welch, log scale): $distribution CV $cv n=$n',
    ({ distribution, cv, n }) => {
      const normal = normalSource(seedOf(distribution, cv, n, 1));
      const rate = coverage(
        RUNS,
        () =>
          ok(
            welchRatioInterval(sample(normal, distribution, 10, cv, n), sample(normal, distribution, 13, cv * 1.5, n)),
          ),
        1.3,
      );
      expect(rate).toBeGreaterThanOrEqual(0.93);
      expect(rate).toBeLessThanOrEqual(0.97);
    },
  );

  it.each(SETTINGS)(
    'ratio of two means from the same repeats (paired): $distribution CV $cv n=$n',
    ({ distribution, cv, n }) => {
      const normal = normalSource(seedOf(distribution, cv, n, 2));
      const rate = coverage(
        RUNS,
        () => {
          const [a, b] = pairedSamples(normal, distribution, [10, 4], cv, n, 0.6) as [number[], number[]];
          return ok(pairedRatioInterval(a, b));
        },
        0.4,
      );
      expect(rate).toBeGreaterThanOrEqual(0.93);
      expect(rate).toBeLessThanOrEqual(0.97);
    },
  );

  it.each(SETTINGS)('one mean (describe, log scale): $distribution CV $cv n=$n', ({ distribution, cv, n }) => {
    const normal = normalSource(seedOf(distribution, cv, n, 3));
    const rate = coverage(
      RUNS,
      () => {
        const stats = describe(sample(normal, distribution, 7, cv, n));
        return stats.ciLow === null || stats.ciHigh === null ? null : { low: stats.ciLow, high: stats.ciHigh };
      },
      7,
    );
    expect(rate).toBeGreaterThanOrEqual(0.93);
    expect(rate).toBeLessThanOrEqual(0.97);
  });

  // (b/a) / (d/c): four independent cells, the log scale with Satterthwaite's df
  const RATIO_OF_RATIOS: MeanExpression = {
    ratio: [{ ratio: [{ mean: 1 }, { mean: 0 }] }, { ratio: [{ mean: 3 }, { mean: 2 }] }],
  };
  it.each(SETTINGS)(
    'ratio of ratios (delta method, log scale): $distribution CV $cv n=$n',
    ({ distribution, cv, n }) => {
      const normal = normalSource(seedOf(distribution, cv, n, 4));
      const rate = coverage(
        RUNS,
        () =>
          ok(
            deltaInterval(
              RATIO_OF_RATIOS,
              [10, 30, 5, 8].map((mean, index) => ({
                values: sample(normal, distribution, mean, index === 1 ? cv * 2 : cv, n),
              })),
            ),
          ),
        30 / 10 / (8 / 5),
      );
      expect(rate).toBeGreaterThanOrEqual(0.93);
      expect(rate).toBeLessThanOrEqual(0.97);
    },
  );

  // (b − a) / c where a and b come from the same repeats and c from another run: linear, partly paired
  const DIFFERENCE_OVER_MEAN: MeanExpression = { ratio: [{ difference: [{ mean: 1 }, { mean: 0 }] }, { mean: 2 }] };
  it.each(SETTINGS)(
    'difference over a mean (delta method, linear, paired parts): $distribution CV $cv n=$n',
    ({ distribution, cv, n }) => {
      const normal = normalSource(seedOf(distribution, cv, n, 5));
      const units = Array.from({ length: n }, (_, index) => index + 1);
      const rate = coverage(
        RUNS,
        () => {
          const [a, b] = pairedSamples(normal, distribution, [20, 30], cv, n, 0.6) as [number[], number[]];
          return ok(
            deltaInterval(DIFFERENCE_OVER_MEAN, [
              { values: a, units, pairing: 'run' },
              { values: b, units, pairing: 'run' },
              { values: sample(normal, distribution, 25, cv, n) },
            ]),
          );
        },
        (30 - 20) / 25,
      );
      expect(rate).toBeGreaterThanOrEqual(0.93);
      expect(rate).toBeLessThanOrEqual(0.97);
    },
  );
});
