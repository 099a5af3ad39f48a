// Expected values were computed independently with SciPy 1.10.1 (Debian 12's python3-scipy,
// /usr/bin/python3): each comment gives the exact call and what it returned. SciPy is not needed
// to run these tests.
import { describe, expect, it } from 'vitest';
import { exactUDistribution, mannWhitneyU, normalSf, smallestP } from '../../lib/analysis/rank-test.js';

describe('mannWhitneyU', () => {
  it('uses the exact distribution for small samples without ties', () => {
    // scipy.stats.mannwhitneyu([1.1, 2.3, 3.2], [4.5, 5.1, 6.0, 7.7], alternative='two-sided', method='exact')
    //   -> U=0.0 p=0.05714285714285714
    expect(mannWhitneyU([1.1, 2.3, 3.2], [4.5, 5.1, 6.0, 7.7])).toEqual({
      u: 0,
      p: expect.closeTo(0.0571428571, 10),
      method: 'exact',
    });
    // scipy.stats.mannwhitneyu([10.2, 11.5, 9.8, 12.1, 10.9], [11.0, 12.5, 13.1, 11.8, 12.9, 13.4],
    //   alternative='two-sided', method='exact') -> U=3.0 p=0.030303030303030304
    const overlapping = mannWhitneyU([10.2, 11.5, 9.8, 12.1, 10.9], [11.0, 12.5, 13.1, 11.8, 12.9, 13.4]);
    expect(overlapping.u).toBe(3);
    expect(overlapping.p).toBeCloseTo(0.0303030303, 10);
  });

  it('is exact for a dozen values a side too', () => {
    const a = [3.1, 2.9, 3.3, 3.0, 3.2, 2.8, 3.4, 3.05, 2.95, 3.15, 3.25, 2.85];
    const b = [3.35, 3.5, 3.45, 3.01, 3.6, 3.55, 3.38, 3.42, 3.12, 3.65];
    // scipy.stats.mannwhitneyu(a, b, alternative='two-sided', method='exact') -> U=14.0 p=0.0015186052337755125
    expect(mannWhitneyU(a, b)).toMatchObject({ u: 14, method: 'exact' });
    expect(mannWhitneyU(a, b).p).toBeCloseTo(0.0015186052, 9);
  });

  it('can give no p below 0.2 for 3 against 2 values: quick campaigns cannot show a change', () => {
    // scipy.stats.mannwhitneyu([0.7, 0.75, 0.72], [0.8, 0.78], alternative='two-sided', method='exact') -> U=0.0 p=0.2
    expect(mannWhitneyU([0.7, 0.75, 0.72], [0.8, 0.78]).p).toBeCloseTo(0.2, 12);
    // 2 / math.comb(5, 2) -> 0.2; 2 / math.comb(8, 4) -> 0.02857142857142857
    expect(smallestP(3, 2)).toBeCloseTo(0.2, 12);
    expect(smallestP(4, 4)).toBeCloseTo(0.0285714286, 10);
    expect(smallestP(0, 4)).toBe(1);
  });

  it('is exact on midranks when values tie and the samples are small', () => {
    // every split enumerated by SciPy 1.17.1, the statistic |U - m·n/2|:
    //   scipy.stats.permutation_test((a, b), lambda x, y, axis: abs(mannwhitneyu(x, y, axis=axis).statistic - m*n/2),
    //     permutation_type='independent', n_resamples=np.inf, alternative='greater', vectorized=True).pvalue
    const tied = mannWhitneyU([1, 2, 2, 3, 4, 4, 5], [3, 4, 5, 5, 6, 7, 7, 8]);
    expect(tied).toMatchObject({ u: 6.5, method: 'exact' });
    expect(tied.p).toBeCloseTo(0.011033411033411034, 12);
    // 3 against 3 with ties: the exact p cannot go below 2 / C(6, 3) = 0.1, where the normal approximation did
    expect(mannWhitneyU([5, 5, 5], [6, 6, 6]).p).toBeCloseTo(0.1, 12);
    expect(mannWhitneyU([1, 2, 2], [2, 3, 3]).p).toBeCloseTo(0.3, 12);
    expect(mannWhitneyU([1, 1, 2, 3], [2, 3, 3, 4, 4]).p).toBeCloseTo(0.07936507936507936, 12);
    const a = [3.1, 2.9, 3.3, 3.0, 3.2, 2.8, 3.4, 3.05, 2.95, 3.15, 3.25, 2.85];
    const b = [3.35, 3.5, 3.45, 3.0, 3.6, 3.55, 3.38, 3.42, 3.12, 3.65];
    // C(22, 10) = 646646 splits, still exact -> 0.0015804628807724783
    expect(mannWhitneyU(a, b)).toMatchObject({ u: 14.5, method: 'exact' });
    expect(mannWhitneyU(a, b).p).toBeCloseTo(0.0015804628807724783, 12);
  });

  it('uses the normal approximation with tie and continuity corrections beyond the exact bound', () => {
    // C(30, 15) splits: scipy.stats.mannwhitneyu(a, b, alternative='two-sided', method='asymptotic',
    //   use_continuity=True) -> U=66.5 p=0.05822423207779873
    const tied = mannWhitneyU(
      [1, 2, 2, 3, 4, 4, 5, 6, 6, 7, 8, 8, 9, 10, 10],
      [3, 4, 5, 5, 6, 7, 7, 8, 9, 9, 10, 11, 11, 12, 12],
    );
    expect(tied).toMatchObject({ u: 66.5, method: 'normal' });
    expect(tied.p).toBeCloseTo(0.05822423207779873, 6);
  });

  it('gives p = 1 when every value ties', () => {
    // scipy.stats.mannwhitneyu([5, 5, 5], [5, 5, 5], alternative='two-sided', method='asymptotic') -> U=4.5 p=1.0;
    // small tied samples take the exact permutation distribution, where every split is as extreme
    expect(mannWhitneyU([5, 5, 5], [5, 5, 5])).toEqual({ u: 4.5, p: 1, method: 'exact' });
    const many = Array.from({ length: 20 }, () => 5);
    expect(mannWhitneyU(many, many)).toEqual({ u: 200, p: 1, method: 'normal' });
  });

  it('is symmetric in its two samples', () => {
    expect(mannWhitneyU([4.5, 5.1, 6.0, 7.7], [1.1, 2.3, 3.2]).p).toBeCloseTo(0.0571428571, 10);
  });

  it('refuses an empty sample', () => {
    expect(() => mannWhitneyU([], [1])).toThrow(RangeError);
  });
});

