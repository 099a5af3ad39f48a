// Expected values were computed independently with NumPy/SciPy 1.10.1 (Debian 12's python3-scipy,
// /usr/bin/python3); each comment gives the computation. SciPy is not needed to run these tests.
import { describe, expect, it } from 'vitest';
import { bootstrapRatioCi } from '../../lib/analysis/bootstrap.js';
import { seededRandom } from '../../lib/analysis/seeded-random.js';

describe('bootstrapRatioCi', () => {
  it('approaches the exact bootstrap distribution of mean(b) / mean(a) for three values a side', () => {
    const a = [10.0, 11.0, 12.5];
    const b = [11.5, 12.0, 13.4];
    // all 27 x 27 equally likely resamples, enumerated:
    //   ma = [np.mean(c) for c in itertools.product(a, repeat=3)]; mb = (same for b)
    //   np.quantile([y / x for x in ma for y in mb], [0.025, 0.975]) -> [0.97222222, 1.2516129]
    const interval = bootstrapRatioCi(a, b);
    expect(interval.state).toBe('ok');
    if (interval.state !== 'ok') return;
    // np.mean(b) / np.mean(a) -> 1.1014925373134328
    expect(interval.ratio).toBeCloseTo(1.1014925373, 10);
    // Monte Carlo with 4000 resamples: within 1% of the exact percentiles
    expect(interval.low / 0.97222222).toBeCloseTo(1, 2);
    expect(interval.high / 1.2516129).toBeCloseTo(1, 2);
  });

  it('agrees with scipy.stats.bootstrap on larger samples', () => {
    // rng = np.random.default_rng(1)
    // A = np.round(rng.normal(2.0, 0.1, 30), 4); B = np.round(rng.normal(2.2, 0.15, 25), 4)
    const a = [
      2.0346, 2.0822, 2.033, 1.8697, 2.0905, 2.0446, 1.9463, 2.0581, 2.0365, 2.0294, 2.0028, 2.0547, 1.9264, 1.9837,
      1.9518, 2.0599, 2.004, 1.9708, 1.9218, 1.9743, 2.0008, 1.9724, 2.1294, 2.1007, 1.7289, 1.8111, 1.9825, 1.9578,
      2.0214, 2.0217,
    ];
    const b = [
      2.5177, 2.0332, 2.1434, 2.5064, 2.297, 2.2995, 2.1229, 1.9528, 2.2251, 2.2164, 2.0159, 2.0975, 2.1892, 2.0583,
      2.1853, 2.2143, 2.2053, 2.1241, 2.2891, 2.3337, 2.2481, 2.0773, 2.3097, 2.1248, 2.3319,
    ];
    // scipy.stats.bootstrap((A, B), lambda x, y: np.mean(y) / np.mean(x), paired=False, vectorized=False,
    //   method='percentile', n_resamples=20000, random_state=1) -> (1.0752476428008901, 1.1382993846266471)
    const interval = bootstrapRatioCi(a, b);
    if (interval.state !== 'ok') throw new Error('expected an interval');
    expect(interval.ratio).toBeCloseTo(1.1060315910223435, 10);
    expect(interval.low / 1.0752476428008901).toBeCloseTo(1, 2);
    expect(interval.high / 1.1382993846266471).toBeCloseTo(1, 2);
  });

  it('is the same on every run (seeded), and changes with the seed', () => {
    const a = [1.2, 1.3, 1.25, 1.4];
    const b = [1.5, 1.45, 1.6];
    expect(bootstrapRatioCi(a, b)).toEqual(bootstrapRatioCi(a, b));
    expect(bootstrapRatioCi(a, b, { seed: 7 })).not.toEqual(bootstrapRatioCi(a, b));
  });

  it('collapses to the ratio when neither side varies', () => {
    expect(bootstrapRatioCi([2000, 2000, 2000], [2000, 2000, 2000])).toMatchObject({
      state: 'ok',
      ratio: 1,
      low: 1,
      high: 1,
    });
  });

  it('gives no interval with too few repeats or a first campaign with values of 0', () => {
    expect(bootstrapRatioCi([1, 2, 3], [2, 3])).toEqual({
      state: 'none',
      ratio: 1.25,
      reason: 'too few repeats (n=3 and 2) for an interval',
    });
    expect(bootstrapRatioCi([0, 0, 1], [1, 2, 3])).toMatchObject({ state: 'none', ratio: 6 });
    expect(bootstrapRatioCi([0, 0, 0], [1, 2, 3])).toMatchObject({ state: 'none', ratio: null });
  });
});

describe('seededRandom', () => {
  it('gives uniform numbers in [0, 1), the same sequence for the same seed', () => {
    const first = seededRandom(42);
    const again = seededRandom(42);
    const values = Array.from({ length: 10_000 }, () => first());
    expect(values.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => again()));
    expect(values.every((value) => value >= 0 && value < 1)).toBe(true);
    // mean of U(0, 1) is 1/2 with sd 1/sqrt(12 * 10000) ≈ 0.0029
    expect(values.reduce((sum, value) => sum + value, 0) / values.length).toBeCloseTo(0.5, 1);
  });
});
