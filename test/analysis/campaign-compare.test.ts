/**
 * The comparison of two campaigns on small hand-made sample sets: flagged only when significant and
 * beyond the minimum effect, untestable with too few repeats, one-sided cells listed as such.
 */
import { describe, expect, it } from 'vitest';
import {
  compareCells,
  compareSummary,
  summaryLine,
  workloadWarnings,
  type CellComparison,
  type ComparedCell,
} from '../../lib/analysis/campaign-compare.js';
import type { CampaignMeta } from '../../lib/results/campaign-meta.js';
import type { Sample } from '../../lib/results/schema.js';
import { rowMaker } from '../helpers/samples.js';

const row = rowMaker({ experiment: 'density-cpu', backend: 'docker', accel: 'none', guests: 1, metric: 'total_time' });

/** One row per repeat (one guest), or `guests` rows per repeat whose mean is the value. */
function repeats(values: readonly number[], fields: Parameters<typeof row>[0] = {}): Sample[] {
  return values.map((value, index) => row({ ...fields, repeat: index + 1, value }));
}

function compared(cells: readonly CellComparison[], metric = 'total_time'): ComparedCell {
  const cell = cells.find((item) => item.state === 'compared' && item.key.metric === metric);
  if (!cell || cell.state !== 'compared') throw new Error(`no compared ${metric} cell`);
  return cell;
}

// exact two-sided p of 5 against 5 values, all of one above all of the other: 2 / math.comb(10, 5) = 0.0079
const A = [10.0, 10.2, 9.9, 10.1, 10.05];