describe('the distributions behind it', () => {
  it('sums the exact distribution of U to 1 and matches its smallest counts', () => {
    const distribution = exactUDistribution(4, 4);
    expect(distribution.reduce((sum, value) => sum + value, 0)).toBeCloseTo(1, 12);
    // U = 0 and U = 1 each arise from 1 of math.comb(8, 4) = 70 arrangements; U = 2 from 2
    expect(distribution[0]).toBeCloseTo(1 / 70, 14);
    expect(distribution[1]).toBeCloseTo(1 / 70, 14);
    expect(distribution[2]).toBeCloseTo(2 / 70, 14);
  });

  it('computes normal tail probabilities to 1e-7', () => {
    // scipy.stats.norm.sf(1.96) -> 0.024997895148220435; norm.sf(0.5) -> 0.3085375387259869;
    // norm.sf(3.5) -> 0.00023262907903552502; norm.sf(-1) -> 0.8413447460685429
    expect(normalSf(1.96)).toBeCloseTo(0.0249978951, 7);
    expect(normalSf(0.5)).toBeCloseTo(0.3085375387, 7);
    expect(normalSf(3.5) / 0.00023262907903552502).toBeCloseTo(1, 5);
    expect(normalSf(-1)).toBeCloseTo(0.8413447461, 7);
  });
});
