/**
 * `compare` on synthetic campaigns with a known truth (seeded lognormal values, CV 10%): with
 * nothing changed it flags at most 1% of cells (Benjamini-Hochberg across the cells of each
 * comparison), where the per-cell rule p < 0.05 alone flagged several per 200; and its ratio
 * intervals cover the true ratio in 93% to 97% of cells at n = 3 and 5.
 */
import { describe, expect, it } from 'vitest';
import { compareCells, type ComparedCell } from '../../lib/analysis/campaign-compare.js';
import type { Sample } from '../../lib/results/schema.js';
import { rowMaker } from '../helpers/samples.js';
import { normalSource, sample } from '../helpers/simulate.js';

const CELLS = 200;
const row = rowMaker({ experiment: 'density-cpu', backend: 'docker', accel: 'none', guests: 1, metric: 'total_time' });

/** One campaign: CELLS cells (told apart by configuration) of n repeats, cell i's true mean `means(i)`. */
function campaign(normal: () => number, n: number, means: (cell: number) => number): Sample[] {
  return Array.from({ length: CELLS }, (_, cell) =>
    sample(normal, 'lognormal', means(cell), 0.1, n).map((value, index) =>
      row({ config: `c${String(cell).padStart(3, '0')}`, repeat: index + 1, value }),
    ),
  ).flat();
}

const truthA = (cell: number) => 1 + (cell % 17) / 4;

function compared(a: Sample[], b: Sample[]): ComparedCell[] {
  return compareCells(a, b).filter((cell): cell is ComparedCell => cell.state === 'compared');
}

describe('compare on synthetic campaigns', () => {
  it.each([5, 10, 20])('flags at most 1%% of cells when nothing changed (n=%i, 10 comparisons of 200 cells)', (n) => {
    const normal = normalSource(4000 + n);
    let flagged = 0;
    let perCell = 0;
    let cells = 0;
    for (let comparison = 0; comparison < 10; comparison += 1) {
      const result = compared(campaign(normal, n, truthA), campaign(normal, n, truthA));
      cells += result.length;
      flagged += result.filter((cell) => cell.verdict === 'changed').length;
      // the old per-cell rule (p < 0.05 and beyond 5%, no multiplicity control), to show the test can fail
      perCell += result.filter(
        (cell) => cell.p < 0.05 && cell.ratio !== null && (cell.ratio >= 1.05 || cell.ratio <= 1 / 1.05),
      ).length;
    }
    expect(cells).toBe(2000);
    expect(flagged / cells).toBeLessThanOrEqual(0.01);
    expect(perCell / cells).toBeGreaterThan(0.01);
  });

  it('still finds real changes: B 20% slower in a quarter of the cells, n=10', () => {
    const normal = normalSource(77);
    const result = compared(
      campaign(normal, 10, truthA),
      campaign(normal, 10, (cell) => truthA(cell) * (cell % 4 === 0 ? 1.2 : 1)),
    );
    const changed = result.filter((cell) => cell.verdict === 'changed');
    const real = changed.filter((cell) => Number(cell.key.config!.slice(1)) % 4 === 0);
    expect(real.length).toBeGreaterThanOrEqual(40);
    expect(changed.length - real.length).toBeLessThanOrEqual(2);
    expect(real.every((cell) => cell.meaning === 'slower')).toBe(true);
  });

  it.each([3, 5, 10])('covers the true ratio with its 95%% interval in 93%% to 97%% of cells (n=%i)', (n) => {
    const normal = normalSource(9000 + n);
    let covered = 0;
    let cells = 0;
    for (let comparison = 0; comparison < 10; comparison += 1) {
      for (const cell of compared(
        campaign(normal, n, truthA),
        campaign(normal, n, (i) => truthA(i) * 1.1),
      )) {
        if (cell.ratioInterval.state !== 'ok') throw new Error('expected an interval');
        cells += 1;
        if (cell.ratioInterval.low <= 1.1 && 1.1 <= cell.ratioInterval.high) covered += 1;
      }
    }
    expect(covered / cells).toBeGreaterThanOrEqual(0.93);
    expect(covered / cells).toBeLessThanOrEqual(0.97);
  });
});