describe('compareCells', () => {
  it('flags a significant change beyond the minimum effect, and says which way is faster', () => {
    const cells = compareCells(repeats(A), repeats([11.0, 11.2, 10.9, 11.1, 11.3]));
    const cell = compared(cells);
    expect(cell.verdict).toBe('changed');
    expect(cell.p).toBeCloseTo(2 / 252, 12);
    expect(cell.test).toBe('exact');
    expect(cell.ratio).toBeCloseTo(11.1 / 10.05, 12);
    expect(cell).toMatchObject({ change: 'higher', meaning: 'slower' });
    expect(cell.ratioInterval.state).toBe('ok');
    if (cell.ratioInterval.state === 'ok') {
      expect(cell.ratioInterval.low).toBeGreaterThan(1);
      expect(cell.ratioInterval.low).toBeLessThan(cell.ratio!);
      expect(cell.ratioInterval.high).toBeGreaterThan(cell.ratio!);
    }
    // one tested cell: its q is its p
    expect(cell.q).toBeCloseTo(2 / 252, 12);
    expect(cell.reason).toBe('q = 0.0079 < 0.05 (p = 0.0079) and 1.10x is beyond ±5%');
    // a rate that went up is faster
    const rates = compareCells(
      repeats(A, { metric: 'events_per_s' }),
      repeats([11.0, 11.2, 10.9, 11.1, 11.3], { metric: 'events_per_s' }),
    );
    expect(compared(rates, 'events_per_s')).toMatchObject({ verdict: 'changed', meaning: 'faster' });
  });

  it('does not flag a significant change smaller than the minimum effect', () => {
    const cell = compared(compareCells(repeats(A), repeats([10.3, 10.35, 10.4, 10.45, 10.5])));
    expect(cell.p).toBeLessThan(0.05);
    expect(cell.ratio).toBeCloseTo(10.4 / 10.05, 12);
    expect(cell.verdict).toBe('no significant change');
    expect(cell.reason).toBe('significant (q = 0.0079) but 1.03x is within ±5%');
    // the same data with a 2% minimum effect is flagged, faster (lower time)
    const strict = compared(compareCells(repeats([10.3, 10.35, 10.4, 10.45, 10.5]), repeats(A), { minEffect: 0.02 }));
    expect(strict).toMatchObject({ verdict: 'changed', change: 'lower', meaning: 'faster' });
  });

  it('does not flag a large change that is not significant', () => {
    const cell = compared(compareCells(repeats(A), repeats([8, 14, 9.5, 13, 10.15])));
    expect(cell.ratio).toBeGreaterThan(1.05);
    expect(cell.p).toBeGreaterThan(0.05);
    expect(cell.verdict).toBe('no significant change');
    expect(cell.reason).toMatch(/^not significant \(q = 0\.\d+, p = 0\.\d+; not below 0\.05\)$/);
  });

  it('calls a cell untestable, not "no significant change", when its repeats cannot reach alpha at all', () => {
    // 3 against 3 repeats: the smallest exact p is 2 / math.comb(6, 3) = 0.1, even when B is twice A
    const cell = compared(compareCells(repeats([1, 1.1, 1.2]), repeats([2, 2.1, 2.2])));
    expect(cell).toMatchObject({ verdict: 'untestable', change: null, smallestP: 0.1, q: null });
    expect(cell.reason).toBe('too few repeats to test (n=3 and 3): p cannot go below 0.10');
    expect(cell.ratioInterval.state).toBe('ok');
    // with alpha 0.2 the same cell can be tested, and is flagged
    expect(compared(compareCells(repeats([1, 1.1, 1.2]), repeats([2, 2.1, 2.2]), { alpha: 0.2 })).verdict).toBe(
      'changed',
    );
    // 2 repeats: no ratio interval either
    const two = compared(compareCells(repeats([1, 1.1]), repeats([2, 2.1, 2.2])));
    expect(two.verdict).toBe('untestable');
    expect(two.ratioInterval).toMatchObject({ state: 'none', reason: 'too few repeats (n=2 and 3) for an interval' });
  });

  it('averages the guests of a repeat first, as summaries do', () => {
    const a = [1, 2, 3, 4, 5].flatMap((repeat) => [
      row({ guests: 2, guest: 1, repeat, value: 10 }),
      row({ guests: 2, guest: 2, repeat, value: 12 }),
    ]);
    const b = repeats([11, 11, 11, 11, 11], { guests: 2 });
    const cell = compared(compareCells(a, b));
    expect(cell.a).toMatchObject({ n: 5, mean: 11, values: [11, 11, 11, 11, 11] });
    expect(cell).toMatchObject({ ratio: 1, p: 1, verdict: 'no significant change' });
  });

  it('lists cells present in one campaign only as such, and keys cells by accelerator too', () => {
    const a = [...repeats(A), ...repeats(A, { backend: 'kvm', accel: 'kvm' })];
    const b = [...repeats(A), ...repeats(A, { backend: 'kvm', accel: 'tcg' }), ...repeats(A, { guests: 4 })];
    const cells = compareCells(a, b);
    expect(cells.map((cell) => [cell.state, cell.key.backend, cell.key.accel, cell.key.guests])).toEqual([
      ['compared', 'docker', 'none', 1],
      ['only-in-b', 'docker', 'none', 4],
      ['only-in-a', 'kvm', 'kvm', 1],
      ['only-in-b', 'kvm', 'tcg', 1],
    ]);
  });

  it('counts every kind of outcome in one line', () => {
    const cells = compareCells(
      [...repeats(A), ...repeats(A, { metric: 'events_per_s' }), ...repeats([1, 2, 3], { metric: 'latency_avg' })],
      [
        ...repeats([11.0, 11.2, 10.9, 11.1, 11.3]),
        ...repeats(A, { metric: 'events_per_s' }),
        ...repeats([1, 2, 3], { metric: 'latency_avg' }),
        ...repeats(A, { guests: 2 }),
      ],
    );
    expect(summaryLine(compareSummary(cells))).toBe(
      '3 cells compared: 1 flagged (1 slower), 1 no significant change, 1 untestable (too few repeats); ' +
        'family of 2 tested cells (Benjamini-Hochberg q-values); 0 only in A, 1 only in B',
    );
  });
});

describe('workloadWarnings', () => {
  const meta = (profile: string, parameters: Record<string, unknown>) =>
    ({ experiment: 'density-cpu', profile, parameters }) as unknown as CampaignMeta;

  it('says nothing when only the guest counts and repeats differ', () => {
    expect(
      workloadWarnings(
        meta('quick', { cpu: { maxPrime: 10000 }, guests: { docker: [1] }, repeats: 3 }),
        meta('quick', { cpu: { maxPrime: 10000 }, guests: { docker: [1, 2] }, repeats: 2 }),
      ),
    ).toEqual([]);
  });

  it('warns plainly when the profiles or workload sizes differ, and points at rate metrics', () => {
    const [warning] = workloadWarnings(
      meta('quick', { cpu: { maxPrime: 10000, events: 2000 } }),
      meta('thesis', { cpu: { maxPrime: 30000, events: 10000 } }),
    );
    expect(warning).toContain('profile quick vs thesis');
    expect(warning).toContain('cpu.maxPrime 10000 vs 30000; cpu.events 2000 vs 10000');
    expect(warning).toContain('ratios of totals');
    expect(warning).toContain('prefer the rate metrics');
  });
});
