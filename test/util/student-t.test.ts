/**
 * Student's t for non-integer degrees of freedom, against values computed independently with
 * SciPy 1.17.1 (`scipy.stats.t.ppf(p, df)`, `scipy.stats.t.sf(t, df)`,
 * `scipy.special.betainc(a, b, x)`), written down here; SciPy is not needed to run the test.
 */
import { describe, expect, it } from 'vitest';
import { regularizedBeta, studentTQuantile, studentTUpperTail } from '../../lib/util/student-t.js';

describe('studentTQuantile', () => {
  // [p, df, scipy.stats.t.ppf(p, df)]
  const cases: Array<[number, number, number]> = [
    [0.975, 1, 12.706204736174694],
    [0.975, 2, 4.302652729749462],
    [0.975, 2.5, 3.5746548420036817],
    [0.975, 4.3, 2.70169489828223],
    [0.975, 7.77, 2.3179399298915517],
    [0.975, 9, 2.262157162798205],
    [0.975, 30, 2.0422724563012378],
    [0.975, 200, 1.9718962236339088],
    [0.975, 0.6, 67.84439532957197],
    [0.995, 3.2, 5.493257258868877],
    [0.9, 1.5, 2.1963984175655376],
    [0.025, 4.3, -2.7016948982822315],
  ];
  it.each(cases)('t(%f, df=%f) matches scipy.stats.t.ppf', (p, df, expected) => {
    expect(studentTQuantile(p, df)).toBeCloseTo(expected, 9);
  });

  it('is 0 at the median and refuses impossible arguments', () => {
    expect(studentTQuantile(0.5, 3.3)).toBe(0);
    expect(() => studentTQuantile(1, 3)).toThrow(RangeError);
    expect(() => studentTQuantile(0.975, 0)).toThrow(RangeError);
    expect(() => studentTQuantile(0.975, Number.NaN)).toThrow(RangeError);
  });
});

describe('studentTUpperTail and regularizedBeta', () => {
  it('match scipy.stats.t.sf and scipy.special.betainc', () => {
    expect(studentTUpperTail(2, 2.5)).toBeCloseTo(0.07869574787898295, 12);
    expect(studentTUpperTail(10, 3)).toBeCloseTo(0.0010641995292070751, 14);
    expect(studentTUpperTail(1, 0.5)).toBeCloseTo(0.30112161084132205, 10);
    expect(studentTUpperTail(-2, 2.5)).toBeCloseTo(1 - 0.07869574787898295, 12);
    // betainc(2.5, 0.5, 0.3) and betainc(10, 3, 0.9)
    expect(regularizedBeta(0.3, 2.5, 0.5)).toBeCloseTo(0.018927124071945658, 13);
    expect(regularizedBeta(0.9, 10, 3)).toBeCloseTo(0.889130022255, 11);
  });
});
