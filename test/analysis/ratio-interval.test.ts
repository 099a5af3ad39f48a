/**
 * The delta-method intervals against values computed independently in Python 3 with SciPy 1.17.1
 * (statistics.mean/variance, scipy.stats.t.ppf), each formula in a comment; SciPy is not needed to
 * run the test. Whether they hold their level is interval-coverage.test.ts's job.
 */
import { describe, expect, it } from 'vitest';
import { deltaInterval } from '../../lib/analysis/delta-interval.js';
import { pairedRatioInterval, welchRatioInterval } from '../../lib/analysis/ratio-interval.js';

describe('welchRatioInterval', () => {
  it("is Welch's t on the log scale with Satterthwaite's df", () => {
    // va = var(a)/(n_a·ma²), vb likewise; df = (va+vb)²/(va²/(n_a−1) + vb²/(n_b−1));
    // r·exp(±t.ppf(0.975, df)·√(va+vb)) -> df 3.116734410144971, [0.8863577760410765, 1.4024343456553756]
    const interval = welchRatioInterval([10, 11, 12.5], [11.5, 12, 13.4, 12.9]);
    expect(interval).toMatchObject({ state: 'ok', scale: 'log', paired: false });
    if (interval.state !== 'ok') return;
    expect(interval.ratio).toBeCloseTo(1.1149253731343283, 12);
    expect(interval.df).toBeCloseTo(3.116734410144971, 10);
    expect(interval.low).toBeCloseTo(0.8863577760410765, 10);
    expect(interval.high).toBeCloseTo(1.4024343456553756, 10);
  });

  it('says why there is none: too few values, or a ratio to a mean of 0', () => {
    expect(welchRatioInterval([1, 2], [1, 2, 3])).toEqual({
      state: 'none',
      ratio: 2 / 1.5,
      reason: 'too few repeats (n=2 and 3) for an interval',
    });
    expect(welchRatioInterval([0, 0, 0], [1, 2, 3])).toMatchObject({ state: 'none', ratio: null });
    // a side with a 0: linear, not log
    expect(welchRatioInterval([1, 2, 3], [0, 1, 2])).toMatchObject({ state: 'ok', scale: 'linear' });
    // no spread on either side: the ratio itself
    expect(welchRatioInterval([2, 2, 2], [3, 3, 3])).toMatchObject({ state: 'ok', ratio: 1.5, low: 1.5, high: 1.5 });
  });
});

describe('pairedRatioInterval', () => {
  it('takes the per-repeat deviations b_i/m_b − a_i/m_a, n − 1 df', () => {
    // z = [bi/mb − ai/ma]; v = var(z)/n; r·exp(±t.ppf(0.975, n−1)·√v) -> [0.09198675706870461, 0.10603268564726243]
    const interval = pairedRatioInterval([5.1, 6.3, 5.8, 7.0], [0.52, 0.61, 0.6, 0.66]);
    expect(interval).toMatchObject({ state: 'ok', scale: 'log', paired: true, df: 3 });
    if (interval.state !== 'ok') return;
    expect(interval.ratio).toBeCloseTo(0.0987603305785124, 12);
    expect(interval.low).toBeCloseTo(0.09198675706870461, 10);
    expect(interval.high).toBeCloseTo(0.10603268564726243, 10);
    expect(() => pairedRatioInterval([1, 2, 3], [1, 2])).toThrow(RangeError);
  });
});

describe('deltaInterval', () => {
  it('is linear for a difference over a mean, gradient-weighted, Satterthwaite df', () => {
    // q = (mb − ma)/mc; g = [−1/mc, 1/mc, −(mb − ma)/mc²]; v_i = g_i²·var_i/n_i; df = V²/Σ v_i²/(n_i − 1)
    //   -> q 0.39603960396039606, df 3.682874549011681, [0.2965291182218816, 0.4955500896989105]
    const interval = deltaInterval({ ratio: [{ difference: [{ mean: 1 }, { mean: 0 }] }, { mean: 2 }] }, [
      { values: [20, 21, 19.5] },
      { values: [30, 29, 31.5] },
      { values: [25, 24, 26.5, 25.5] },
    ]);
    expect(interval).toMatchObject({ state: 'ok', scale: 'linear', paired: false });
    if (interval.state !== 'ok') return;
    expect(interval.estimate).toBeCloseTo(0.39603960396039606, 12);
    expect(interval.df).toBeCloseTo(3.682874549011681, 10);
    expect(interval.low).toBeCloseTo(0.2965291182218816, 10);
    expect(interval.high).toBeCloseTo(0.4955500896989105, 10);
  });

  it('pairs only samples of the same key and the same units', () => {
    const a = { values: [5.1, 6.3, 5.8, 7.0], units: [1, 2, 3, 4], pairing: 'run' };
    const b = { values: [0.52, 0.61, 0.6, 0.66], units: [1, 2, 3, 4], pairing: 'run' };
    const ratio = { ratio: [{ mean: 1 }, { mean: 0 }] } as const;
    expect(deltaInterval(ratio, [a, b])).toMatchObject({ paired: true, df: 3 });
    expect(deltaInterval(ratio, [a, { ...b, pairing: 'other' }])).toMatchObject({ paired: false });
    expect(deltaInterval(ratio, [a, { ...b, units: [1, 2, 3, 5] }])).toMatchObject({ paired: false });
  });
});
