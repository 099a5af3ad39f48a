import { describe as group, expect, it } from 'vitest';
import { describe, quantileSorted, tQuantile975 } from '../../lib/analysis/statistics.js';

group('describe', () => {
  it('computes mean, sample sd and a Student-t 95% interval', () => {
    const stats = describe([10, 12, 14]);
    expect(stats.n).toBe(3);
    expect(stats.mean).toBe(12);
    expect(stats.sd).toBe(2);
    // t(0.975, 2) = 4.303; half width = 4.303 * 2 / sqrt(3)
    expect(stats.ciLow).toBeCloseTo(12 - 4.968676, 5);
    expect(stats.ciHigh).toBeCloseTo(12 + 4.968676, 5);
    expect(stats.median).toBe(12);
    expect(stats.rsd).toBeCloseTo(2 / 12, 12);
  });

  it('has no spread or interval for a single value', () => {
    expect(describe([3.5])).toMatchObject({
      n: 1,
      mean: 3.5,
      sd: null,
      ciLow: null,
      ciHigh: null,
      median: 3.5,
      p95: 3.5,
    });
  });

  it('keeps double precision where float32 would not (latencies in ms)', () => {
    expect(describe([0.1, 0.2]).mean).toBe(0.15000000000000002);
  });

  it('refuses an empty list', () => {
    expect(() => describe([])).toThrow(RangeError);
  });
});

group('quantiles', () => {
  it('interpolates linearly between order statistics (R type 7)', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.95)).toBeCloseTo(3.85, 12);
    expect(quantileSorted([1, 2, 3, 4, 5], 0.5)).toBe(3);
  });

  it('uses tabled t quantiles and a close approximation beyond 30 df', () => {
    expect(tQuantile975(9)).toBe(2.262);
    expect(tQuantile975(60)).toBeCloseTo(2.0003, 3);
    expect(tQuantile975(1000)).toBeCloseTo(1.9623, 3);
  });
});
