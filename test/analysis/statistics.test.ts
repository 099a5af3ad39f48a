// Expected values below were computed independently with SciPy 1.10.1 (Debian 12's python3-scipy,
// /usr/bin/python3), never by this code; each comment gives the exact call. SciPy is not needed to
// run these tests.
import { describe as group, expect, it } from 'vitest';
import { describe, MIN_INTERVAL_N, quantileSorted, tQuantile975 } from '../../lib/analysis/statistics.js';

group('describe', () => {
  it('gives a positive quantity the log-scale (delta-method) 95% interval of its mean', () => {
    const stats = describe([10, 12, 14]);
    expect(stats.n).toBe(3);
    expect(stats.mean).toBe(12);
    expect(stats.sd).toBe(2);
    expect(stats.interval).toBe('log');
    expect(stats.intervalNote).toBeNull();
    // m=12; sd=2; t=scipy.stats.t.ppf(0.975, 2); f=np.exp(t*sd/m/np.sqrt(3)); (m/f, m*f)
    //   -> (7.931829361960755, 18.154702204083105); tabled t 4.303 against 4.302652729911275
    // (relative to 1e-4: the code's t table has three decimals)
    expect(stats.ciLow! / 7.931829361960755).toBeCloseTo(1, 4);
    expect(stats.ciHigh! / 18.154702204083105).toBeCloseTo(1, 4);
    expect(stats.median).toBe(12);
    expect(stats.rsd).toBeCloseTo(2 / 12, 12);
  });

  it('matches the t interval closely when the spread is small', () => {
    const stats = describe([0.7, 0.75, 0.72, 0.71]);
    // same formula with t=scipy.stats.t.ppf(0.975, 3) -> (0.6864332999246093, 0.7552081171716692);
    // scipy.stats.t.interval(0.95, 3, loc=0.72, scale=sd/2) -> (0.6856..., 0.7543...)
    expect(stats.ciLow).toBeCloseTo(0.6864333, 4);
    expect(stats.ciHigh).toBeCloseTo(0.7552081, 4);
  });

  it('never reaches below zero for a positive quantity, however wide the spread (times, rates, counts)', () => {
    const stats = describe([1, 5, 30]);
    // same formula -> (0.46369230888573715, 310.55076230622666); the t interval would be [-26.9, 50.9]
    expect(stats.ciLow).toBeCloseTo(0.463692, 3);
    expect(stats.ciHigh! / 310.55076230622666).toBeCloseTo(1, 3);
    expect(stats.ciLow).toBeGreaterThan(0);
  });

  it('keeps the symmetric t interval where values can be 0 or negative (differences)', () => {
    const stats = describe([-1, 0.5, 2, 3]);
    expect(stats.interval).toBe('t');
    // scipy.stats.t.interval(0.95, 3, loc=1.125, scale=np.std([-1,0.5,2,3], ddof=1)/2)
    //   -> (-1.65964051712373, 3.90964051712373)
    expect(stats.ciLow).toBeCloseTo(-1.6596405, 3);
    expect(stats.ciHigh).toBeCloseTo(3.9096405, 3);
  });

  it('keeps the t interval for a difference whose values happen to be positive (signed)', () => {
    const stats = describe([10, 12, 14], { signed: true });
    expect(stats.interval).toBe('t');
    // scipy.stats.t.interval(0.95, 2, loc=12, scale=2/np.sqrt(3)) -> (7.031724576312494, 16.968275423687505)
    // (to 1e-3: the code's t table has three decimals)
    expect(stats.ciLow).toBeCloseTo(7.0317246, 3);
    expect(stats.ciHigh).toBeCloseTo(16.9682754, 3);
  });

  it(`gives no interval below ${MIN_INTERVAL_N} values and says why`, () => {
    // the migration campaign of issue 13 printed `total_time 10.745 s [-39.925, 61.416] n=2`
    const stats = describe([7.2, 14.29]);
    expect(stats.sd).not.toBeNull();
    expect(stats).toMatchObject({ ciLow: null, ciHigh: null, interval: null });
    expect(stats.intervalNote).toBe('too few repeats (n=2) for an interval');
  });

  it('has no spread or interval for a single value', () => {
    expect(describe([3.5])).toMatchObject({
      n: 1,
      mean: 3.5,
      sd: null,
      ciLow: null,
      ciHigh: null,
      intervalNote: 'too few repeats (n=1) for an interval',
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
    // numpy.quantile([1, 2, 3, 4], 0.95) -> 3.85
    expect(quantileSorted([1, 2, 3, 4], 0.95)).toBeCloseTo(3.85, 12);
    expect(quantileSorted([1, 2, 3, 4, 5], 0.5)).toBe(3);
  });

  it('uses tabled t quantiles and a close approximation beyond 30 df', () => {
    // scipy.stats.t.ppf(0.975, 9) -> 2.2621571627409915
    expect(tQuantile975(9)).toBeCloseTo(2.2621572, 3);
    // scipy.stats.t.ppf(0.975, 60) -> 2.0002978210582616
    expect(tQuantile975(60)).toBeCloseTo(2.0002978, 3);
    expect(tQuantile975(1000)).toBeCloseTo(1.9623, 3);
  });
});
